package dev.nimbus.server.serving;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.nimbus.server.batching.BatchScheduler;
import dev.nimbus.server.batching.ModelQueue;
import dev.nimbus.server.batching.Ticker;
import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.metrics.ServerMetrics;
import dev.nimbus.server.util.Protos;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.v1.ImagePrediction;
import dev.nimbus.v1.PredictRequest;
import dev.nimbus.v1.PredictResponse;
import dev.nimbus.v1.PredictTimings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;

/**
 * Predict: checks the request on the calling (handler) thread, admits its images to the model's queue (refusing at
 * once when it is full, before any decoding), decodes them ({@link ImagePreparer}), looks them up in the result
 * cache when the model was deployed with one, submits the rest to the queue, and completes when their batches have
 * run. No thread waits for a batch. Time is the batcher's ticker, deadlines included.
 */
public final class Predictions {
  /** A cached result: one model version's scores for one image content. */
  private record ResultKey(ModelVersion version, String sha256) {}

  private final Deployments deployments;
  private final ImagePreparer preparer;
  private final Executor transcoding;
  private final ServerMetrics metrics;
  private final Ticker ticker;
  private final int maxImages;
  private final Cache<ResultKey, float[]> results;

  /**
   * @param transcoding where WebP and TIFF images are transcoded (bounded: a full one is RESOURCE_EXHAUSTED)
   * @param ticker the batch scheduler's, so deadlines compare on one clock
   */
  public Predictions(Deployments deployments, ImagePreparer preparer, Executor transcoding, ServerMetrics metrics,
      Ticker ticker, int maxImages, int resultCacheSize) {
    this.deployments = deployments;
    this.preparer = preparer;
    this.transcoding = transcoding;
    this.metrics = metrics;
    this.ticker = ticker;
    this.maxImages = maxImages;
    this.results = Caffeine.newBuilder().maximumSize(Math.max(1, resultCacheSize)).build();
  }

  /**
   * @param timeoutNanos how long the caller waits from now, or {@code Long.MAX_VALUE} for no deadline
   * @param cancelled whether the caller has gone; quick, called under the batcher's lock
   */
  public CompletableFuture<PredictResponse> predict(PredictRequest req, long timeoutNanos, BooleanSupplier cancelled) {
    long start = ticker.nanos();
    long deadline = timeoutNanos == Long.MAX_VALUE ? BatchScheduler.NO_DEADLINE : saturatedAdd(start, timeoutNanos);
    String modelId = ResourceNames.modelId("name", req.getName());
    int n = req.getImagesCount();
    if (n == 0) {
      throw ApiException.invalidArgument("images", "images is empty (expected: 1.." + maxImages + " images)");
    }
    if (n > maxImages) {
      throw ApiException.invalidArgument("images", "images: " + n + " (expected: at most " + maxImages
          + " per request; split the request, as the Java SDK does)");
    }
    DeployedModel d = deployments.available(modelId);
    float threshold = Thresholds.threshold(req.getParams(), d.model());
    int maxPredictions = Thresholds.maxPredictions(req.getParams());
    boolean cacheOn = d.config().getResultCacheEnabled();
    ModelQueue<byte[], DeployedModel.Scored>.Admission admission = d.admit(n);
    try {
      // Header checks here, on the handler thread (cheap, and a bad image is answered at once); decoding on the
      // decode workers, shared with concurrent requests; WebP/TIFF transcoding, when needed, on its own pool.
      ImagePreparer.Checked checked = preparer.check(req.getImagesList(), d.model().getInputSize(),
          d.model().getInputChannels(), cacheOn);
      return preparer.decode(checked, transcoding).thenCompose(prepared -> {
        long decoded = ticker.nanos();
        metrics.stage(modelId, "decode", (decoded - start) / 1e9);
        float[][] scores = new float[n][];
        List<byte[]> misses = new ArrayList<>(n);
        List<Integer> missAt = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          ImagePreparer.Prepared p = prepared.get(i);
          float[] hit = cacheOn && p.sha256() != null ? results.getIfPresent(new ResultKey(d.version(), p.sha256()))
              : null;
          if (hit != null) {
            scores[i] = hit;
          } else {
            misses.add(p.pixels());
            missAt.add(i);
          }
        }
        if (misses.isEmpty()) {
          return CompletableFuture.completedFuture(respond(req, d, scores, threshold, maxPredictions, start, decoded,
              List.of()));
        }
        return admission.submit(misses, deadline, cancelled).thenApply(scored -> {
          for (int j = 0; j < scored.size(); j++) {
            int i = missAt.get(j);
            scores[i] = scored.get(j).scores();
            ImagePreparer.Prepared p = prepared.get(i);
            if (cacheOn && p.sha256() != null) {
              results.put(new ResultKey(d.version(), p.sha256()), scores[i]);
            }
          }
          return respond(req, d, scores, threshold, maxPredictions, start, decoded, scored);
        });
      }).handle((response, failure) -> {
        admission.close(); // gives back the places of cache hits, or of a request that failed before submitting
        if (failure != null) {
          throw QueueRefusals.completion(failure, d.version().name());
        }
        return response;
      });
    } catch (RejectedExecutionException e) {
      admission.close();
      throw ApiException.resourceExhausted("DECODE_QUEUE_FULL", "the server is decoding as many images as it can;"
          + " retry shortly", Duration.ofMillis(100));
    } catch (RuntimeException | Error e) {
      admission.close(); // a bad image: nothing was queued
      throw e;
    }
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE - 1 : sum;
  }

  private PredictResponse respond(PredictRequest req, DeployedModel d, float[][] scores, float threshold,
      int maxPredictions, long start, long decoded, List<DeployedModel.Scored> scored) {
    PredictResponse.Builder b = PredictResponse.newBuilder();
    for (float[] s : scores) {
      ImagePrediction p = Thresholds.prediction(s, d.model().getLabelsList(), threshold, maxPredictions);
      b.addPredictions(p);
    }
    long queue = 0;
    long engine = 0;
    int batch = 0;
    for (DeployedModel.Scored s : scored) {
      queue = Math.max(queue, s.batchStartNanos() - decoded);
      engine = Math.max(engine, s.engineNanos());
      batch = Math.max(batch, s.batchSize());
    }
    String modelId = d.version().modelId();
    if (!scored.isEmpty()) {
      metrics.stage(modelId, "queue", Math.max(0, queue) / 1e9);
      metrics.stage(modelId, "engine", engine / 1e9);
    }
    if (req.getIncludeTimings()) {
      b.setTimings(PredictTimings.newBuilder()
          .setDecode(Protos.duration(Duration.ofNanos(decoded - start)))
          .setQueue(Protos.duration(Duration.ofNanos(Math.max(0, queue))))
          .setEngine(Protos.duration(Duration.ofNanos(engine)))
          .setTotal(Protos.duration(Duration.ofNanos(ticker.nanos() - start)))
          .setBatchSize(batch));
    }
    return b.build();
  }
}
