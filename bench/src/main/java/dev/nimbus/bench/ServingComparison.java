package dev.nimbus.bench;

import dev.nimbus.client.NimbusClient;
import dev.nimbus.server.NimbusServer;
import dev.nimbus.server.config.ConfigLoader;
import dev.nimbus.server.engine.ImageBatch;
import dev.nimbus.server.engine.InferenceEngine;
import dev.nimbus.v1.BatchingConfig;
import dev.nimbus.v1.ClassificationType;
import dev.nimbus.v1.CreateModelRequest;
import dev.nimbus.v1.DeploymentConfig;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.TrainingParams;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * The serving comparison of the serving milestone, in one run on one machine, for each model: the engine alone (an
 * in-process loop on pre-decoded batches: the limit), the server with dynamic batching, and the server with
 * batching off ({@code max_batch_size} 1), under closed loops of 1, 8 and 32 clients sending JPEGs and open loops
 * at 0.5, 1 and 2 times the batched server's best rate. Models: the {@code mobilenet_v2} classifier (224x224) and
 * a {@code scratch_cnn} at 28x28, where the per-call overhead dominates. Each model is trained briefly first on
 * generated images (quality is not the point here). Results: {@code OUT/serving-<model>/serving.{json,md}}.
 *
 * <p>{@code --transports grpc,rest} sends the same load to each deployment over the gRPC port and over the HTTP
 * port's REST/JSON API too, interleaved scenario by scenario (so drift hits both alike; the first transport's best
 * closed loop sets the open-loop rates), and adds a REST vs gRPC table; results then go to {@code
 * serving-<model>-grpc-rest}. {@code --rest-http 2} sends REST over cleartext HTTP/2 instead of HTTP/1.1.
 *
 * <p>Usage: {@code ServingComparison [--models mobilenet_v2,scratch_cnn] [--duration 15] [--warmup 5]
 * [--images-per-request 1] [--payload jpeg|raw] [--clients 1,8,32] [--rate-factors 0.5,1,2]
 * [--transports grpc|grpc,rest|rest,grpc|grpc,automl] [--rest-http 1.1|2] [--out bench/results]}. {@code --payload jpeg} sends
 * the generated files as they are (JPEG for mobilenet_v2, gray PNG for scratch_cnn).
 */
public final class ServingComparison {
  public static void main(String[] args) throws Exception {
    Map<String, String> opts = Args.parse(args, Map.ofEntries(Map.entry("models", "mobilenet_v2,scratch_cnn"),
        Map.entry("duration", "15"), Map.entry("warmup", "5"), Map.entry("out", "bench/results"),
        Map.entry("clients", "1,8,32"), Map.entry("small-batch", "64"), Map.entry("images-per-request", "1"),
        Map.entry("payload", "jpeg"), Map.entry("rate-factors", "0.5,1,2"), Map.entry("transports", "grpc"),
        Map.entry("rest-http", "1.1")));
    Path work = Files.createTempDirectory("nimbus-bench-serving");
    for (String base : opts.get("models").split(",")) {
      compare(base.strip(), work, opts);
    }
  }

  static void compare(String base, Path work, Map<String, String> opts) throws Exception {
    boolean small = base.equals("scratch_cnn");
    int perRequest = Integer.parseInt(opts.get("images-per-request"));
    PredictPayload.Kind payload = switch (opts.get("payload")) {
      case "jpeg" -> PredictPayload.Kind.JPEG;
      case "raw" -> PredictPayload.Kind.RAW;
      default -> throw new IllegalArgumentException("--payload " + opts.get("payload") + " (expected: jpeg or raw)");
    };
    List<String> transports = Arrays.stream(opts.get("transports").split(",")).map(String::strip).toList();
    if (transports.isEmpty() || !List.of("grpc", "rest", "automl").containsAll(transports)
        || transports.size() != Set.copyOf(transports).size()) {
      throw new IllegalArgumentException("--transports " + opts.get("transports") + " (expected: grpc, rest, automl"
          + " or a comma-separated pair such as grpc,rest)");
    }
    if (transports.contains("automl") && (payload != PredictPayload.Kind.JPEG || perRequest != 1)) {
      throw new IllegalArgumentException("--transports automl: AutoML's Predict takes one encoded image per request"
          + " (--payload jpeg --images-per-request 1)");
    }
    int side = small ? 28 : 224;
    Path images = writeImages(work.resolve(base), side, small);
    Path data = work.resolve("data-" + base);
    NimbusServer server = NimbusServer.netty(ConfigLoader.load(System.getenv(), Map.of("port", "0",
        "http-port", "0", "data-dir", data.toString(), "metrics-port", "0")), Clock.systemUTC()).start();
    List<ServingReport.ConfigurationResult> results = new ArrayList<>();
    List<EngineAlone.Result> engine;
    ServingBenchmark bench = new ServingBenchmark(ServingBenchmark.Plan.defaults()
        .withClients(Arrays.stream(opts.get("clients").split(",")).map(s -> Integer.parseInt(s.strip()))
            .toArray(Integer[]::new))
        .withAutoRates(Arrays.stream(opts.get("rate-factors").split(","))
            .map(f -> Double.valueOf(f.strip())).toArray(Double[]::new))
        .withTiming(Double.parseDouble(opts.get("warmup")), Double.parseDouble(opts.get("duration")), 2)
        .withPayload(payload, perRequest, perRequest, side, images.toString())
        .withTimings(true), null, RestTransport.Options.version(opts.get("rest-http")));
    String target = "127.0.0.1:" + server.port();
    Map<String, String> addresses = Map.of("grpc", target, "rest", "http://127.0.0.1:" + server.httpPort(),
        "automl", ServingBenchmark.AUTOML + target);
    String metrics = "http://127.0.0.1:" + server.metricsPort() + "/metrics";
    try (NimbusClient client = NimbusClient.builder().target(target).plaintext()
        .defaultDeadline(Duration.ofMinutes(2)).build()) {
      client.datasets().create("serve", ClassificationType.MULTICLASS);
      client.datasets().importCsv("serve", images.resolve("labels.csv")).get(10, TimeUnit.MINUTES);
      Model model = client.models().create(CreateModelRequest.newBuilder().setModelId(base)
          .setModel(Model.newBuilder().setDataset("datasets/serve").setBaseModel(base)
              .setTrainingParams(TrainingParams.newBuilder().setMaxEpochs(3))).build())
          .get(30, TimeUnit.MINUTES);
      System.err.printf("trained %s (%dx%dx%d)%n", model.getName(), model.getInputSize(), model.getInputSize(),
          model.getInputChannels());
      engine = engineAlone(data.resolve("models").resolve(base).resolve("saved_model"), model,
          Duration.ofSeconds(Long.parseLong(opts.get("warmup"))), Duration.ofSeconds(Long.parseLong(opts.get("duration"))));

      int batch = small ? Integer.parseInt(opts.get("small-batch")) : 8;
      Map<String, DeploymentConfig> configs = new LinkedHashMap<>();
      configs.put("batched (max " + batch + ", 2 ms)", config(batch, 2));
      configs.put("unbatched (max 1)", config(1, 0));
      for (Map.Entry<String, DeploymentConfig> c : configs.entrySet()) {
        client.models().deploy(model.getName(), c.getValue()).get(5, TimeUnit.MINUTES);
        long rssBefore = rssKb();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("max_batch_size", String.valueOf(c.getValue().getBatching().getMaxBatchSize()));
        settings.put("max_batch_delay_ms",
            String.valueOf(c.getValue().getBatching().getMaxBatchDelay().getNanos() / 1_000_000));
        settings.put("rss_kb_before", String.valueOf(rssBefore));
        List<ServingBenchmark.Target> targets = new ArrayList<>();
        if (transports.size() == 1) {
          targets.add(new ServingBenchmark.Target(c.getKey(), addresses.get(transports.get(0)), model.getName(),
              metrics, settings));
        } else {
          // One deployment, one target per transport: the report pairs them by this setting.
          settings.put(ServingReport.DEPLOYMENT_SETTING, c.getKey());
          for (String tr : transports) {
            targets.add(new ServingBenchmark.Target(c.getKey() + switch (tr) {
              case "rest" -> " REST";
              case "automl" -> " AutoML";
              default -> " gRPC";
            },
                addresses.get(tr), model.getName(), metrics, settings));
          }
        }
        results.addAll(bench.run(targets));
        System.err.printf("%s: RSS %d MB before, %d MB after%n", c.getKey(), rssBefore / 1024, rssKb() / 1024);
        client.models().undeploy(model.getName()).get(5, TimeUnit.MINUTES);
      }
    } finally {
      server.close();
    }
    Path out = Path.of(opts.get("out")).resolve("serving-" + base + (perRequest > 1 ? "-x" + perRequest : "")
        + (payload == PredictPayload.Kind.RAW ? "-raw" : "")
        + (transports.equals(List.of("grpc")) ? "" : "-" + String.join("-", transports)));
    bench.report(results, engine, "model " + base + " at " + side + "x" + side + "; server and load generator in one"
        + " JVM on this machine; " + perRequest + (payload == PredictPayload.Kind.RAW ? " pre-decoded (raw pixel)"
        : " encoded") + " image(s) per request; RSS of the whole JVM", transportNote(transports, opts.get("rest-http")))
        .write(out);
    System.err.println("results: " + out.resolve(ServingReport.MARKDOWN));
  }

  /** What the REST rows are, or nothing for gRPC alone. */
  private static String transportNote(List<String> transports, String restHttp) {
    if (transports.contains("automl")) {
      return "Transports: " + String.join(" then ", transports) + ", interleaved scenario by scenario on the same "
          + "deployment. AutoML: google.cloud.automl.v1.PredictionService/Predict on the same gRPC port (one image"
          + " per request, score_threshold 0), through the AutoML adapter onto the same Predictions; gRPC: "
          + "nimbus.v1.PredictionService/Predict. The batch-size `whole run` rows count both transports' batches.";
    }
    if (!transports.contains("rest")) {
      return "Transport: gRPC (grpc-netty channel, protobuf).";
    }
    return "Transports: " + String.join(" then ", transports) + ", interleaved scenario by scenario on the same "
        + "deployment. REST: POST /v1/models/{m}:predict to the HTTP port over HTTP/" + restHttp + " with "
        + "java.net.http (one HttpClient; JSON bodies with base64 images encoded once before the runs, responses "
        + "parsed with JsonFormat on every call). `request bytes` is the protobuf size; a JSON body is about 4/3 of "
        + "it. The batch-size `whole run` rows of a deployment count both transports' batches (same model).";
  }

  private static DeploymentConfig config(int maxBatch, int delayMs) {
    return DeploymentConfig.newBuilder().setBatching(BatchingConfig.newBuilder().setMaxBatchSize(maxBatch)
        .setMaxBatchDelay(com.google.protobuf.Duration.newBuilder().setNanos(delayMs * 1_000_000))
        .setMaxQueuedImages(0)).build();
  }

  /** The exported model in this JVM through DJL, on pre-decoded batches of 1, 8 and 32. */
  static List<EngineAlone.Result> engineAlone(Path savedModel, Model model, Duration warmup, Duration duration)
      throws Exception {
    InferenceEngine.LoadedModel loaded = new InferenceEngine().load(savedModel, "cpu");
    try (InferenceEngine.Runner runner = loaded.newRunner()) {
      int s = model.getInputSize();
      int c = model.getInputChannels();
      List<EngineAlone.Result> out = new ArrayList<>();
      for (int b : List.of(1, 8, 32)) {
        byte[] pixels = new byte[b * s * s * c];
        new Random(b).nextBytes(pixels);
        ImageBatch batch = new ImageBatch(pixels, b, s, s, c);
        out.add(EngineAlone.loop("djl tensorflow " + model.getBaseModel() + " cpu", b, warmup, duration,
            () -> runner.run(batch)));
        System.err.printf("engine alone, batch %d: %.0f images/s%n", b, out.get(out.size() - 1).imagesPerSecond());
      }
      return out;
    } finally {
      loaded.close();
    }
  }

  /** Three labels of generated pictures: photo-like JPEGs at 224, or 28x28 gray PNGs. */
  static Path writeImages(Path dir, int side, boolean gray) throws Exception {
    Files.createDirectories(dir);
    StringBuilder csv = new StringBuilder();
    String[] labels = {"a", "b", "c"};
    for (int l = 0; l < 3; l++) {
      for (int i = 0; i < 40; i++) {
        Random r = new Random(l * 1000 + i);
        BufferedImage img = new BufferedImage(side, side, gray ? BufferedImage.TYPE_BYTE_GRAY
            : BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(40 + 80 * l + r.nextInt(30), 90 + r.nextInt(60), 200 - 60 * l));
        g.fillRect(0, 0, side, side);
        g.setColor(Color.WHITE);
        g.fillOval(r.nextInt(side / 2), r.nextInt(side / 2), side / 3 + r.nextInt(side / 4), side / 4 + r.nextInt(side / 4));
        g.dispose();
        String file = labels[l] + i + (gray ? ".png" : ".jpg");
        ImageIO.write(img, gray ? "png" : "jpg", dir.resolve(file).toFile());
        csv.append(file).append(',').append(labels[l]).append('\n');
      }
    }
    Files.writeString(dir.resolve("labels.csv"), csv);
    return dir;
  }

  static long rssKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (Exception e) {
      return -1;
    }
    return -1;
  }
}
