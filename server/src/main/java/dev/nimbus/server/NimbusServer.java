package dev.nimbus.server;

import dev.nimbus.server.batching.BatchScheduler;
import dev.nimbus.server.batching.Ticker;
import dev.nimbus.server.config.ServerConfig;
import dev.nimbus.server.dataset.CsvSnapshots;
import dev.nimbus.server.dataset.DatasetStore;
import dev.nimbus.server.dataset.Datasets;
import dev.nimbus.server.dataset.DeleteDatasetHandler;
import dev.nimbus.server.dataset.ExportDataHandler;
import dev.nimbus.server.dataset.ImportDataHandler;
import dev.nimbus.server.dataset.Thumbnails;
import dev.nimbus.server.dataset.Uploads;
import dev.nimbus.server.engine.InferenceEngine;
import dev.nimbus.server.grpc.DatasetGrpcService;
import dev.nimbus.server.grpc.ModelGrpcService;
import dev.nimbus.server.grpc.OperationsGrpcService;
import dev.nimbus.server.grpc.PredictionGrpcService;
import dev.nimbus.server.grpc.UnservedMethods;
import dev.nimbus.server.grpc.automl.AutoMlPredictionService;
import dev.nimbus.server.grpc.automl.AutoMlService;
import dev.nimbus.server.grpc.interceptor.AccessLogInterceptor;
import dev.nimbus.server.grpc.interceptor.AuthInterceptor;
import dev.nimbus.server.grpc.interceptor.ConcurrencyLimitInterceptor;
import dev.nimbus.server.grpc.interceptor.MetricsInterceptor;
import dev.nimbus.server.grpc.interceptor.StatusMappingInterceptor;
import dev.nimbus.server.http.HttpGateway;
import dev.nimbus.server.image.ImageInspector;
import dev.nimbus.server.image.ImageLimits;
import dev.nimbus.server.metrics.ServerMetrics;
import dev.nimbus.server.model.CreateModelHandler;
import dev.nimbus.server.model.DeleteModelHandler;
import dev.nimbus.server.model.EmbeddingStore;
import dev.nimbus.server.model.ExportModelHandler;
import dev.nimbus.server.model.ModelFiles;
import dev.nimbus.server.model.ModelStore;
import dev.nimbus.server.model.Models;
import dev.nimbus.server.operation.OperationManager;
import dev.nimbus.server.serving.BatchPredictHandler;
import dev.nimbus.server.serving.BatchPredictions;
import dev.nimbus.server.serving.DeployModelHandler;
import dev.nimbus.server.serving.DeploymentRequests;
import dev.nimbus.server.serving.Deployments;
import dev.nimbus.server.serving.ImagePreparer;
import dev.nimbus.server.serving.Predictions;
import dev.nimbus.server.serving.UndeployModelHandler;
import dev.nimbus.server.storage.BlobStore;
import dev.nimbus.server.storage.BucketMapping;
import dev.nimbus.server.storage.DataDirectory;
import dev.nimbus.server.storage.Database;
import dev.nimbus.server.storage.FolderBuckets;
import dev.nimbus.server.storage.Schema;
import dev.nimbus.server.training.BaseModels;
import dev.nimbus.server.training.ClassifierTrainer;
import dev.nimbus.server.training.TensorFlowTrainer;
import dev.nimbus.server.util.DaemonThreads;
import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Nimbus server: the composition root. The constructor only wires objects (no file, socket or database is
 * touched, no thread started); {@link #start()} opens the data directory, the database and the port, in that order,
 * and has each manager do its own start-up work (resume operations, sweep leftovers, redeploy models); if any step
 * fails it closes, in reverse order, everything it had opened. {@link #close()} drains calls, pauses operations at
 * a checkpoint, unloads models and joins every thread the server started.
 *
 * <p>It takes a {@link ServerBuilder}, so tests hand it an in-process builder and production a Netty one
 * ({@link #netty}). RPC handlers run on a bounded pool of their own, never on Netty's event loops.
 */
public final class NimbusServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NimbusServer.class);
  private static final long DRAIN_SECONDS = 10;

  private final ServerConfig config;
  private final Clock clock;
  private final DataDirectory dataDir;
  private final Database db;
  private final BlobStore blobs;
  private final ModelFiles modelFiles;
  private final ExecutorService handlerPool;
  private final ExecutorService importPool;
  private final ExecutorService transcodePool;
  private final ScheduledExecutorService background;
  private final OperationManager operations;
  private final Datasets datasets;
  private final Uploads uploads;
  private final ServerMetrics metrics;
  private final BatchScheduler batches;
  private final ImagePreparer preparer;
  private final Deployments deployments;
  private final HealthStatusManager health = new HealthStatusManager();
  private final Server server;
  /** The HTTP port (console, REST); null when off or when the server is built on an in-process transport. */
  private final HttpGateway http;
  private final Server httpImages;
  private final ManagedChannel httpImagesChannel;
  private final ScheduledExecutorService httpPool;
  /** The Netty event loops of the gRPC port, when this server made them ({@link #netty}). */
  private final List<EventLoopGroup> transportGroups = new ArrayList<>();
  /** What start() opened, most recent first: close() and a failed start() undo it in this order. */
  private final Deque<Step> opened = new ArrayDeque<>();
  private volatile int metricsPort = -1;
  private boolean started;
  private boolean closed;

  /** Something start() opened, and how to undo it. */
  @FunctionalInterface
  private interface Step {
    void close() throws Exception;
  }

  public NimbusServer(ServerConfig config, ServerBuilder<?> builder, Clock clock) {
    this(config, builder, clock, null);
  }

  /** @param trainer the training engine; null: TensorFlow (tests may pass their own) */
  public NimbusServer(ServerConfig config, ServerBuilder<?> builder, Clock clock, ClassifierTrainer trainer) {
    this(config, builder, clock, trainer, false);
  }

  /** @param serveHttp whether to open the HTTP port too (config http-port; -1 keeps it off anyway) */
  private NimbusServer(ServerConfig config, ServerBuilder<?> builder, Clock clock, ClassifierTrainer trainer,
      boolean serveHttp) {
    this.config = config;
    this.clock = clock;
    // A scheduler with batch threads waits in real time, so the one ticker of the server is the system's.
    Ticker ticker = Ticker.system();
    this.dataDir = new DataDirectory(config.dataDir());
    this.db = new Database(dataDir.database(), Schema.MIGRATIONS);
    this.blobs = new BlobStore(dataDir.blobs());
    this.modelFiles = new ModelFiles(dataDir.models());
    ServerConfig.Threads threads = config.threads();
    this.background = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("nimbus-background"));
    this.handlerPool = new ThreadPoolExecutor(threads.handlerThreads(), threads.handlerThreads(), 60,
        TimeUnit.SECONDS, new LinkedBlockingQueue<>(), DaemonThreads.named("nimbus-handler"));
    this.importPool = new ThreadPoolExecutor(threads.importThreads(), threads.importThreads(), 60, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), DaemonThreads.named("nimbus-import"));
    // WebP and TIFF transcoding for Predict; bounded, so a flood of them is refused (RESOURCE_EXHAUSTED).
    int decodeThreads = config.serving().decodeThreads();
    this.transcodePool = new ThreadPoolExecutor(decodeThreads, decodeThreads, 60, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(4096), DaemonThreads.named("nimbus-transcode"));
    this.operations = new OperationManager(db, clock, threads.concurrentOperations(), background);

    // Datasets and imports.
    ImageInspector inspector = new ImageInspector(new ImageLimits(config.limits().maxImageBytes(),
        config.limits().maxImagePixels(), config.limits().maxImageSide()));
    DatasetStore datasetStore = new DatasetStore(db);
    this.uploads = new Uploads(dataDir.uploads(), blobs, config.limits().maxImageBytes(), clock);
    // gs:// URIs go through this one mapping: imports, batch prediction inputs, export and prediction outputs.
    BucketMapping buckets = new FolderBuckets(config.gcsBuckets());
    CsvSnapshots snapshots = new CsvSnapshots(config, dataDir.imports(), uploads, buckets);
    Thumbnails thumbnails = new Thumbnails(dataDir.thumbnails(), blobs, threads.importDecoders());
    this.datasets = new Datasets(datasetStore, blobs, operations, config, snapshots, uploads, thumbnails, buckets, clock);
    operations.register(new ImportDataHandler(datasetStore, blobs, snapshots, inspector, config, importPool, clock));
    operations.register(new DeleteDatasetHandler(datasetStore, blobs, thumbnails, operations));
    operations.register(new ExportDataHandler(datasetStore, blobs, buckets));

    // Models: training, evaluation, export.
    ModelStore modelStore = new ModelStore(db);
    ClassifierTrainer classifierTrainer = trainer != null ? trainer
        : new TensorFlowTrainer(new BaseModels(dataDir.backbones()), new EmbeddingStore(db),
            config.serving().maxBatchSize());
    Models models = new Models(modelStore, datasetStore, operations, classifierTrainer, config, buckets, clock);
    operations.register(new CreateModelHandler(modelStore, datasetStore, modelFiles, blobs, classifierTrainer,
        clock));
    operations.register(new DeleteModelHandler(modelStore, modelFiles, operations));
    operations.register(new ExportModelHandler(modelStore, modelFiles, buckets));

    // Serving: deployments, the batcher, Predict and BatchPredict.
    this.metrics = new ServerMetrics(this::queueDepths);
    this.batches = BatchScheduler.builder()
        .batchThreads(config.serving().batchThreads())
        .ticker(ticker)
        // Responses are built and sent on the handler pool, so batch threads go straight back to the engine.
        .completionExecutor(handlerPool)
        .build();
    this.deployments = new Deployments(modelFiles, modelStore, new InferenceEngine(), config.serving(), batches,
        metrics, (name, serving) -> health.setStatus(name, serving ? ServingStatus.SERVING
            : ServingStatus.NOT_SERVING), clock, ticker);
    this.preparer = new ImagePreparer(inspector, datasets, blobs, decodeThreads);
    Predictions predictions = new Predictions(deployments, preparer, transcodePool, metrics, ticker,
        config.serving().maxImagesPerRequest(), config.serving().resultCacheSize());
    BatchPredictions batchPredictions = new BatchPredictions(deployments, datasets, operations, config, buckets);
    operations.register(new DeployModelHandler(modelStore, deployments));
    operations.register(new UndeployModelHandler(modelStore, deployments));
    operations.register(new BatchPredictHandler(deployments, preparer, datasets, db, ticker, buckets));

    // The gRPC surface.
    List<ServerInterceptor> interceptors = new ArrayList<>();
    // ServerInterceptors.intercept applies the last one first: access log, metrics, limit, auth, status mapping.
    interceptors.add(new StatusMappingInterceptor());
    if (!config.apiKeys().isEmpty()) {
      interceptors.add(new AuthInterceptor(config.apiKeys(), AutoMlService.READ_ONLY));
    }
    interceptors.add(new ConcurrencyLimitInterceptor(config.limits().maxConcurrentCalls()));
    interceptors.add(new MetricsInterceptor(metrics, ticker));
    interceptors.add(new AccessLogInterceptor(ticker));
    DeploymentRequests deploymentRequests = new DeploymentRequests(modelStore, deployments, operations);
    List<BindableService> services = List.of(new DatasetGrpcService(datasets),
        new ModelGrpcService(models, deploymentRequests),
        new PredictionGrpcService(predictions, batchPredictions),
        new OperationsGrpcService(operations, List.of(AutoMlService.operations(datasets))),
        // Cloud AutoML's API, over the same domain managers.
        new AutoMlService(datasets, models, deploymentRequests, clock),
        new AutoMlPredictionService(predictions, batchPredictions, models, clock));
    List<ServerServiceDefinition> intercepted = new ArrayList<>();
    for (BindableService s : services) {
      ServerServiceDefinition def = ServerInterceptors.intercept(s.bindService(), interceptors);
      intercepted.add(def);
      builder.addService(def);
      health.setStatus(def.getServiceDescriptor().getName(), ServingStatus.NOT_SERVING);
    }
    builder.fallbackHandlerRegistry(new UnservedMethods(intercepted.stream()
        .map(d -> d.getServiceDescriptor().getName()).toList()));
    builder.addService(health.getHealthService());
    builder.addService(ProtoReflectionServiceV1.newInstance());
    builder.addService(legacyReflection());
    builder.executor(handlerPool);
    builder.maxInboundMessageSize(config.limits().maxMessageBytes());
    this.server = builder.build();
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.NOT_SERVING);

    // The HTTP port: the same intercepted services, transcoded; the image route calls them in-process.
    if (serveHttp && config.httpPort() >= 0) {
      String name = "nimbus-http-" + UUID.randomUUID();
      InProcessServerBuilder images = InProcessServerBuilder.forName(name).executor(handlerPool);
      intercepted.forEach(images::addService);
      this.httpImages = images.build();
      this.httpPool = Executors.newScheduledThreadPool(threads.handlerThreads(), DaemonThreads.named("nimbus-http"));
      this.httpImagesChannel = InProcessChannelBuilder.forName(name).directExecutor().build();
      this.http = new HttpGateway(config, intercepted, httpImagesChannel, httpPool);
    } else {
      this.httpImagesChannel = null;
      this.httpImages = null;
      this.httpPool = null;
      this.http = null;
    }
  }

  /** The v1alpha reflection service, which older grpcurl and other generic clients still ask for. */
  @SuppressWarnings("deprecation")
  private static BindableService legacyReflection() {
    return ProtoReflectionService.newInstance();
  }

  /** A Netty server on {@code config.host():config.port()}, with TLS when configured. */
  public static NimbusServer netty(ServerConfig config, Clock clock) {
    NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.port()))
        .permitKeepAliveTime(10, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true)
        .maxConnectionIdle(30, TimeUnit.MINUTES);
    config.tls().ifPresent(tls -> b.useTransportSecurity(tls.certChain().toFile(), tls.privateKey().toFile()));
    // NIO, explicitly: grpc-netty switches to Netty's native epoll transport when its jar is on the class path, and
    // Armeria (the HTTP port) brings it; measured on this workload, epoll served up to a third fewer images per
    // second at 8 and 32 clients than NIO (bench/results/http-port.md).
    EventLoopGroup boss = new NioEventLoopGroup(1, DaemonThreads.named("nimbus-grpc-accept"));
    EventLoopGroup workers = new NioEventLoopGroup(0, DaemonThreads.named("nimbus-grpc-io"));
    b.channelType(NioServerSocketChannel.class).bossEventLoopGroup(boss).workerEventLoopGroup(workers);
    NimbusServer server = new NimbusServer(config, b, clock, null, true);
    server.transportGroups.addAll(List.of(boss, workers));
    return server;
  }

  /**
   * Opens storage, resumes interrupted operations, cleans up what a crash left, starts serving, redeploys the
   * models that were deployed, and reports SERVING on the health service. On failure, whatever was opened is
   * closed again and the failure is thrown.
   */
  public synchronized NimbusServer start() throws IOException {
    if (started || closed) {
      throw new IllegalStateException(closed ? "the server is closed" : "the server is started already");
    }
    started = true;
    long startedAt = clock.millis();
    try {
      opened.push(this::stopTransportGroups); // undone last: the server's channels run on them
      dataDir.lock();
      opened.push(dataDir::close);
      db.open();
      opened.push(db::close);
      blobs.open();
      uploads.open();
      modelFiles.open(); // before operations resume: a resumed training makes a new work folder
      opened.push(this::stopPools);
      opened.push(preparer::close);
      opened.push(batches::close);
      opened.push(deployments::close);
      opened.push(operations::close); // before recover(): what it resumes must be stopped if a later step fails
      operations.recover();
      datasets.cleanUpAfterRestart(operations.operations().running(), startedAt, background);
      background.scheduleWithFixedDelay(uploads::sweep, 1, 1, TimeUnit.HOURS);
      if (config.serving().metricsPort().isPresent()) {
        metricsPort = metrics.serve(config.serving().metricsPort().get());
      }
      opened.push(metrics::close);
      server.start();
      opened.push(this::drain);
      if (http != null) {
        httpImages.start();
        opened.push(this::stopHttpImages);
        http.start();
        opened.push(http::close);
      }
      deployments.redeployAfterRestart();
    } catch (IOException | RuntimeException | Error e) {
      closeOpened(e);
      throw e;
    }
    for (ServerServiceDefinition def : server.getServices()) {
      health.setStatus(def.getServiceDescriptor().getName(), ServingStatus.SERVING);
    }
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
    log.info("Nimbus serving on {} (data in {}, started in {} ms)", server.getListenSockets(), dataDir.root(),
        clock.millis() - startedAt);
    return this;
  }

  /** The HTTP port (console and REST API), or -1 when it is off. */
  public int httpPort() {
    return http == null ? -1 : http.port();
  }

  /** The port of the Prometheus endpoint, or -1 when it is off. */
  public int metricsPort() {
    return metricsPort;
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
   * Stops gracefully: reports NOT_SERVING, stops taking calls and lets running ones finish (10 s), pauses
   * operations at a safe point (they resume at the next start), unloads models, stops every thread the server
   * started, and closes storage. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    health.enterTerminalState();
    closeOpened(null);
    log.info("Nimbus stopped");
  }

  /** Undoes what start() opened, most recent first; failures are logged (or added to {@code cause}) and skipped. */
  private void closeOpened(Throwable cause) {
    while (!opened.isEmpty()) {
      try {
        opened.pop().close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception | Error e) {
        if (cause != null) {
          cause.addSuppressed(e);
        } else {
          log.warn("Stopping part of the server failed", e);
        }
      }
    }
  }

  /** Stops taking calls and waits for running ones, then cuts what is left. */
  private void drain() throws InterruptedException {
    server.shutdown();
    if (!server.awaitTermination(DRAIN_SECONDS, TimeUnit.SECONDS)) {
      server.shutdownNow();
      server.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private void stopTransportGroups() {
    for (EventLoopGroup g : transportGroups) {
      g.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private void stopHttpImages() throws InterruptedException {
    httpImagesChannel.shutdownNow();
    httpImages.shutdown();
    if (!httpImages.awaitTermination(5, TimeUnit.SECONDS)) {
      httpImages.shutdownNow();
    }
  }

  private void stopPools() throws InterruptedException {
    List<ExecutorService> pools = new ArrayList<>(List.of(transcodePool, importPool, handlerPool, background));
    if (httpPool != null) {
      pools.add(httpPool);
    }
    for (ExecutorService pool : pools) {
      pool.shutdownNow();
    }
    for (ExecutorService pool : pools) {
      if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("A thread pool did not stop within 10 s");
      }
    }
  }

  private Map<String, Integer> queueDepths() {
    return deployments.queueDepths();
  }

}
