package dev.nimbus.server.serving;

import com.google.rpc.Code;
import dev.nimbus.server.batching.BatchScheduler;
import dev.nimbus.server.batching.BatchingOptions;
import dev.nimbus.server.batching.Ticker;
import dev.nimbus.server.config.ServerConfig;
import dev.nimbus.server.engine.InferenceEngine;
import dev.nimbus.server.engine.ModelLoadException;
import dev.nimbus.server.engine.TensorFlowUnavailableException;
import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.error.ErrorStatus;
import dev.nimbus.server.metrics.ServerMetrics;
import dev.nimbus.server.model.ModelFiles;
import dev.nimbus.server.model.ModelStore;
import dev.nimbus.server.model.Models;
import dev.nimbus.server.util.Protos;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.v1.BatchingConfig;
import dev.nimbus.v1.DeploymentConfig;
import dev.nimbus.v1.Model;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry of deployed models: one {@link DeployedModel} per model id, loaded (and warmed up) before it is
 * registered, so a registered model always serves. At most {@code max-loaded-models} models, together at most
 * {@code max-loaded-model-bytes} on disk, are deployed at once; a deployment beyond that fails with
 * FAILED_PRECONDITION rather than evicting another model. Also owns bringing back, after a restart, the models
 * that were deployed.
 */
public final class Deployments implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Deployments.class);
  private static final Duration UNDEPLOY_WAIT = Duration.ofSeconds(60);

  private final ModelFiles files;
  private final ModelStore store;
  private final InferenceEngine engine;
  private final ServerConfig.Serving defaults;
  private final BatchScheduler scheduler;
  private final ServerMetrics metrics;
  private final BiConsumer<String, Boolean> health;
  private final DeploymentStates states;
  private final Ticker ticker;
  private final Map<String, DeployedModel> deployed = new ConcurrentHashMap<>();
  // Guarded by this.
  private Thread redeploying;
  private boolean closed;

  /**
   * @param health told (model name, serving?) whenever a model starts or stops serving
   * @param ticker the batch scheduler's, for the engine timings Predict reports
   */
  public Deployments(ModelFiles files, ModelStore store, InferenceEngine engine, ServerConfig.Serving defaults,
      BatchScheduler scheduler, ServerMetrics metrics, BiConsumer<String, Boolean> health, Clock clock, Ticker ticker) {
    this.ticker = ticker;
    this.files = files;
    this.store = store;
    this.engine = engine;
    this.defaults = defaults;
    this.scheduler = scheduler;
    this.metrics = metrics;
    this.health = health;
    this.states = new DeploymentStates(store, clock);
  }

  DeploymentStates states() {
    return states;
  }

  /** The deployment config with every default filled in from the server's, checked. */
  public DeploymentConfig resolve(DeploymentConfig requested) {
    String device;
    try {
      device = InferenceEngine.checkDevice(requested.getDevice().isBlank() ? defaults.device()
          : requested.getDevice());
    } catch (IllegalArgumentException e) {
      throw ApiException.invalidArgument("deployment_config.device", e.getMessage());
    }
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
   * earlier deployment of the same model. The health service reports it SERVING only once the caller has recorded
   * it AVAILABLE ({@link #reportServing}), so a health check that says SERVING and GetModel never disagree.
   */
  public void deploy(Model model, DeploymentConfig config) {
    deploy(model, config, true);
  }

  /**
   * @param withinLimits whether {@code max-loaded-models} and {@code max-loaded-model-bytes} apply: not to the
   *     models a restart brings back, which were deployed already (perhaps by a Nimbus without the limit)
   */
  private void deploy(Model model, DeploymentConfig config, boolean withinLimits) {
    ModelVersion version = ModelVersion.of(model);
    BatchingConfig b = config.getBatching();
    BatchingOptions options = new BatchingOptions(b.getMaxBatchSize(), Protos.duration(b.getMaxBatchDelay()),
        b.getMaxQueuedImages());
    undeploy(version.modelId());
    long start = ticker.nanos();
    InferenceEngine.LoadedModel loaded = load(version, config.getDevice());
    try {
      DeployedModel.warmUp(loaded, model, options.maxBatchSize());
      synchronized (this) {
        if (closed) {
          throw ApiException.of(Code.UNAVAILABLE, "SERVER_STOPPING", version.name() + " was not deployed: the"
              + " server is stopping");
        }
        if (withinLimits) {
          checkRoom(version, loaded.sizeBytes());
        }
        deployed.put(version.modelId(), new DeployedModel(version, model, config, options, loaded, scheduler,
            metrics, ticker));
      }
    } catch (RuntimeException | Error e) {
      loaded.close();
      throw e;
    }
    log.info("Deployed {} on {} (batches up to {}, {} ms delay) in {} ms", version, config.getDevice(),
        options.maxBatchSize(), options.maxBatchDelay().toMillis(), (ticker.nanos() - start) / 1_000_000);
  }

  private InferenceEngine.LoadedModel load(ModelVersion version, String device) {
    try {
      return engine.load(files.savedModel(version.modelId()), device);
    } catch (TensorFlowUnavailableException e) {
      throw ApiException.failedPrecondition("TENSORFLOW_UNAVAILABLE", "serving needs the TensorFlow native"
          + " libraries: " + e.getMessage());
    } catch (ModelLoadException e) {
      log.warn("Could not load {}", version, e);
      String why = e.reason() == ModelLoadException.Reason.NO_SUCH_GPU ? e.getMessage()
          : "TensorFlow could not load its SavedModel (the server log has the details)";
      throw ApiException.failedPrecondition(e.reason().name(), version.name() + " cannot be deployed: " + why);
    }
  }

  /** Refuses a deployment that would hold more models, or more bytes, than the server is configured for. */
  private void checkRoom(ModelVersion version, long bytes) {
    long others = 0;
    int count = 0;
    for (DeployedModel d : deployed.values()) {
      others += d.sizeBytes();
      count++;
    }
    if (count + 1 > defaults.maxLoadedModels() || others + bytes > defaults.maxLoadedModelBytes()) {
      throw ApiException.of(Code.FAILED_PRECONDITION, "TOO_MANY_DEPLOYED_MODELS", version.name() + " cannot be"
          + " deployed: " + count + " models (" + others / (1024 * 1024) + " MB) are deployed already and this one"
          + " has " + Math.max(1, bytes / (1024 * 1024)) + " MB; the server holds at most "
          + defaults.maxLoadedModels() + " models and " + defaults.maxLoadedModelBytes() / (1024 * 1024) + " MB"
          + " (max-loaded-models, max-loaded-model-bytes): undeploy one first");
    }
  }

  /**
   * Reports a deployed model SERVING on the health service (under its name), once it is recorded AVAILABLE; under
   * the registry's lock, so an undeploy in between is never followed by a stale SERVING.
   */
  synchronized void reportServing(String modelId) {
    DeployedModel d = deployed.get(modelId);
    if (d != null) {
      health.accept(d.version().name(), true);
    }
  }

  /** Stops serving a model: waiting requests fail, running batches finish, then the model is unloaded. */
  public void undeploy(String modelId) {
    DeployedModel d;
    synchronized (this) {
      d = deployed.remove(modelId);
      if (d == null) {
        return;
      }
      health.accept(d.version().name(), false);
    }
    try {
      d.undeploy().get(UNDEPLOY_WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.warn("Batches of {} did not finish within {} s: {}", d.version(), UNDEPLOY_WAIT.toSeconds(), e.toString());
    }
  }

  /** The serving deployment of {@code modelId}: NOT_FOUND for no such model, FAILED_PRECONDITION if not deployed. */
  DeployedModel available(String modelId) {
    DeployedModel d = deployed.get(modelId);
    if (d == null) {
      if (store.get(modelId).isEmpty()) {
        throw Models.notFound(modelId);
      }
      throw ApiException.failedPrecondition("MODEL_NOT_DEPLOYED", "model " + ResourceNames.model(modelId)
          + " is not deployed; deploy it first (nimbus models deploy " + modelId + ")");
    }
    return d;
  }

  /** Images waiting or being decoded, per deployed model. */
  public Map<String, Integer> queueDepths() {
    Map<String, Integer> out = new LinkedHashMap<>();
    deployed.forEach((id, d) -> out.put(id, d.pendingImages()));
    return out;
  }

  /**
   * Deploys again, in the background, the models that were AVAILABLE when the server stopped: each is LOADING until
   * it serves (so GetModel and Predict never disagree), then AVAILABLE, or DEPLOYMENT_FAILED with the reason.
   */
  public synchronized void redeployAfterRestart() {
    List<Model> available = store.list("", Integer.MAX_VALUE, null, null, Model.DeploymentState.AVAILABLE_VALUE);
    if (available.isEmpty()) {
      return;
    }
    for (Model m : available) {
      states.set(ResourceNames.modelId("name", m.getName()), Model.DeploymentState.LOADING, null, null);
    }
    redeploying = new Thread(() -> {
      for (Model m : available) {
        String id = ResourceNames.modelId("name", m.getName());
        try {
          if (!isClosed()) {
            deploy(m, m.getDeploymentConfig(), false);
            states.set(id, Model.DeploymentState.AVAILABLE, null, null);
            reportServing(id);
            continue;
          }
        } catch (RuntimeException | Error e) {
          if (!isClosed()) {
            states.set(id, Model.DeploymentState.DEPLOYMENT_FAILED, null,
                ErrorStatus.of(e, "deploying " + m.getName() + " again after a restart"));
            continue;
          }
        }
        // The server is stopping: recorded AVAILABLE again, so the next start brings it back.
        states.set(id, Model.DeploymentState.AVAILABLE, null, null);
      }
    }, "nimbus-redeploy");
    redeploying.setDaemon(true);
    redeploying.start();
  }

  private synchronized boolean isClosed() {
    return closed;
  }

  /**
   * Refuses further deployments, waits for the start-up redeployment (which stops after the model it is loading),
   * then undeploys every model (their queues fail what waits).
   */
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      closed = true;
      t = redeploying;
    }
    if (t != null) {
      boolean interrupted = false;
      while (t.isAlive()) {
        try {
          t.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    for (String id : List.copyOf(deployed.keySet())) {
      undeploy(id);
    }
  }
}
