package dev.nimbus.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.sun.net.httpserver.HttpServer;
import dev.nimbus.bench.ServingReport.ConfigurationResult;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServingBenchmarkTest {
  private final Map<String, FakePredictionService> fakes = new LinkedHashMap<>();
  private final List<Server> servers = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private HttpServer metrics;
  private String metricsBase;

  @BeforeEach
  void setUp() throws Exception {
    metrics = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    metrics.start();
    metricsBase = "http://127.0.0.1:" + metrics.getAddress().getPort();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    for (Server s : servers) {
      s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    fakes.values().forEach(FakePredictionService::close);
    metrics.stop(0);
  }

  /** A fake server named {@code label} (its in-process name is the target) with metrics at /label. */
  private ServingBenchmark.Target fakeServer(String label, long delayMillis) throws Exception {
    FakePredictionService fake = new FakePredictionService();
    fake.delayNanos = n -> TimeUnit.MILLISECONDS.toNanos(delayMillis);
    fakes.put(label, fake);
    String name = InProcessServerBuilder.generateName();
    servers.add(InProcessServerBuilder.forName(name).directExecutor().addService(fake).build().start());
    metrics.createContext("/" + label, ex -> {
      byte[] body = fake.prometheusText("flowers").getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    return new ServingBenchmark.Target(label, name, "flowers", metricsBase + "/" + label,
        Map.of("delay_ms", Long.toString(delayMillis)));
  }

  private ServingBenchmark bench(ServingBenchmark.Plan plan) {
    return new ServingBenchmark(plan, t -> {
      ManagedChannel c = InProcessChannelBuilder.forName(t.target()).directExecutor().build();
      channels.add(c);
      return new LoadGenerator(List.of(c));
    }, new PrintStream(new ByteArrayOutputStream()));
  }

  private static ServingBenchmark.Plan smallPlan() {
    return ServingBenchmark.Plan.defaults().withClients(1, 4).withAutoRates(0.5, 1.0)
        .withArrivals(LoadSpec.Arrivals.UNIFORM).withTiming(0.1, 0.4, 0)
        .withPayload(PredictPayload.Kind.JPEG, 1, 3, 32, null);
  }

  @Test
  void runsTwoConfigurationsSideBySideAndWritesTheReport(@TempDir Path dir) throws Exception {
    ServingBenchmark.Target on = fakeServer("batching-on", 5);
    ServingBenchmark.Target off = fakeServer("batching-off", 10);
    ServingBenchmark bench = bench(smallPlan());

    List<ConfigurationResult> results = bench.run(List.of(on, off));
    EngineAlone.Result engine = EngineAlone.loop("sleepy engine", 4, Duration.ofMillis(20), Duration.ofMillis(100),
        () -> Thread.sleep(2));
    ServingReport report = bench.report(results, List.of(engine), "A test run.");
    report.write(dir);
    report.write(Path.of("target", "sample-report")); // to look at

    assertThat(results).extracting(ConfigurationResult::label).containsExactly("batching-on", "batching-off");
    for (ConfigurationResult c : results) {
      assertThat(c.scenarios()).extracting(LoadResult::scenario).hasSize(4).startsWith("closed C=1", "closed C=4");
      assertThat(c.metricsError()).isNull();
      assertThat(c.modelInfo()).isEqualTo("GetModel: UNIMPLEMENTED");
      for (LoadResult r : c.scenarios()) {
        assertThat(r.ok()).isEqualTo(r.sent()).isPositive();
        assertThat(r.batchSizes()).as(r.scenario()).isNotNull();
        assertThat(r.batchSizes().meanBatchSize()).isBetween(1.0, 3.0); // 1..3 images per request
        assertThat(r.batchSizes().batches()).isCloseTo(r.ok(), within(r.ok() / 5 + 5));
      }
      assertThat(c.batchSizes().batches()).isGreaterThan(c.scenarios().stream().mapToLong(LoadResult::ok).sum());
    }
    // open-loop rates: 0.5x and 1x the first configuration's best closed loop, the same for both
    double best = results.get(0).scenarios().stream().limit(2).mapToDouble(LoadResult::requestsPerSecond).max()
        .orElseThrow();
    List<Double> rates = bench.resolvedPlan().rates();
    assertThat(rates).hasSize(2);
    assertThat(rates.get(1)).isCloseTo(best, within(best * 0.01 + 0.1));
    assertThat(results.get(1).scenarios().get(3).ratePerSecond()).isEqualTo(rates.get(1));
    // the slower server: about half the closed-loop throughput
    assertThat(results.get(1).scenarios().get(1).requestsPerSecond())
        .isLessThan(results.get(0).scenarios().get(1).requestsPerSecond() * 0.8);

    ServingReport back = ServingReport.read(dir.resolve("serving.json"));
    assertThat(back.configurations()).hasSize(2);
    assertThat(back.configurations().get(0).scenarios().get(0)).isEqualTo(results.get(0).scenarios().get(0));
    assertThat(back.plan()).isEqualTo(bench.resolvedPlan());
    assertThat(back.engineAlone()).containsExactly(engine);

    String md = Files.readString(dir.resolve("serving.md"));
    System.out.println(md);
    assertThat(md).startsWith("# Nimbus benchmark: serving").contains("A test run.")
        .contains(LoadResult.MARKDOWN_HEADER).contains("## Ratios against batching-on")
        .contains("## Engine alone").contains("## Batch sizes").contains("| delay_ms=5 |");
    List<String> lines = md.lines().toList();
    int c1 = indexOfPrefix(lines, "| C=1 | batching-on |");
    assertThat(lines.get(c1 + 1)).startsWith("| C=1 | batching-off |");
    assertThat(lines.get(c1 + 2)).startsWith("| C=4 | batching-on |");
    assertThat(lines.stream().filter(l -> l.startsWith("| ") && l.contains("/s uniform (sent"))).hasSizeGreaterThan(4);
    assertThat(engine.imagesPerSecond()).isBetween(500.0, 2000.0); // 4 images per ~2 ms
  }

  @Test
  void configurationsRunBySeparateCallsMergeIntoOneReport(@TempDir Path dir) throws Exception {
    ServingBenchmark.Target on = fakeServer("on", 2);
    ServingBenchmark.Target off = fakeServer("off", 2);
    ServingBenchmark.Plan plan = smallPlan().withClients(2).withRates(50.0);
    ServingBenchmark first = bench(plan);
    first.report(List.of(first.run(on)), List.of()).write(dir);
    ServingBenchmark second = bench(plan);
    ServingReport merged = ServingReport.read(dir.resolve("serving.json"))
        .merge(second.report(List.of(second.run(off)), List.of()));
    merged.write(dir);

    ServingReport back = ServingReport.read(dir.resolve("serving.json"));
    assertThat(back.configurations()).extracting(ConfigurationResult::label).containsExactly("on", "off");
    String md = Files.readString(dir.resolve("serving.md"));
    int row = indexOfPrefix(md.lines().toList(), "| 50/s uniform");
    assertThat(md.lines().toList().get(row)).contains("| on |");
    assertThat(md.lines().toList().get(row + 1)).contains("| off |");

    // running "on" again replaces it
    ServingBenchmark third = bench(plan);
    ServingReport again = back.merge(third.report(List.of(third.run(on)), List.of()));
    assertThat(again.configurations()).extracting(ConfigurationResult::label).containsExactly("on", "off");
  }

  @Test
  void aModelThatCannotPredictStopsItsConfigurationEarly() throws Exception {
    ServingBenchmark.Target t = fakeServer("broken", 1);
    fakes.get("broken").limit = 0; // refuses everything
    ServingBenchmark bench = bench(smallPlan());
    Assertions.assertThatThrownBy(() -> bench.run(t))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("RESOURCE_EXHAUSTED");
  }

  @Test
  void commandLineOptions() {
    Map<String, String> o = ServingBenchmark.parse(new String[] {"--target", "localhost:8080", "--model", "flowers",
        "--label", "batching-on", "--settings", "max_batch_size=16,max_batch_delay=5ms", "--clients", "1,2",
        "--rates", "10,20.5", "--images", "1-4", "--payload", "raw", "--duration", "3", "--warmup", "1",
        "--arrivals", "uniform", "--metrics", "http://localhost:9464/metrics"});
    ServingBenchmark.Plan p = ServingBenchmark.planFrom(o);
    assertThat(p.clients()).containsExactly(1, 2);
    assertThat(p.rates()).containsExactly(10.0, 20.5);
    assertThat(p.minImages()).isEqualTo(1);
    assertThat(p.maxImages()).isEqualTo(4);
    assertThat(p.payload()).isEqualTo("RAW");
    assertThat(p.arrivals()).isEqualTo("UNIFORM");
    assertThat(p.durationSeconds()).isEqualTo(3.0);
    List<ServingBenchmark.Target> t = ServingBenchmark.targetsFrom(o);
    assertThat(t).containsExactly(new ServingBenchmark.Target("batching-on", "localhost:8080", "flowers",
        "http://localhost:9464/metrics", Map.of("max_batch_size", "16", "max_batch_delay", "5ms")));

    Map<String, String> multi = ServingBenchmark.parse(new String[] {"--configs", "on=localhost:1,off=localhost:2",
        "--metrics", "on=http://localhost:3/metrics", "--model", "m", "--rates", "auto:0.5,1"});
    assertThat(ServingBenchmark.targetsFrom(multi)).extracting(ServingBenchmark.Target::metricsUrl)
        .containsExactly("http://localhost:3/metrics", null);
    assertThat(ServingBenchmark.planFrom(multi).autoRateFactors()).containsExactly(0.5, 1.0);
    assertThat(ServingBenchmark.planFrom(multi).rates()).isEmpty();
    Assertions.assertThatThrownBy(() -> ServingBenchmark.parse(new String[] {"--nope", "1"}))
        .hasMessageContaining("--nope");
  }

  private static int indexOfPrefix(List<String> lines, String prefix) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith(prefix)) {
        return i;
      }
    }
    throw new AssertionError("no line starting with " + prefix);
  }
}
