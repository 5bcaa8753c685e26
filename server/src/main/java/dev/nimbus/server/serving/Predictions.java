package dev.nimbus.server.serving;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.nimbus.server.metrics.ServerMetrics;
import dev.nimbus.server.error.ApiException;
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
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;

/**
 * Predict: checks the request on the calling (handler) thread, decodes its images on the decode pool, looks them
 * up in the result cache when the model was deployed with one, queues the rest in the model's batch queue, and
 * completes when their batches have run. No thread waits for a batch.
 */
public final class Predictions {
  private final Deployments deployments;
  private final ImagePreparer preparer;
  private final ExecutorService decodePool;
  private final ServerMetrics metrics;
  private final int maxImages;
  private final Cache<String, float[]> results;

  public Predictions(Deployments deployments, ImagePreparer preparer, ExecutorService decodePool, ServerMetrics metrics,
      int maxImages, int resultCacheSize) {
    this.deployments = deployments;
    this.preparer = preparer;
    this.decodePool = decodePool;
    this.metrics = metrics;
    this.maxImages = maxImages;
    this.results = Caffeine.newBuilder().maximumSize(Math.max(1, resultCacheSize)).build();
  }

  /**
   * @param deadlineNanos when the caller stops waiting, on {@link System#nanoTime()}'s clock, or
   *     {@code Long.MAX_VALUE}
   */
  public CompletableFuture<PredictResponse> predict(PredictRequest req, long deadlineNanos, BooleanSupplier cancelled) {
    long start = System.nanoTime();
    String modelId = ResourceNames.modelId("name", req.getName());
    int n = req.getImagesCount();
    if (n == 0) {
      throw ApiException.invalidArgument("images", "images is empty (expected: 1.." + maxImages + " images)");
    }
    if (n > maxImages) {
      throw ApiException.invalidArgument("images", "images: " + n + " (expected: at most " + maxImages
          + " per request; split the request, as the Java SDK does)");
    }
    Deployments.Deployment d = deployments.available(modelId);
    float threshold = Thresholds.threshold(req.getParams(), d.model());
    int maxPredictions = Thresholds.maxPredictions(req.getParams());
    int size = d.model().getInputSize();
    int channels = d.model().getInputChannels();
    boolean cacheOn = d.config().getResultCacheEnabled();
    if (!d.admit(n)) {
      metrics.refused(modelId, "QUEUE_FULL", n);
      throw ApiException.resourceExhausted("QUEUE_FULL", d.model().getName() + " has as many images waiting as it"
          + " accepts (" + d.options().maxQueuedImages() + "); retry shortly", retryAfter(d));
    }
    boolean[] released = {false};
    Runnable release = () -> {
      synchronized (released) {
        if (!released[0]) {
          released[0] = true;
          d.decoded(n);
        }
      }
    };
    try {
      // Header checks here, on the handler thread (cheap, and a bad image is answered at once); decoding on the
      // decode workers, shared with concurrent requests; WebP/TIFF transcoding, when needed, on the decode pool.
      ImagePreparer.Checked checked = preparer.check(req.getImagesList(), size, channels, cacheOn);
      return preparer.decode(checked, decodePool).thenCompose(prepared -> {
        long decoded = System.nanoTime();
        metrics.stage(modelId, "decode", (decoded - start) / 1e9);
        float[][] scores = new float[n][];
        List<byte[]> misses = new ArrayList<>(n);
        List<Integer> missAt = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          ImagePreparer.Prepared p = prepared.get(i);
          float[] hit = cacheOn && p.key() != null ? results.getIfPresent(d.key() + "|" + p.key()) : null;
          if (hit != null) {
            scores[i] = hit;
          } else {
            misses.add(p.pixels());
            missAt.add(i);
          }
        }
        // From here the queue counts the images itself.
        release.run();
        if (misses.isEmpty()) {
          return CompletableFuture.completedFuture(respond(req, d, scores, threshold, maxPredictions, start, decoded,
              List.of()));
        }
        return d.queue().submit(misses, deadlineNanos, cancelled).thenApply(scored -> {
          for (int j = 0; j < scored.size(); j++) {
            int i = missAt.get(j);
            scores[i] = scored.get(j).scores();
            ImagePreparer.Prepared p = prepared.get(i);
            if (cacheOn && p.key() != null) {
              results.put(d.key() + "|" + p.key(), scores[i]);
            }
          }
          return respond(req, d, scores, threshold, maxPredictions, start, decoded, scored);
        });
      }).handle((response, failure) -> {
        release.run();
        if (failure != null) {
          throw new CompletionException(QueueRefusals.toApi(failure, d.model().getName()));
        }
        return response;
      });
    } catch (RejectedExecutionException e) {
      release.run();
      throw ApiException.resourceExhausted("DECODE_QUEUE_FULL", "the server is decoding as many images as it can;"
          + " retry shortly", Duration.ofMillis(100));
    } catch (RuntimeException e) {
      release.run(); // A bad image: nothing was queued.
      throw e;
    }
  }

  /** About the time the queue takes to drain a batch per batch thread: when a retry may find room. */
  private static Duration retryAfter(Deployments.Deployment d) {
    long ms = Math.max(1, d.options().maxBatchDelay().toMillis() + 5L * d.options().maxBatchSize());
    return Duration.ofMillis(Math.min(1000, ms));
  }

  private PredictResponse respond(PredictRequest req, Deployments.Deployment d, float[][] scores, float threshold,
      int maxPredictions, long start, long decoded, List<Deployments.Scored> scored) {
    PredictResponse.Builder b = PredictResponse.newBuilder();
    for (float[] s : scores) {
      ImagePrediction p = Thresholds.prediction(s, d.model().getLabelsList(), threshold, maxPredictions);
      b.addPredictions(p);
    }
    long queue = 0;
    long engine = 0;
    int batch = 0;
    for (Deployments.Scored s : scored) {
      queue = Math.max(queue, s.batchStartNanos() - decoded);
      engine = Math.max(engine, s.engineNanos());
      batch = Math.max(batch, s.batchSize());
    }
    if (!scored.isEmpty()) {
      metrics.stage(d.modelId(), "queue", Math.max(0, queue) / 1e9);
      metrics.stage(d.modelId(), "engine", engine / 1e9);
    }
    if (req.getIncludeTimings()) {
      b.setTimings(PredictTimings.newBuilder()
          .setDecode(Protos.duration(Duration.ofNanos(decoded - start)))
          .setQueue(Protos.duration(Duration.ofNanos(Math.max(0, queue))))
          .setEngine(Protos.duration(Duration.ofNanos(engine)))
          .setTotal(Protos.duration(Duration.ofNanos(System.nanoTime() - start)))
          .setBatchSize(batch));
    }
    return b.build();
  }
}
