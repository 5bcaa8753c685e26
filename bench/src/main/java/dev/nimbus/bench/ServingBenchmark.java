package dev.nimbus.bench;

import dev.nimbus.bench.ServingReport.ConfigurationResult;
import dev.nimbus.v1.BatchingConfig;
import dev.nimbus.v1.DeploymentConfig;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.PredictResponse;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The serving benchmark: against servers someone else started, for one deployed model, runs closed loops (C =
 * 1, 8, 32 clients by default) and open loops at a list of rates, reads the server's batch-size histogram around
 * each measured window, and writes {@code serving.json} + {@code serving.md} with every configuration side by side.
 * It starts and stops no server.
 *
 * <p>From Java (a benchmark main that starts the servers itself):
 *
 * <pre>{@code
 * ServingBenchmark bench = new ServingBenchmark(ServingBenchmark.Plan.defaults().withRates(20, 50, 100));
 * List<ConfigurationResult> results = new ArrayList<>();
 * for (var cfg : List.of(batchingOn, batchingOff)) {
 *   try (var server = startServer(cfg)) {
 *     results.add(bench.run(new ServingBenchmark.Target(cfg.label(), "localhost:" + server.port(), "models/flowers",
 *         "http://localhost:" + server.metricsPort() + "/metrics", cfg.settings())));
 *   }
 * }
 * bench.report(results, engineAloneResults, "notes...").write(Path.of("bench/results"));
 * }</pre>
 *
 * Or, with both servers up at once, {@link #run(List)} interleaves them scenario by scenario (A then B at C=1, A
 * then B at C=8, ...), so drift on a shared machine hits both alike. From the command line, one configuration per
 * call, {@code --append true} merging into an existing serving.json: see {@link #main}.
 *
 * <p>A target is a gRPC {@code host:port}, or the HTTP port's {@code http://host:port}, whose REST/JSON API is then
 * measured with the same scenarios, payload and generator code ({@link RestTransport}).
 */
public final class ServingBenchmark {

  /**
   * What to run; also written into the report. With {@code rates} empty, the open-loop rates are {@code
   * autoRateFactors} times the best closed-loop requests/s of the first configuration run, and then kept for the
   * others (so rows line up).
   *
   * @param clients closed-loop client counts
   * @param rates open-loop rates, calls/s
   * @param autoRateFactors see above
   * @param arrivals {@code POISSON} or {@code UNIFORM}
   * @param warmupSeconds per scenario, before the window
   * @param durationSeconds the measured window per scenario
   * @param deadlineMs per call
   * @param payload {@code JPEG} (encoded) or {@code RAW} (pre-decoded pixels)
   * @param minImages images per request, fewest
   * @param maxImages images per request, most (spread evenly)
   * @param imageSide generated JPEG side or raw side; 0: the model's input size (224 for JPEGs if unknown)
   * @param imageDir JPEG files to send instead of generated ones, or null
   * @param includeTimings ask for per-stage timings in responses
   * @param connections per configuration: gRPC channels (an HTTP/2 connection each), or REST HttpClients
   * @param eventLoopThreads the generator's Netty threads
   * @param pauseSeconds idle time between scenarios (lets the server's queues drain)
   * @param metric the batch-size histogram's name
   * @param seed arrivals and images
   * @param distinctImages different images cycled through (generated or read from imageDir)
   */
  public record Plan(List<Integer> clients, List<Double> rates, List<Double> autoRateFactors, String arrivals,
      double warmupSeconds, double durationSeconds, long deadlineMs, String payload, int minImages, int maxImages,
      int imageSide, String imageDir, boolean includeTimings, int connections, int eventLoopThreads,
      double pauseSeconds, String metric, long seed, int distinctImages) {

    public static Plan defaults() {
      return new Plan(List.of(1, 8, 32), List.of(), List.of(0.5, 0.8, 1.0, 1.5), "POISSON", 5, 20, 10_000, "JPEG",
          1, 1, 0, null, false, 1, 1, 2, PrometheusHistogram.BATCH_SIZE_METRIC, 1, 64);
    }

    public Plan withClients(Integer... c) {
      return new Plan(List.of(c), rates, autoRateFactors, arrivals, warmupSeconds, durationSeconds, deadlineMs,
          payload, minImages, maxImages, imageSide, imageDir, includeTimings, connections, eventLoopThreads,
          pauseSeconds, metric, seed, distinctImages);
    }

    public Plan withRates(Double... r) {
      return withRates(List.of(r));
    }

    public Plan withRates(List<Double> r) {
      return new Plan(clients, List.copyOf(r), autoRateFactors, arrivals, warmupSeconds, durationSeconds, deadlineMs,
          payload, minImages, maxImages, imageSide, imageDir, includeTimings, connections, eventLoopThreads,
          pauseSeconds, metric, seed, distinctImages);
    }

    public Plan withAutoRates(Double... factors) {
      return new Plan(clients, List.of(), List.of(factors), arrivals, warmupSeconds, durationSeconds, deadlineMs,
          payload, minImages, maxImages, imageSide, imageDir, includeTimings, connections, eventLoopThreads,
          pauseSeconds, metric, seed, distinctImages);
    }

    public Plan withArrivals(LoadSpec.Arrivals a) {
      return new Plan(clients, rates, autoRateFactors, a.name(), warmupSeconds, durationSeconds, deadlineMs,
          payload, minImages, maxImages, imageSide, imageDir, includeTimings, connections, eventLoopThreads,
          pauseSeconds, metric, seed, distinctImages);
    }

    public Plan withTiming(double warmup, double duration, double pause) {
      return new Plan(clients, rates, autoRateFactors, arrivals, warmup, duration, deadlineMs, payload, minImages,
          maxImages, imageSide, imageDir, includeTimings, connections, eventLoopThreads, pause, metric, seed, distinctImages);
    }

    public Plan withDeadlineMs(long ms) {
      return new Plan(clients, rates, autoRateFactors, arrivals, warmupSeconds, durationSeconds, ms, payload,
          minImages, maxImages, imageSide, imageDir, includeTimings, connections, eventLoopThreads, pauseSeconds,
          metric, seed, distinctImages);
    }

    /** {@code kind} JPEG or RAW, {@code min..max} images per request, {@code side} (0: the model's), JPEG folder or null. */
    public Plan withPayload(PredictPayload.Kind kind, int min, int max, int side, String dir) {
      return new Plan(clients, rates, autoRateFactors, arrivals, warmupSeconds, durationSeconds, deadlineMs,
          kind.name(), min, max, side, dir, includeTimings, connections, eventLoopThreads, pauseSeconds, metric, seed, distinctImages);
    }

    public Plan withTimings(boolean t) {
      return new Plan(clients, rates, autoRateFactors, arrivals, warmupSeconds, durationSeconds, deadlineMs,
          payload, minImages, maxImages, imageSide, imageDir, t, connections, eventLoopThreads, pauseSeconds, metric,
          seed, distinctImages);
    }

    public Plan withConnections(int n, int eventLoops) {
      return new Plan(clients, rates, autoRateFactors, arrivals, warmupSeconds, durationSeconds, deadlineMs,
          payload, minImages, maxImages, imageSide, imageDir, includeTimings, n, eventLoops, pauseSeconds, metric,
          seed, distinctImages);
    }

    /** Distinct images cycled through (each request's images come from this pool). */
    public Plan withDistinctImages(int n) {
      return new Plan(clients, rates, autoRateFactors, arrivals, warmupSeconds, durationSeconds, deadlineMs,
          payload, minImages, maxImages, imageSide, imageDir, includeTimings, connections, eventLoopThreads,
          pauseSeconds, metric, seed, n);
    }

    public Plan withMetric(String m) {
      return new Plan(clients, rates, autoRateFactors, arrivals, warmupSeconds, durationSeconds, deadlineMs,
          payload, minImages, maxImages, imageSide, imageDir, includeTimings, connections, eventLoopThreads,
          pauseSeconds, m, seed, distinctImages);
    }

    private static String secs(double s) {
      return s == Math.rint(s) ? Long.toString((long) s) : Double.toString(s);
    }

    LoadSpec.Arrivals arrivalsEnum() {
      return LoadSpec.Arrivals.valueOf(arrivals.toUpperCase(Locale.ROOT));
    }

    /** One paragraph for the report. */
    String describe() {
      return String.format(Locale.ROOT, "Each scenario: %s s warm-up, %s s measured; deadline %d ms per call; "
              + "%s payload (%s), %s image(s) per request%s. Closed loop: C clients each sending the next call when "
              + "the previous answers. Open loop: %s arrivals at a fixed rate, independent of answers; latency from "
              + "the intended send time (no coordinated omission). %d connection(s), %d generator event-loop thread(s).",
          secs(warmupSeconds), secs(durationSeconds), deadlineMs,
          "RAW".equalsIgnoreCase(payload) ? "pre-decoded (raw pixel)" : "encoded-image (the files as they are)",
          imageDir != null ? "files from " + imageDir : imageSide > 0 ? "side " + imageSide : "model's input size",
          minImages == maxImages ? Integer.toString(minImages) : minImages + "–" + maxImages,
          includeTimings ? "; server timings requested" : "", arrivals.toLowerCase(Locale.ROOT), connections,
          eventLoopThreads);
    }
  }

  /**
   * A running server configuration to measure.
   *
   * @param label shown in the tables, e.g. {@code batching-on}
   * @param target {@code host:port} for gRPC, or {@code http://host:port} (or https) for the REST API
   * @param model {@code flowers} or {@code models/flowers}
   * @param metricsUrl the Prometheus text endpoint, e.g. {@code http://localhost:9464/metrics}, or null
   * @param settings server settings to show next to the label (may be empty)
   */
  public record Target(String label, String target, String model, String metricsUrl, Map<String, String> settings) {
    public Target {
      settings = settings == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }
  }

  /**
   * Opens a load generator for a target (the default: {@link LoadGenerator#rest} for an {@code http(s)://} target,
   * else {@link LoadGenerator#connect}).
   */
  @FunctionalInterface
  public interface Connector {
    LoadGenerator open(Target t) throws Exception;
  }

  private final Plan plan;
  private final Connector connector;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final PrintStream log;
  private List<Double> resolvedRates;

  public ServingBenchmark(Plan plan) {
    this(plan, (String) null);
  }

  /** With an API key sent as {@code x-api-key}; REST targets over HTTP/1.1. */
  public ServingBenchmark(Plan plan, String apiKey) {
    this(plan, apiKey, HttpClient.Version.HTTP_1_1);
  }

  /**
   * With an API key sent as {@code x-api-key}, REST targets over {@code restVersion}. {@link Plan#connections} is
   * the gRPC channels, or the REST transport's HttpClients (over HTTP/1.1 each opens a connection per call in
   * flight, as a REST client does; over HTTP/2 one, as a channel does).
   */
  public ServingBenchmark(Plan plan, String apiKey, HttpClient.Version restVersion) {
    this(plan, t -> {
      if (isRest(t.target())) {
        return LoadGenerator.rest(t.target(), plan.connections(), restVersion, apiKey);
      }
      LoadGenerator.Tuning tuning = LoadGenerator.Tuning.defaults().withConnections(plan.connections())
          .withEventLoopThreads(plan.eventLoopThreads()).withApiKey(apiKey);
      return t.target().startsWith(AUTOML)
          ? LoadGenerator.automl(t.target().substring(AUTOML.length()), tuning)
          : LoadGenerator.connect(t.target(), tuning);
    }, System.err);
  }

  /** A target {@code automl://host:port} calls Cloud AutoML's Predict on that gRPC port. */
  static final String AUTOML = "automl://";

  /** Whether a target is the HTTP port's REST API ({@code http://} or {@code https://}) rather than gRPC. */
  static boolean isRest(String target) {
    return target.startsWith("http://") || target.startsWith("https://");
  }

  public ServingBenchmark(Plan plan, Connector connector, PrintStream log) {
    this.plan = plan;
    this.connector = connector;
    this.log = log;
    this.resolvedRates = plan.rates().isEmpty() ? null : plan.rates();
  }

  /** The plan with the open-loop rates actually used. */
  public Plan resolvedPlan() {
    return resolvedRates == null ? plan : plan.withRates(resolvedRates);
  }

  /** Runs every scenario against one configuration. */
  public ConfigurationResult run(Target t) throws Exception {
    return run(List.of(t)).get(0);
  }

  /** Runs every scenario against each configuration, interleaved scenario by scenario. */
  public List<ConfigurationResult> run(List<Target> targets) throws Exception {
    List<Session> sessions = new ArrayList<>();
    try {
      for (Target t : targets) {
        sessions.add(open(t));
      }
      Duration warmup = seconds(plan.warmupSeconds());
      Duration duration = seconds(plan.durationSeconds());
      Duration deadline = Duration.ofMillis(plan.deadlineMs());
      for (int c : plan.clients()) {
        for (Session s : sessions) {
          scenario(s, LoadSpec.closed(c, warmup, duration, deadline).withSeed(plan.seed()));
        }
      }
      if (resolvedRates == null) {
        double best = sessions.get(0).results.stream().mapToDouble(LoadResult::requestsPerSecond).max().orElse(0);
        if (best <= 0) {
          log.println("serving: no successful closed-loop calls, so no rate to base open loops on; skipping them");
          resolvedRates = List.of();
        } else {
          resolvedRates = plan.autoRateFactors().stream().map(f -> roundRate(f * best)).distinct().toList();
          log.printf(Locale.ROOT, "serving: open-loop rates %s/s (%s x best closed loop of %s, %.1f req/s)%n",
              resolvedRates, plan.autoRateFactors(), sessions.get(0).target.label(), best);
        }
      }
      for (double r : resolvedRates) {
        for (Session s : sessions) {
          scenario(s, LoadSpec.open(r, plan.arrivalsEnum(), warmup, duration, deadline).withSeed(plan.seed()));
        }
      }
      List<ConfigurationResult> out = new ArrayList<>();
      for (Session s : sessions) {
        out.add(s.finish());
      }
      return out;
    } finally {
      for (Session s : sessions) {
        s.gen.close();
      }
    }
  }

  /** The report over these configurations (and engine-alone results, possibly none). */
  public ServingReport report(List<ConfigurationResult> configurations, List<EngineAlone.Result> engineAlone,
      String... notes) {
    return ServingReport.of(resolvedPlan(), configurations, engineAlone, List.of(notes));
  }

  // ------------------------------------------------------------------ internals

  private final class Session {
    final Target target;
    final LoadGenerator gen;
    final PredictPayload payload;
    final String modelInfo;
    final String startedAt = Instant.now().toString();
    final List<LoadResult> results = new ArrayList<>();
    final PrometheusHistogram first;
    String metricsError;

    Session(Target target, LoadGenerator gen, PredictPayload payload, String modelInfo) {
      this.target = target;
      this.gen = gen;
      this.payload = payload;
      this.modelInfo = modelInfo;
      this.first = metrics();
    }

    PrometheusHistogram metrics() {
      if (target.metricsUrl() == null || target.metricsUrl().isBlank()) {
        return null;
      }
      try {
        Optional<PrometheusHistogram> h = PrometheusHistogram.fetch(http, target.metricsUrl(), plan.metric(),
            target.model());
        if (h.isEmpty() && metricsError == null) {
          metricsError = "no " + plan.metric() + " series for model " + target.model() + " at " + target.metricsUrl();
        }
        return h.orElse(null);
      } catch (IOException e) {
        metricsError = "reading " + target.metricsUrl() + ": " + e;
        return null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }

    ConfigurationResult finish() {
      PrometheusHistogram last = metrics();
      PrometheusHistogram.Summary whole = last == null ? null : last.minus(first).summary();
      return new ConfigurationResult(target.label(), target.target(), gen.transport().describe(),
          PredictPayload.modelName(target.model()), target.metricsUrl(), target.settings(), modelInfo, startedAt,
          List.copyOf(results), whole, metricsError);
    }
  }

  private Session open(Target t) throws Exception {
    LoadGenerator gen = connector.open(t);
    try {
      String name = PredictPayload.modelName(t.model());
      int side = plan.imageSide();
      int channels = 3;
      String info;
      try {
        Model m = gen.transport().getModel(name, Duration.ofSeconds(10));
        info = "input " + m.getInputSize() + "x" + m.getInputSize() + "x" + m.getInputChannels() + ", "
            + m.getDeploymentState() + (m.getBaseModel().isEmpty() ? "" : ", " + m.getBaseModel());
        if (m.hasDeploymentConfig()) {
          DeploymentConfig d = m.getDeploymentConfig();
          if (d.hasBatching()) {
            BatchingConfig b = d.getBatching();
            info += String.format(Locale.ROOT, ", batching max %d / %d ms / %d threads / queue %d",
                b.getMaxBatchSize(), b.getMaxBatchDelay().getSeconds() * 1000 + b.getMaxBatchDelay().getNanos() / 1_000_000,
                b.getBatchThreads(), b.getMaxQueuedImages());
          }
          if (d.getResultCacheEnabled()) {
            info += ", RESULT CACHE ON";
            log.printf("serving: [%s] warning: %s is deployed with the result cache on; the %d distinct images "
                + "will be answered from it after their first pass%n", t.label(), name, plan.distinctImages());
          }
        }
        if (side == 0 && m.getInputSize() > 0) {
          side = m.getInputSize();
        }
        if (m.getInputChannels() > 0) {
          channels = m.getInputChannels();
        }
      } catch (StatusRuntimeException e) {
        info = "GetModel: " + e.getStatus().getCode();
      }
      PredictPayload payload;
      if ("RAW".equalsIgnoreCase(plan.payload())) {
        if (side <= 0) {
          throw new IllegalStateException(t.label() + ": raw images need the model's input size; GetModel gave none ("
              + info + "): set imageSide");
        }
        payload = PredictPayload.raw(name, side, channels, plan.distinctImages(), plan.minImages(), plan.maxImages(),
            plan.includeTimings(), plan.seed());
      } else if (plan.imageDir() != null) {
        payload = PredictPayload.files(name, PredictPayload.imageFiles(Path.of(plan.imageDir()), plan.distinctImages()),
            plan.minImages(), plan.maxImages(), plan.includeTimings());
      } else {
        payload = PredictPayload.generatedJpeg(name, side > 0 ? side : 224, plan.distinctImages(), plan.minImages(), plan.maxImages(),
            plan.includeTimings(), plan.seed());
      }
      try {
        PredictResponse r = gen.transport().predictOnce(payload, 0,
            Duration.ofMillis(Math.max(30_000, plan.deadlineMs())));
        if (r == null || r.getPredictionsCount() != payload.imageCount(0)) {
          throw new IllegalStateException(t.label() + ": Predict answered " + (r == null ? "an unreadable response"
              : r.getPredictionsCount() + " predictions") + " for " + payload.imageCount(0) + " images");
        }
      } catch (StatusRuntimeException e) {
        throw new IllegalStateException(t.label() + " (" + t.target() + "): a first Predict on " + name + " failed: "
            + e.getStatus(), e);
      }
      log.printf("serving: [%s] %s %s %s, %s, %d-byte requests (as protobuf)%n", t.label(),
          gen.transport().describe(), t.target(), name, info, payload.meanRequestBytes());
      return new Session(t, gen, payload, info);
    } catch (Exception | Error e) {
      gen.close();
      throw e;
    }
  }

  private void scenario(Session s, LoadSpec spec) throws InterruptedException {
    PrometheusHistogram[] at = new PrometheusHistogram[2];
    LoadResult r = s.gen.run(spec, s.payload, new LoadGenerator.WindowListener() {
      @Override
      public void windowStart() {
        at[0] = s.metrics();
      }

      @Override
      public void windowEnd() {
        at[1] = s.metrics();
      }
    });
    if (at[0] != null && at[1] != null) {
      r = r.withBatchSizes(at[1].minus(at[0]).summary());
    }
    s.results.add(r);
    log.printf(Locale.ROOT, "serving: [%s] %-22s %8.1f req/s %8.1f img/s  p50 %s p99 %s ms  ok %d/%d  %s%s  gen %.0f%% cpu%n",
        s.target.label(), spec.name(), r.requestsPerSecond(), r.imagesPerSecond(), LatencyStats.fmt(r.latency().p50Ms()),
        LatencyStats.fmt(r.latency().p99Ms()), r.ok(), r.sent(), r.errors().isEmpty() ? "" : "errors " + r.errors(),
        r.clientErrors().isEmpty() ? "" : " client " + r.clientErrors(),
        r.cpu() == null ? 0 : r.cpu().generatorCores() * 100);
    if (r.drainingBacklog()) {
      log.printf("serving: [%s] %s: warning: more calls succeeded in the window than were sent in it; the warm-up's "
          + "backlog was still draining (lengthen the warm-up)%n", s.target.label(), spec.name());
    }
    if (plan.pauseSeconds() > 0) {
      Thread.sleep((long) (plan.pauseSeconds() * 1000));
    }
  }

  static double roundRate(double r) {
    if (r >= 100) {
      return Math.round(r);
    }
    if (r >= 10) {
      return Math.round(r * 10) / 10.0;
    }
    return Math.max(0.1, Math.round(r * 100) / 100.0);
  }

  private static Duration seconds(double s) {
    return Duration.ofNanos((long) (s * 1e9));
  }

  // ------------------------------------------------------------------ command line

  private static final Map<String, String> OPTIONS = new LinkedHashMap<>();

  static {
    OPTIONS.put("target", "gRPC host:port, or http://host:port for the REST API (or use --configs)");
    OPTIONS.put("configs", "several: label=target,label=target (run interleaved)");
    OPTIONS.put("model", "the deployed model, e.g. flowers (required)");
    OPTIONS.put("label", "this configuration's name in the tables (default: server)");
    OPTIONS.put("settings", "server settings to show, k=v,k=v");
    OPTIONS.put("metrics", "Prometheus URL, or label=url,label=url with --configs");
    OPTIONS.put("api-key", "sent as x-api-key");
    OPTIONS.put("clients", "closed-loop client counts (default 1,8,32)");
    OPTIONS.put("rates", "open-loop calls/s, e.g. 10,20,40, or auto:0.5,0.8,1,1.5 (default: auto)");
    OPTIONS.put("arrivals", "poisson or uniform (default poisson)");
    OPTIONS.put("warmup", "seconds per scenario (default 5)");
    OPTIONS.put("duration", "measured seconds per scenario (default 20)");
    OPTIONS.put("deadline-ms", "per call (default 10000)");
    OPTIONS.put("images", "per request: 1, or a range 1-4 (default 1)");
    OPTIONS.put("payload", "jpeg or raw (default jpeg)");
    OPTIONS.put("image-side", "generated JPEG/raw side; 0 = the model's input size (default 0)");
    OPTIONS.put("image-dir", "send these image files instead of generated JPEGs");
    OPTIONS.put("distinct-images", "different images cycled through (default 64)");
    OPTIONS.put("timings", "ask for server timings in responses: true/false (default false)");
    OPTIONS.put("connections", "gRPC channels, or REST HttpClients (default 1)");
    OPTIONS.put("rest-http", "HTTP version of REST targets: 1.1 or 2 (default 1.1)");
    OPTIONS.put("event-loop-threads", "generator Netty threads (default 1)");
    OPTIONS.put("pause", "seconds idle between scenarios (default 2)");
    OPTIONS.put("metric", "batch-size histogram name (default nimbus_batch_size)");
    OPTIONS.put("out", "folder for serving.json and serving.md (default bench/results)");
    OPTIONS.put("append", "merge into an existing serving.json there: true/false (default false)");
    OPTIONS.put("note", "a line of text for the report");
  }

  /**
   * {@code --target localhost:8080 --model flowers --label batching-on --metrics http://localhost:9464/metrics
   * --settings max_batch_size=16 [--append true]}; {@code --help} lists every option.
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> o;
    try {
      o = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("serving: " + e.getMessage());
      System.err.println(usage());
      System.exit(2);
      return;
    }
    if (o.containsKey("help")) {
      System.out.println(usage());
      return;
    }
    Path out = Path.of(o.getOrDefault("out", "bench/results"));
    boolean append = Boolean.parseBoolean(o.getOrDefault("append", "false"));
    ServingReport previous = append && Files.exists(out.resolve(ServingReport.JSON))
        ? ServingReport.read(out.resolve(ServingReport.JSON)) : null;

    Plan plan = planFrom(o);
    if (plan.rates().isEmpty() && previous != null && previous.plan() != null && !previous.plan().rates().isEmpty()) {
      // automatic rates: use those of the configurations already in the report, so the rows line up
      plan = plan.withRates(previous.plan().rates());
    }
    List<Target> targets = targetsFrom(o);
    ServingBenchmark bench = new ServingBenchmark(plan, o.get("api-key"),
        RestTransport.Options.version(o.getOrDefault("rest-http", "1.1")));
    List<ConfigurationResult> results = bench.run(targets);
    List<String> notes = o.containsKey("note") ? List.of(o.get("note")) : List.of();
    ServingReport report = bench.report(results, List.of(), notes.toArray(new String[0]));
    if (previous != null) {
      report = previous.merge(report);
    }
    report.write(out);
    System.out.println(report.markdown());
    System.err.println("serving: wrote " + out.resolve(ServingReport.JSON) + " and " + out.resolve(ServingReport.MARKDOWN));
  }

  static Plan planFrom(Map<String, String> o) {
    Plan p = Plan.defaults();
    if (o.containsKey("clients")) {
      p = p.withClients(Arrays.stream(o.get("clients").split(",")).map(String::strip).map(Integer::valueOf)
          .toArray(Integer[]::new));
    }
    String rates = o.getOrDefault("rates", "auto");
    if (rates.startsWith("auto")) {
      if (rates.startsWith("auto:")) {
        p = p.withAutoRates(Arrays.stream(rates.substring(5).split(",")).map(String::strip).map(Double::valueOf)
            .toArray(Double[]::new));
      }
    } else {
      p = p.withRates(Arrays.stream(rates.split(",")).map(String::strip).map(Double::valueOf).toList());
    }
    p = p.withArrivals(LoadSpec.Arrivals.valueOf(o.getOrDefault("arrivals", "poisson").toUpperCase(Locale.ROOT)));
    p = p.withTiming(Double.parseDouble(o.getOrDefault("warmup", "5")), Double.parseDouble(o.getOrDefault("duration",
        "20")), Double.parseDouble(o.getOrDefault("pause", "2")));
    p = p.withDeadlineMs(Long.parseLong(o.getOrDefault("deadline-ms", "10000")));
    String images = o.getOrDefault("images", "1");
    int min = Integer.parseInt(images.contains("-") ? images.substring(0, images.indexOf('-')) : images);
    int max = Integer.parseInt(images.contains("-") ? images.substring(images.indexOf('-') + 1) : images);
    p = p.withPayload(PredictPayload.Kind.valueOf(o.getOrDefault("payload", "jpeg").toUpperCase(Locale.ROOT)), min,
        max, Integer.parseInt(o.getOrDefault("image-side", "0")), o.get("image-dir"));
    p = p.withTimings(Boolean.parseBoolean(o.getOrDefault("timings", "false")));
    p = p.withConnections(Integer.parseInt(o.getOrDefault("connections", "1")),
        Integer.parseInt(o.getOrDefault("event-loop-threads", "1")));
    p = p.withMetric(o.getOrDefault("metric", PrometheusHistogram.BATCH_SIZE_METRIC));
    p = p.withDistinctImages(Integer.parseInt(o.getOrDefault("distinct-images", "64")));
    return p;
  }

  static List<Target> targetsFrom(Map<String, String> o) {
    String model = o.get("model");
    if (model == null) {
      throw new IllegalArgumentException("--model is required");
    }
    Map<String, String> settings = pairs(o.get("settings"), ",");
    if (o.containsKey("configs")) {
      Map<String, String> metrics = o.containsKey("metrics") ? pairs(o.get("metrics"), ",") : Map.of();
      return pairs(o.get("configs"), ",").entrySet().stream()
          .map(e -> new Target(e.getKey(), e.getValue(), model, metrics.get(e.getKey()), Map.of())).toList();
    }
    if (!o.containsKey("target")) {
      throw new IllegalArgumentException("--target or --configs is required");
    }
    return List.of(new Target(o.getOrDefault("label", "server"), o.get("target"), model, o.get("metrics"), settings));
  }

  private static Map<String, String> pairs(String s, String sep) {
    Map<String, String> m = new LinkedHashMap<>();
    if (s == null || s.isBlank()) {
      return m;
    }
    for (String part : s.split(sep)) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("'" + part + "' (expected key=value)");
      }
      m.put(part.substring(0, eq).strip(), part.substring(eq + 1).strip());
    }
    return m;
  }

  static Map<String, String> parse(String[] args) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        out.put("help", "true");
        continue;
      }
      if (!a.startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("argument '" + a + "' (expected: --key value)");
      }
      String key = a.substring(2);
      if (!OPTIONS.containsKey(key)) {
        throw new IllegalArgumentException("unknown option --" + key);
      }
      out.put(key, args[++i]);
    }
    return out;
  }

  static String usage() {
    return "usage: ServingBenchmark --target HOST:PORT --model MODEL [options]\n" + OPTIONS.entrySet().stream()
        .map(e -> String.format(Locale.ROOT, "  --%-19s %s", e.getKey(), e.getValue()))
        .collect(Collectors.joining("\n"));
  }
}
