package dev.nimbus.server.serving;

import dev.nimbus.server.batching.BatchRunner;
import dev.nimbus.server.batching.BatchScheduler;
import dev.nimbus.server.batching.BatchingOptions;
import dev.nimbus.server.batching.ModelQueue;
import dev.nimbus.server.config.ServerConfig;
import dev.nimbus.server.engine.ImageBatch;
import dev.nimbus.server.engine.InferenceEngine;
import dev.nimbus.server.model.ModelFiles;
import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.util.Protos;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.v1.BatchingConfig;
import dev.nimbus.v1.DeploymentConfig;
import dev.nimbus.v1.Model;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models being served: each deployed model has a batch queue in the shared {@link BatchScheduler}, and its
 * SavedModel is loaded (and warmed up) in the {@link ModelCache}. A batch runs on whichever batch thread takes it,
 * through that thread's own runner of the model, holding a reference on the loaded model for the batch's duration.
 */
public final class Deployments implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Deployments.class);

  /** One image's scores and how the batch it ran in went. */
  record Scored(float[] scores, long batchStartNanos, long engineNanos, int batchSize) {}

  /**
   * A served model. {@code key} names this version of it (model id and update time). {@code decoding} counts the
   * images admitted and still being decoded, which count against the queue's bound like queued ones.
   */
  record Deployment(String modelId, String key, Model model, DeploymentConfig config, BatchingOptions options,
      ModelQueue<byte[], Scored> queue, java.util.concurrent.atomic.AtomicInteger decoding) {

    /**
     * Admits {@code n} images for decoding if the queue (with what is already being decoded) has room for them,
     * so that an overloaded server refuses at once instead of decoding images it will refuse anyway.
     */
    boolean admit(int n) {
      while (true) {
        int d = decoding.get();
        if (d + queue.queuedImages() + n > options.maxQueuedImages()) {
          return false;
        }
        if (decoding.compareAndSet(d, d + n)) {
          return true;
        }
      }
    }

    void decoded(int n) {
      decoding.addAndGet(-n);
    }
  }

  private final ModelFiles files;
  private final InferenceEngine engine;
  private final ServerConfig.Serving defaults;
  private final BatchScheduler scheduler;
  private final ModelCache cache;
  private final BiConsumer<String, Boolean> health;
  private final java.util.function.Predicate<String> exists;
  private final Map<String, Deployment> deployed = new ConcurrentHashMap<>();
  /** Which (model key) each cached entry needs to load: its SavedModel folder and device. */
  private final Map<String, Deployment> loading = new ConcurrentHashMap<>();

  /**
   * @param health told (model name, serving?) whenever a model starts or stops serving
   * @param exists whether a model id exists at all (to tell NOT_FOUND from not deployed)
   */
  public Deployments(ModelFiles files, InferenceEngine engine, ServerConfig.Serving defaults, BatchScheduler scheduler,
      BiConsumer<String, Boolean> health, java.util.function.Predicate<String> exists) {
    this.exists = exists;
    this.files = files;
    this.engine = engine;
    this.defaults = defaults;
    this.scheduler = scheduler;
    this.health = health;
    this.cache = new ModelCache(defaults.maxLoadedModels(), defaults.maxLoadedModelBytes(), this::load);
  }

  /** The deployment config with every default filled in from the server's, checked. */
  public DeploymentConfig resolve(DeploymentConfig requested) {
    String device = requested.getDevice().isBlank() ? defaults.device() : requested.getDevice().strip();
    InferenceEngine.device(device);
    BatchingConfig b = requested.getBatching();
    int maxBatch = b.getMaxBatchSize() > 0 ? b.getMaxBatchSize() : defaults.maxBatchSize();
    Duration delay = b.hasMaxBatchDelay() ? Protos.duration(b.getMaxBatchDelay()) : defaults.maxBatchDelay();
    // Without an explicit bound: the server's, or four batches per batch thread if that is larger (a deployment
    // with larger batches than the server's default needs a longer queue to form them).
    int queued = b.getMaxQueuedImages() > 0 ? b.getMaxQueuedImages()
        : Math.max(defaults.maxQueuedImages(), 4 * maxBatch * defaults.batchThreads());
    if (b.getMaxBatchSize() < 0 || maxBatch > 4096) {
      throw ApiException.invalidArgument("deployment_config.batching.max_batch_size", "max_batch_size: "
          + b.getMaxBatchSize() + " (expected: 1..4096, or 0 for the server's default " + defaults.maxBatchSize() + ")");
    }
    if (delay.isNegative() || delay.compareTo(Duration.ofSeconds(10)) > 0) {
      throw ApiException.invalidArgument("deployment_config.batching.max_batch_delay", "max_batch_delay: " + delay
          + " (expected: 0..10 s)");
    }
    if (b.getMaxQueuedImages() < 0 || queued < maxBatch) {
      throw ApiException.invalidArgument("deployment_config.batching.max_queued_images", "max_queued_images: "
          + queued + " (expected: at least max_batch_size " + maxBatch + ")");
    }
    if (b.getBatchThreads() != 0 && b.getBatchThreads() != defaults.batchThreads()) {
      throw ApiException.invalidArgument("deployment_config.batching.batch_threads", "batch_threads: "
          + b.getBatchThreads() + " (batch threads are shared by every model; the server has "
          + defaults.batchThreads() + ", set with --batch-threads)");
    }
    return DeploymentConfig.newBuilder()
        .setDevice(device)
        .setResultCacheEnabled(requested.getResultCacheEnabled())
        .setBatching(BatchingConfig.newBuilder().setMaxBatchSize(maxBatch).setMaxBatchDelay(Protos.duration(delay))
            .setBatchThreads(defaults.batchThreads()).setMaxQueuedImages(queued))
        .build();
  }

  /**
   * Loads the model, warms it up with a batch of every size it will see, and starts serving it. Replaces an
   * earlier deployment of the same model.
   */
  public void deploy(Model model, DeploymentConfig config) {
    String id = ResourceNames.modelId("name", model.getName());
    String key = id + "@" + model.getUpdateTime().getSeconds() + "." + model.getUpdateTime().getNanos();
    BatchingConfig b = config.getBatching();
    BatchingOptions options = new BatchingOptions(b.getMaxBatchSize(), Protos.duration(b.getMaxBatchDelay()),
        b.getMaxQueuedImages());
    Deployment previous = deployed.get(id);
    if (previous != null) {
      undeploy(id);
    }
    Deployment pending = new Deployment(id, key, model, config, options, null, null);
    loading.put(key, pending);
    long start = System.nanoTime();
    try {
      cache.load(key);
      warmUp(key, model, options.maxBatchSize());
      ModelQueue<byte[], Scored> queue = scheduler.register(key, options, () -> runner(key, model));
      deployed.put(id, new Deployment(id, key, model, config, options, queue,
          new java.util.concurrent.atomic.AtomicInteger()));
    } catch (RuntimeException e) {
      cache.evict(key);
      throw e;
    }
    health.accept(model.getName(), true);
    log.info("Deployed {} on {} (batches up to {}, {} ms delay) in {} ms", model.getName(), config.getDevice(),
        options.maxBatchSize(), options.maxBatchDelay().toMillis(), (System.nanoTime() - start) / 1_000_000);
  }

  /** Stops serving a model: waiting requests fail, running batches finish, then the model is unloaded. */
  public void undeploy(String modelId) {
    Deployment d = deployed.remove(modelId);
    if (d == null) {
      return;
    }
    health.accept(d.model().getName(), false);
    try {
      scheduler.unregister(d.key()).get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("Batches of {} did not finish within 60 s: {}", d.model().getName(), e.toString());
    }
    cache.evict(d.key());
    loading.remove(d.key());
  }

  /** The serving deployment of {@code modelId}, or FAILED_PRECONDITION saying it is not deployed. */
  Deployment available(String modelId) {
    Deployment d = deployed.get(modelId);
    if (d == null) {
      if (!exists.test(modelId)) {
        throw ApiException.notFound("nimbus.dev/Model", ResourceNames.model(modelId), "model "
            + ResourceNames.model(modelId) + " does not exist");
      }
      throw ApiException.failedPrecondition("MODEL_NOT_DEPLOYED", "model " + ResourceNames.model(modelId)
          + " is not deployed; deploy it first (nimbus models deploy " + modelId + ")");
    }
    return d;
  }

  public boolean isDeployed(String modelId) {
    return deployed.containsKey(modelId);
  }

  /** Images waiting, per deployed model. */
  public Map<String, Integer> queueDepths() {
    Map<String, Integer> out = new LinkedHashMap<>();
    deployed.forEach((id, d) -> out.put(id, d.queue().queuedImages() + d.decoding().get()));
    return out;
  }

  private ServedModel load(String key) {
    Deployment d = loading.get(key);
    if (d == null) {
      throw new IllegalStateException("no deployment asked for " + key);
    }
    return new ServedModel(key, engine.load(files.savedModel(d.modelId()), d.config().getDevice()));
  }

  /** A batch of each size the batcher will form can cost a graph optimisation the first time: pay it now. */
  private void warmUp(String key, Model model, int maxBatch) {
    List<Integer> sizes = new ArrayList<>();
    for (int s = 1; s < maxBatch; s *= 2) {
      sizes.add(s);
    }
    sizes.add(maxBatch);
    int per = model.getInputSize() * model.getInputSize() * model.getInputChannels();
    try (ServedModel.Handle h = cache.acquire(key)) {
      for (int size : sizes) {
        h.runner().run(new ImageBatch(new byte[size * per], size, model.getInputSize(), model.getInputSize(),
            model.getInputChannels()));
      }
    }
  }

  /** The engine call of one batch thread for one model. */
  private BatchRunner<byte[], Scored> runner(String key, Model model) {
    int size = model.getInputSize();
    int channels = model.getInputChannels();
    int per = size * size * channels;
    return inputs -> {
      byte[] pixels = new byte[inputs.size() * per];
      for (int i = 0; i < inputs.size(); i++) {
        System.arraycopy(inputs.get(i), 0, pixels, i * per, per);
      }
      try (ServedModel.Handle h = cache.acquire(key)) {
        long start = System.nanoTime();
        float[][] scores = h.runner().run(new ImageBatch(pixels, inputs.size(), size, size, channels));
        long engine = System.nanoTime() - start;
        List<Scored> out = new ArrayList<>(scores.length);
        for (float[] s : scores) {
          out.add(new Scored(s, start, engine, inputs.size()));
        }
        return out;
      }
    };
  }

  @Override
  public void close() {
    for (String id : List.copyOf(deployed.keySet())) {
      undeploy(id);
    }
    cache.close();
  }
}
