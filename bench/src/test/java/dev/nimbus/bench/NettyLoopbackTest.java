package dev.nimbus.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The generator over real Netty/TCP on 127.0.0.1 against the fake server (in this JVM), to see what the generator
 * itself costs in CPU. Writes target/loadgen-cpu.md.
 */
class NettyLoopbackTest {

  @Test
  void generatorCpuOverLoopback() throws Exception {
    FakePredictionService fake = new FakePredictionService();
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).directExecutor()
        .addService(fake).build().start();
    StringBuilder md = new StringBuilder("| scenario | payload | bytes/req | sent/s | ok req/s | p50 ms | p99 ms "
        + "| send lag p99 ms | gen cores | gen CPU µs/call | JVM cores | machine busy |\n"
        + "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
    try (LoadGenerator gen = LoadGenerator.connect("127.0.0.1:" + server.getPort(), LoadGenerator.Tuning.defaults())) {
      PredictPayload jpeg = PredictPayload.generatedJpeg("m", 224, 16, 1, 1, false, 1);
      PredictPayload raw = PredictPayload.raw("m", 224, 3, 8, 4, 4, false, 1);
      Duration warmup = Duration.ofMillis(500);
      Duration window = Duration.ofMillis(1000);
      Duration deadline = Duration.ofSeconds(5);

      // JIT warm-up of client and server code (both in this JVM), not reported
      fake.delayNanos = n -> TimeUnit.MILLISECONDS.toNanos(2);
      gen.run(LoadSpec.open(1000, LoadSpec.Arrivals.UNIFORM, Duration.ZERO, Duration.ofMillis(1000), deadline), jpeg);
      gen.run(LoadSpec.closed(8, Duration.ZERO, Duration.ofMillis(500), deadline), raw);
      LoadResult open = gen.run(LoadSpec.open(1000, LoadSpec.Arrivals.UNIFORM, warmup, window, deadline), jpeg);
      row(md, open);
      fake.delayNanos = n -> TimeUnit.MILLISECONDS.toNanos(10);
      LoadResult closed = gen.run(LoadSpec.closed(32, warmup, window, deadline), jpeg);
      row(md, closed);
      fake.delayNanos = n -> TimeUnit.MILLISECONDS.toNanos(2);
      LoadResult openRaw = gen.run(LoadSpec.open(100, LoadSpec.Arrivals.POISSON, warmup, window, deadline), raw);
      row(md, openRaw);

      for (LoadResult r : List.of(open, closed, openRaw)) {
        assertThat(r.errors()).as(r.scenario()).isEmpty();
        assertThat(r.clientErrors()).as(r.scenario()).isEmpty();
        assertThat(r.ok()).isEqualTo(r.sent());
        assertThat(r.cpu().generatorCpuSeconds()).isPositive();
        // a generous bound: the point is the number printed, on a machine shared with other builds
        assertThat(r.cpu().generatorCores()).as(r.scenario()).isLessThan(1.0);
      }
      assertThat(open.sent()).isBetween(990L, 1010L);
      assertThat(closed.maxInFlight()).isEqualTo(32);
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      fake.close();
    }
    System.out.println(md);
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target", "loadgen-cpu.md"), md);
  }

  @Test
  void commandLineRunsPerConfigurationAndAppendsIntoOneReport(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    FakePredictionService fake = new FakePredictionService();
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).directExecutor()
        .addService(fake).build().start();
    try {
      for (String[] cfg : new String[][] {{"batching-on", "2"}, {"batching-off", "4"}}) {
        fake.delayNanos = n -> TimeUnit.MILLISECONDS.toNanos(Long.parseLong(cfg[1]));
        ServingBenchmark.main(new String[] {"--target", "127.0.0.1:" + server.getPort(), "--model", "flowers",
            "--label", cfg[0], "--settings", "delay_ms=" + cfg[1], "--clients", "1,4", "--rates", "auto:0.5",
            "--warmup", "0.2", "--duration", "0.5", "--pause", "0", "--images", "1-2", "--image-side", "64",
            "--distinct-images", "8", "--out", dir.toString(), "--append", "true"});
      }
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      fake.close();
    }
    ServingReport r = ServingReport.read(dir.resolve("serving.json"));
    assertThat(r.configurations()).extracting(ServingReport.ConfigurationResult::label)
        .containsExactly("batching-on", "batching-off");
    // the second call reused the open-loop rate the first one chose
    assertThat(r.plan().rates()).hasSize(1);
    assertThat(r.configurations().get(0).scenarios().get(2).ratePerSecond()).isEqualTo(r.plan().rates().get(0));
    assertThat(r.configurations().get(1).scenarios().get(2).ratePerSecond()).isEqualTo(r.plan().rates().get(0));
    for (ServingReport.ConfigurationResult c : r.configurations()) {
      assertThat(c.scenarios()).hasSize(3).allSatisfy(s -> {
        assertThat(s.ok()).isEqualTo(s.sent()).isPositive();
        assertThat(s.cpu().generatorCpuSeconds()).isPositive(); // the generator's own threads were found
      });
    }
    assertThat(Files.readString(dir.resolve("serving.md"))).contains("| C=4 | batching-on |")
        .contains("| C=4 | batching-off |").contains("## Ratios against batching-on");
  }

  private static void row(StringBuilder md, LoadResult r) {
    long calls = Math.max(1, Math.round(r.offeredPerSecond() * r.windowSeconds()));
    md.append(String.format(Locale.ROOT, "| %s | %s | %d | %.0f | %.0f | %s | %s | %s | %.3f | %.0f | %.2f | %s |%n",
        r.scenario(), r.payload() + " x" + r.imagesMax(), r.meanRequestBytes(), r.offeredPerSecond(),
        r.requestsPerSecond(), LatencyStats.fmt(r.latency().p50Ms()), LatencyStats.fmt(r.latency().p99Ms()),
        r.sendLag() == null ? "–" : LatencyStats.fmt(r.sendLag().p99Ms()), r.cpu().generatorCores(),
        r.cpu().generatorCpuSeconds() * 1e6 / calls, r.cpu().processCores(),
        r.cpu().machineBusy() == null ? "–" : String.format(Locale.ROOT, "%.0f%%", r.cpu().machineBusy() * 100)));
  }
}
