package dev.nimbus.server;

import dev.nimbus.server.config.ServerConfig;
import dev.nimbus.server.dataset.DatasetStore;
import dev.nimbus.server.dataset.Datasets;
import dev.nimbus.server.dataset.DeleteDatasetHandler;
import dev.nimbus.server.dataset.ImportDataHandler;
import dev.nimbus.server.grpc.DatasetGrpcService;
import dev.nimbus.server.grpc.ModelGrpcService;
import dev.nimbus.server.grpc.OperationsGrpcService;
import dev.nimbus.server.grpc.PredictionGrpcService;
import dev.nimbus.server.grpc.interceptor.AccessLogInterceptor;
import dev.nimbus.server.grpc.interceptor.AuthInterceptor;
import dev.nimbus.server.grpc.interceptor.ConcurrencyLimitInterceptor;
import dev.nimbus.server.grpc.interceptor.StatusMappingInterceptor;
import dev.nimbus.server.batching.BatchListener;
import dev.nimbus.server.batching.BatchScheduler;
import dev.nimbus.server.batching.BatchingException;
import dev.nimbus.server.engine.BaseModels;
import dev.nimbus.server.engine.InferenceEngine;
import dev.nimbus.server.metrics.MetricsInterceptor;
import dev.nimbus.server.metrics.ServerMetrics;
import dev.nimbus.server.serving.BatchPredictHandler;
import dev.nimbus.server.serving.BatchPredictions;
import dev.nimbus.server.serving.DeployModelHandler;
import dev.nimbus.server.serving.Deployments;
import dev.nimbus.server.serving.ImagePreparer;
import dev.nimbus.server.serving.Predictions;
import dev.nimbus.server.serving.UndeployModelHandler;
import dev.nimbus.v1.Model;
import dev.nimbus.server.engine.EmbeddingCache;
import dev.nimbus.server.engine.TensorFlowTrainer;
import dev.nimbus.server.image.ImageInspector;
import dev.nimbus.server.model.DeleteModelHandler;
import dev.nimbus.server.model.ExportModelHandler;
import dev.nimbus.server.model.ModelFiles;
import dev.nimbus.server.model.ModelStore;
import dev.nimbus.server.model.Models;
import dev.nimbus.server.training.CreateModelHandler;
import dev.nimbus.server.training.ModelTrainer;
import dev.nimbus.server.image.ImageLimits;
import dev.nimbus.server.operation.OperationManager;
import dev.nimbus.server.storage.BlobStore;
import dev.nimbus.server.storage.DataDirectory;
import dev.nimbus.server.storage.Database;
import dev.nimbus.server.storage.Schema;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Nimbus server: storage, operations and gRPC services wired together. It takes a {@link ServerBuilder},
 * so tests hand it an in-process builder and production a Netty one ({@link #netty}). RPC handlers run on a
 * bounded pool of their own, never on Netty's event loops.
 */
public final class NimbusServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NimbusServer.class);

  private final ServerConfig config;
  private final DataDirectory dataDir;
  private final Database db;
  private final OperationManager operations;
  private final ExecutorService handlerPool;
  private final ExecutorService importPool;
  private final ScheduledExecutorService scheduler;
  private final HealthStatusManager health = new HealthStatusManager();
  private final Server server;
  private final DatasetStore datasetStore;
  private final BlobStore blobs;
  private final ModelFiles modelFiles;
  private final ServerMetrics metrics;
  private final BatchScheduler batches;
  private final Deployments deployments;
  private final ModelStore modelStore;
  private final ExecutorService decodePool;
  private final ImagePreparer preparer;
  private volatile int metricsPort = -1;
  private final long startMillis;
  private volatile boolean stopped;

  public NimbusServer(ServerConfig config, ServerBuilder<?> builder, Clock clock) {
    this(config, builder, clock, null);
  }

  /** @param trainer the training engine; null: TensorFlow (tests pass their own) */
  public NimbusServer(ServerConfig config, ServerBuilder<?> builder, Clock clock, ModelTrainer trainer) {
    this.startMillis = System.currentTimeMillis();
    this.config = config;
    this.dataDir = DataDirectory.open(config.dataDir());
    Database database = null;
    try {
      database = Database.open(dataDir.database(), Schema.MIGRATIONS);
    } catch (RuntimeException e) {
      dataDir.close();
      throw e;
    }
    this.db = database;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(threads("nimbus-scheduler"));
    this.handlerPool = new ThreadPoolExecutor(config.threads().handlerThreads(), config.threads().handlerThreads(),
        60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), threads("nimbus-handler"));
    this.importPool = new ThreadPoolExecutor(config.threads().importThreads(), config.threads().importThreads(),
        60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), threads("nimbus-import"));
    this.blobs = new BlobStore(dataDir.blobs());
    this.datasetStore = new DatasetStore(db);
    this.operations = new OperationManager(db, clock, config.threads().concurrentOperations(), scheduler);
    ImageInspector inspector = new ImageInspector(new ImageLimits(config.limits().maxImageBytes(),
        config.limits().maxImagePixels(), config.limits().maxImageSide()));
    operations.register(new ImportDataHandler(datasetStore, blobs, inspector, config, importPool, clock));
    operations.register(new DeleteDatasetHandler(datasetStore, blobs, operations));
    Datasets datasets = new Datasets(datasetStore, blobs, operations, config, dataDir.imports(), clock);

    this.modelFiles = new ModelFiles(dataDir.root().resolve("models"));
    ModelStore modelStore = new ModelStore(db);
    ModelTrainer modelTrainer = trainer != null ? trainer : new TensorFlowTrainer(
        new BaseModels(dataDir.root().resolve("backbones")), new EmbeddingCache(db));
    operations.register(new CreateModelHandler(modelStore, datasetStore, modelFiles, blobs, modelTrainer, clock));
    operations.register(new DeleteModelHandler(modelStore, modelFiles, operations));
    operations.register(new ExportModelHandler(modelStore, modelFiles));
    this.metrics = new ServerMetrics(this::queueDepths);
    this.batches = BatchScheduler.builder()
        .batchThreads(config.serving().batchThreads())
        // Responses are built and sent on the handler pool, so batch threads go straight back to the engine.
        .completionExecutor(handlerPool)
        .listener(new BatchListener() {
          @Override
          public void onBatch(BatchRun run) {
            metrics.batch(modelOf(run.modelKey()), run.size());
          }

          @Override
          public void onRejected(String modelKey, int images, BatchingException.Kind kind) {
            metrics.refused(modelOf(modelKey), kind.name(), images);
          }

          @Override
          public void onDropped(String modelKey, int images, BatchingException.Kind kind) {
            metrics.refused(modelOf(modelKey), kind.name(), images);
          }
        })
        .build();
    this.deployments = new Deployments(modelFiles, new InferenceEngine(), config.serving(), batches,
        (name, serving) -> health.setStatus(name, serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING),
        id -> modelStore.get(id).isPresent());
    this.modelStore = modelStore;
    this.decodePool = new ThreadPoolExecutor(config.serving().decodeThreads(), config.serving().decodeThreads(),
        60, TimeUnit.SECONDS, new java.util.concurrent.ArrayBlockingQueue<>(4096), threads("nimbus-decode"));
    this.preparer = new ImagePreparer(inspector, datasets, blobs, config.serving().decodeThreads());
    Predictions predictions = new Predictions(deployments, preparer, decodePool, metrics,
        config.serving().maxImagesPerRequest(), config.serving().resultCacheSize());
    BatchPredictions batchPredictions = new BatchPredictions(deployments, datasets, operations, config);
    operations.register(new DeployModelHandler(modelStore, deployments, clock));
    operations.register(new UndeployModelHandler(modelStore, deployments, clock));
    operations.register(new BatchPredictHandler(deployments, preparer, datasets, datasetStore, blobs, modelStore,
        config));
    Models models = new Models(modelStore, datasetStore, operations, modelTrainer, config, clock,
        deployments::resolve);

    List<ServerInterceptor> interceptors = new ArrayList<>();
    // ServerInterceptors.intercept applies the last one first: access log, limit, auth, then status mapping.
    interceptors.add(new StatusMappingInterceptor());
    if (!config.apiKeys().isEmpty()) {
      interceptors.add(new AuthInterceptor(config.apiKeys()));
    }
    interceptors.add(new ConcurrencyLimitInterceptor(config.limits().maxConcurrentCalls()));
    interceptors.add(new MetricsInterceptor(metrics));
    interceptors.add(new AccessLogInterceptor());
    List<BindableService> services = List.of(new DatasetGrpcService(datasets), new ModelGrpcService(models),
        new PredictionGrpcService(predictions, batchPredictions), new OperationsGrpcService(operations));
    for (BindableService s : services) {
      ServerServiceDefinition def = s.bindService();
      builder.addService(ServerInterceptors.intercept(def, interceptors));
      health.setStatus(def.getServiceDescriptor().getName(), ServingStatus.NOT_SERVING);
    }
    builder.addService(health.getHealthService());
    builder.addService(ProtoReflectionServiceV1.newInstance());
    builder.addService(legacyReflection());
    builder.executor(handlerPool);
    builder.maxInboundMessageSize(config.limits().maxMessageBytes());
    this.server = builder.build();
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.NOT_SERVING);
  }

  /** The v1alpha reflection service, which older grpcurl and other generic clients still ask for. */
  @SuppressWarnings("deprecation")
  private static BindableService legacyReflection() {
    return io.grpc.protobuf.services.ProtoReflectionService.newInstance();
  }

  /** A Netty server on {@code config.host():config.port()}, with TLS when configured. */
  public static NimbusServer netty(ServerConfig config, Clock clock) {
    NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.port()))
        .permitKeepAliveTime(10, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true)
        .maxConnectionIdle(30, TimeUnit.MINUTES);
    config.tls().ifPresent(tls -> b.useTransportSecurity(tls.certChain().toFile(), tls.privateKey().toFile()));
    return new NimbusServer(config, b, clock);
  }

  /** Recovers interrupted operations, starts serving, and reports SERVING on the health service. */
  public NimbusServer start() throws IOException {
    modelFiles.sweepWorkDirs(); // before recover(): a resumed training makes a new one
    operations.recover();
    cleanUpSnapshots();
    server.start();
    if (config.serving().metricsPort().isPresent()) {
      metricsPort = metrics.serve(config.serving().metricsPort().get());
    }
    redeploy();
    for (ServerServiceDefinition def : server.getServices()) {
      health.setStatus(def.getServiceDescriptor().getName(), ServingStatus.SERVING);
    }
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
    // Blobs a crash left between their write and their commit; in the background so start-up stays fast.
    long sweepBefore = startMillis;
    scheduler.execute(() -> {
      int n = blobs.sweep(sweepBefore, datasetStore::isReferenced);
      if (n > 0) {
        log.info("Removed {} unreferenced blobs left by an interrupted import", n);
      }
    });
    log.info("Nimbus serving on {} (data in {}, started in {} ms)", server.getListenSockets(), dataDir.root(),
        System.currentTimeMillis() - startMillis);
    return this;
  }

  /**
   * Loads, in the background, the models that were AVAILABLE when the server stopped; each reports SERVING on the
   * health service (under its name) once it is loaded again. One that cannot be loaded becomes DEPLOYMENT_FAILED.
   */
  private void redeploy() {
    List<Model> available = modelStore.list("", Integer.MAX_VALUE, null, null,
        Model.DeploymentState.AVAILABLE_VALUE);
    if (available.isEmpty()) {
      return;
    }
    // Until each is loaded again, it is LOADING, not AVAILABLE: GetModel and Predict must not disagree.
    for (Model m : available) {
      setDeploymentState(m.getName(), Model.DeploymentState.LOADING, null);
    }
    Thread t = new Thread(() -> {
      for (Model m : available) {
        try {
          deployments.deploy(m, m.getDeploymentConfig());
          setDeploymentState(m.getName(), Model.DeploymentState.AVAILABLE, null);
        } catch (RuntimeException e) {
          log.error("Could not deploy {} again after the restart", m.getName(), e);
          setDeploymentState(m.getName(), Model.DeploymentState.DEPLOYMENT_FAILED,
              dev.nimbus.server.error.ErrorStatus.of(e, "deploying " + m.getName() + " again"));
        }
      }
    }, "nimbus-redeploy");
    t.setDaemon(true);
    t.start();
  }

  private void setDeploymentState(String name, Model.DeploymentState state, com.google.rpc.Status error) {
    String id = name.substring("models/".length());
    db.write(c -> {
      modelStore.get(c, id).ifPresent(now -> {
        Model.Builder b = now.toBuilder().setDeploymentState(state);
        if (error != null) {
          b.setDeploymentError(error);
        }
        try {
          modelStore.update(c, id, b.build(), System.currentTimeMillis());
        } catch (java.sql.SQLException x) {
          throw new dev.nimbus.server.storage.StorageException(x.getMessage(), x);
        }
      });
      return null;
    });
  }

  /** The port of the Prometheus endpoint, or -1 when it is off. */
  public int metricsPort() {
    return metricsPort;
  }

  private java.util.Map<String, Integer> queueDepths() {
    Deployments d = deployments;
    return d == null ? java.util.Map.of() : d.queueDepths();
  }

  private static String modelOf(String modelKey) {
    int at = modelKey.indexOf('@');
    return at < 0 ? modelKey : modelKey.substring(0, at);
  }

  /** The port the server listens on (useful with port 0). */
  public int port() {
    return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
  }

  public ServerConfig config() {
    return config;
  }

  public Path dataDir() {
    return dataDir.root();
  }

  public void blockUntilShutdown() throws InterruptedException {
    server.awaitTermination();
  }

  /**
   * Stops gracefully: reports NOT_SERVING, stops taking calls, lets running calls finish (10 s), pauses
   * operations at a safe point (they resume at the next start), and closes storage.
   */
  @Override
  public synchronized void close() {
    if (stopped) {
      return;
    }
    stopped = true;
    health.enterTerminalState();
    server.shutdown();
    try {
      if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
    operations.close();
    deployments.close();
    batches.close();
    decodePool.shutdownNow();
    preparer.close();
    metrics.close();
    importPool.shutdownNow();
    handlerPool.shutdownNow();
    scheduler.shutdownNow();
    db.close();
    dataDir.close();
    log.info("Nimbus stopped");
  }

  /** Deletes CSV snapshots that no running import refers to. */
  private void cleanUpSnapshots() {
    Set<String> inUse = new java.util.HashSet<>();
    for (var r : operations.operations().running()) {
      if (r.spec() == null) {
        continue;
      }
      try {
        if (r.metadata().getKind() == dev.nimbus.v1.OperationMetadata.Kind.IMPORT_DATA) {
          inUse.add(dev.nimbus.v1.ImportDataRequest.parseFrom(r.spec()).getInputConfig().getCsvUri());
        } else if (r.metadata().getKind() == dev.nimbus.v1.OperationMetadata.Kind.BATCH_PREDICT) {
          inUse.add(dev.nimbus.v1.BatchPredictRequest.parseFrom(r.spec()).getInputConfig().getCsv().getCsvUri());
        }
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        log.warn("Operation {} has an unreadable spec", r.id());
      }
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dataDir.imports())) {
      for (Path p : ds) {
        if (!inUse.contains(p.toString()) && Files.getLastModifiedTime(p).toMillis() < startMillis) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      log.warn("Could not clean up import snapshots: {}", e.getMessage());
    }
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
