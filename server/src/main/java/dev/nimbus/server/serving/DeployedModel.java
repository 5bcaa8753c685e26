package dev.nimbus.server.serving;

import dev.nimbus.server.batching.BatchListener;
import dev.nimbus.server.batching.BatchRunner;
import dev.nimbus.server.batching.BatchScheduler;
import dev.nimbus.server.batching.BatchingException;
import dev.nimbus.server.batching.BatchingOptions;
import dev.nimbus.server.batching.ModelQueue;
import dev.nimbus.server.batching.Ticker;
import dev.nimbus.server.engine.ImageBatch;
import dev.nimbus.server.engine.InferenceEngine;
import dev.nimbus.server.metrics.ServerMetrics;
import dev.nimbus.v1.DeploymentConfig;
import dev.nimbus.v1.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One deployed model version: the loaded SavedModel, its queue in the shared batch scheduler, and one engine runner
 * (a DJL predictor, not thread-safe) per batch thread that runs its batches. Reference-counted through its queue:
 * the registry's reference ends with {@link #undeploy()}, which unregisters the queue; each running batch holds one
 * until it ends (the queue counts them), and the last one out closes the runners, then the model.
 */
final class DeployedModel {
  /** One image's scores and how the batch it ran in went. */
  record Scored(float[] scores, long batchStartNanos, long engineNanos, int batchSize) {}

  private final ModelVersion version;
  private final Model model;
  private final DeploymentConfig config;
  private final BatchingOptions options;
  private final InferenceEngine.LoadedModel loaded;
  private final BatchScheduler scheduler;
  private final Ticker ticker;
  private final ModelQueue<byte[], Scored> queue;

  /** Registers the (loaded and warmed-up) model's queue: from here on it serves. */
  DeployedModel(ModelVersion version, Model model, DeploymentConfig config, BatchingOptions options,
      InferenceEngine.LoadedModel loaded, BatchScheduler scheduler, ServerMetrics metrics, Ticker ticker) {
    this.ticker = ticker;
    this.version = version;
    this.model = model;
    this.config = config;
    this.options = options;
    this.loaded = loaded;
    this.scheduler = scheduler;
    this.queue = scheduler.register(version.toString(), options, this::newRunner, listener(version.modelId(),
        metrics));
  }

  ModelVersion version() {
    return version;
  }

  Model model() {
    return model;
  }

  DeploymentConfig config() {
    return config;
  }

  long sizeBytes() {
    return loaded.sizeBytes();
  }

  /** Images admitted or waiting, which count against {@code max_queued_images}. */
  int pendingImages() {
    return queue.admittedImages() + queue.queuedImages();
  }

  /**
   * Holds places in the queue for {@code images} images about to be decoded, or refuses at once (QUEUE_FULL with
   * a RetryInfo, or UNAVAILABLE once undeployed) before any decoding is spent on them.
   */
  ModelQueue<byte[], Scored>.Admission admit(int images) {
    try {
      return queue.admit(images);
    } catch (BatchingException e) {
      throw QueueRefusals.toApi(e, version.name());
    }
  }

  /** Queues decoded images without a deadline (BatchPredict); failures are API errors. */
  CompletableFuture<List<Scored>> submit(List<byte[]> pixels) {
    return queue.submit(pixels).handle((scored, failure) -> {
      if (failure != null) {
        throw QueueRefusals.completion(failure, version.name());
      }
      return scored;
    });
  }

  /** Runs one batch of each size the batcher will form: the first run of a size can cost a graph optimisation. */
  static void warmUp(InferenceEngine.LoadedModel loaded, Model model, int maxBatch) {
    List<Integer> sizes = new ArrayList<>();
    for (int s = 1; s < maxBatch; s *= 2) {
      sizes.add(s);
    }
    sizes.add(maxBatch);
    int side = model.getInputSize();
    int channels = model.getInputChannels();
    try (InferenceEngine.Runner runner = loaded.newRunner()) {
      for (int size : sizes) {
        runner.run(new ImageBatch(new byte[size * side * side * channels], size, side, side, channels));
      }
    }
  }

  /** A batch thread's engine call for this model: the images copied into one uint8 tensor [N,H,W,C]. */
  private BatchRunner<byte[], Scored> newRunner() {
    InferenceEngine.Runner runner = loaded.newRunner();
    int side = model.getInputSize();
    int channels = model.getInputChannels();
    int per = side * side * channels;
    return new BatchRunner<>() {
      @Override
      public List<Scored> run(List<byte[]> inputs) {
        byte[] pixels = new byte[inputs.size() * per];
        for (int i = 0; i < inputs.size(); i++) {
          System.arraycopy(inputs.get(i), 0, pixels, i * per, per);
        }
        long start = ticker.nanos();
        float[][] scores = runner.run(new ImageBatch(pixels, inputs.size(), side, side, channels));
        long engine = ticker.nanos() - start;
        List<Scored> out = new ArrayList<>(scores.length);
        for (float[] s : scores) {
          out.add(new Scored(s, start, engine, inputs.size()));
        }
        return out;
      }

      @Override
      public void close() {
        runner.close();
      }
    };
  }

  private static BatchListener listener(String modelId, ServerMetrics metrics) {
    return new BatchListener() {
      @Override
      public void onBatch(BatchRun run) {
        metrics.batch(modelId, run.size());
      }

      @Override
      public void onRejected(String modelKey, int images, BatchingException.Kind kind) {
        metrics.refused(modelId, kind.name(), images);
      }

      @Override
      public void onDropped(String modelKey, int images, BatchingException.Kind kind) {
        metrics.refused(modelId, kind.name(), images);
      }
    };
  }

  /**
   * Stops serving, dropping the registry's reference: waiting requests fail with UNAVAILABLE, running batches
   * finish; the future completes once the last batch is out and the runners and the model are closed.
   */
  CompletableFuture<Void> undeploy() {
    return scheduler.unregister(version.toString()).whenComplete((ok, e) -> loaded.close());
  }
}
