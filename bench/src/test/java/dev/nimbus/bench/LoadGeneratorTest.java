package dev.nimbus.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.MethodDescriptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LoadGeneratorTest {
  private static final Duration DEADLINE = Duration.ofSeconds(5);

  private static PredictPayload payload(int min, int max) {
    return PredictPayload.generatedJpeg("m", 32, 4, min, max, false, 1);
  }

  private static long ms(long n) {
    return TimeUnit.MILLISECONDS.toNanos(n);
  }

  /** Records the window's edges and samples the fake's in-flight count every 1 ms inside it. */
  private static final class Window implements LoadGenerator.WindowListener {
    final FakePredictionService fake;
    final List<Integer> samples = new ArrayList<>();
    final AtomicBoolean sampling = new AtomicBoolean();
    volatile long start;
    volatile long end;
    Thread sampler;

    Window(FakePredictionService fake) {
      this.fake = fake;
    }

    @Override
    public void windowStart() {
      start = System.nanoTime();
      sampling.set(true);
      sampler = new Thread(() -> {
        while (sampling.get()) {
          synchronized (samples) {
            samples.add(fake.inFlight.get());
          }
          try {
            Thread.sleep(1);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      sampler.start();
    }

    @Override
    public void windowEnd() {
      end = System.nanoTime();
      sampling.set(false);
      try {
        sampler.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    double meanInFlight() {
      return samples.stream().mapToInt(Integer::intValue).average().orElse(0);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 8, 32})
  void closedLoopKeepsExactlyCInFlight(int c) throws Exception {
    try (InProcessFixture f = new InProcessFixture()) {
      f.fake.delayNanos = n -> ms(20);
      Window w = new Window(f.fake);
      LoadResult r = f.gen.run(LoadSpec.closed(c, Duration.ofMillis(200), Duration.ofMillis(800), DEADLINE),
          payload(1, 1), w);

      assertThat(f.fake.maxInFlight.get()).isEqualTo(c);
      assertThat(r.maxInFlight()).isEqualTo(c);
      // between one answer and the client's next call the server sees c-1 for microseconds only
      assertThat(w.meanInFlight()).isGreaterThanOrEqualTo(c * 0.9);
      assertThat(w.samples).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(c));
      double ideal = c / 0.020;
      assertThat(r.requestsPerSecond()).isBetween(ideal * 0.6, ideal * 1.05);
      assertThat(r.imagesPerSecond()).isEqualTo(r.requestsPerSecond());
      assertThat(r.latency().p50Ms()).isBetween(20.0, 40.0);
      assertThat(r.errors()).isEmpty();
      assertThat(r.clientErrors()).isEmpty();
      assertThat(r.ok()).isEqualTo(r.sent());
    }
  }

  @Test
  void openLoopKeepsItsRateWhenTheServerSlowsDown() throws Exception {
    try (InProcessFixture f = new InProcessFixture()) {
      LoadSpec spec = LoadSpec.open(200, LoadSpec.Arrivals.UNIFORM, Duration.ofMillis(200), Duration.ofSeconds(1),
          DEADLINE);

      f.fake.delayNanos = n -> ms(2);
      Window fastWindow = new Window(f.fake);
      LoadResult fast = f.gen.run(spec, payload(1, 1), fastWindow);
      long fastArrivals = f.fake.arrivalsBetween(fastWindow.start, fastWindow.end);

      f.fake.delayNanos = n -> ms(300);
      Window slowWindow = new Window(f.fake);
      LoadResult slow = f.gen.run(spec, payload(1, 1), slowWindow);
      long slowArrivals = f.fake.arrivalsBetween(slowWindow.start, slowWindow.end);

      for (LoadResult r : List.of(fast, slow)) {
        assertThat(r.sent()).isBetween(199L, 201L);
        assertThat(r.offeredPerSecond()).isCloseTo(200, within(4.0));
        assertThat(r.ok()).isEqualTo(r.sent());
        assertThat(r.sendLag().p50Ms()).isLessThan(5.0); // on time, hiccups of a shared machine aside
      }
      // what the server saw: the same rate, slow or not
      assertThat(fastArrivals).isBetween(195L, 205L);
      assertThat(slowArrivals).isBetween(195L, 205L);
      // the slowdown shows as latency and calls in flight, not as fewer calls
      assertThat(fast.latency().p50Ms()).isLessThan(50.0);
      assertThat(slow.latency().p50Ms()).isGreaterThanOrEqualTo(300.0);
      assertThat(slow.maxInFlight()).isBetween(55, 90); // rate x delay = 60, more if answers run late
      assertThat(slow.maxInFlight()).isGreaterThan(fast.maxInFlight() * 5);
    }
  }

  @Test
  void poissonArrivalsHaveTheRateAndExponentialGaps() throws Exception {
    try (InProcessFixture f = new InProcessFixture()) {
      f.fake.delayNanos = n -> ms(1);
      Window w = new Window(f.fake);
      LoadResult r = f.gen.run(LoadSpec.open(400, LoadSpec.Arrivals.POISSON, Duration.ofMillis(100),
          Duration.ofSeconds(1), DEADLINE).withSeed(7), payload(1, 1), w);
      assertThat(r.sent()).isBetween(400L - 80, 400L + 80); // 4 sigma
      List<Long> t = f.fake.arrivalTimes().stream().filter(x -> x >= w.start && x < w.end).sorted().toList();
      double[] gaps = new double[t.size() - 1];
      for (int i = 1; i < t.size(); i++) {
        gaps[i - 1] = (t.get(i) - t.get(i - 1)) / 1e6;
      }
      double mean = Arrays.stream(gaps).average().orElseThrow();
      Arrays.sort(gaps);
      double median = gaps[gaps.length / 2];
      assertThat(mean).isCloseTo(2.5, within(0.5)); // ms
      // exponential gaps: median = mean x ln 2 (uniform would give 1); unlike the variance, scheduling hiccups
      // on a busy machine hardly move it
      assertThat(median / mean).isBetween(0.55, 0.85);
    }
  }

  @Test
  void aStalledServerShowsInOpenLoopPercentilesButHidesInAClosedLoop() throws Exception {
    ScheduledExecutorService ses = Executors.newSingleThreadScheduledExecutor();
    try (InProcessFixture f = new InProcessFixture()) {
      f.fake.delayNanos = n -> ms(2);
      // 300 ms into the window the server stops answering for 400 ms
      LoadGenerator.WindowListener stall = new LoadGenerator.WindowListener() {
        @Override
        public void windowStart() {
          ses.schedule(() -> f.fake.stallUntil = System.nanoTime() + ms(400), 300, TimeUnit.MILLISECONDS);
        }
      };
      LoadResult open = f.gen.run(LoadSpec.open(100, LoadSpec.Arrivals.UNIFORM, Duration.ofMillis(100),
          Duration.ofSeconds(1), DEADLINE), payload(1, 1), stall);
      f.fake.stallUntil = 0;
      LoadResult closed = f.gen.run(LoadSpec.closed(1, Duration.ofMillis(100), Duration.ofSeconds(1), DEADLINE),
          payload(1, 1), stall);

      // open loop: ~40 of 100 calls waited, up to 400 ms; the schedule went on regardless
      assertThat(open.sent()).isBetween(99L, 101L);
      assertThat(open.latency().p50Ms()).isLessThan(50.0);
      assertThat(open.latency().p90Ms()).isGreaterThan(250.0);
      assertThat(open.latency().maxMs()).isBetween(350.0, 700.0);
      // closed loop: one call waited 400 ms and nothing else was sent meanwhile, so p90 looks fine
      assertThat(closed.latency().maxMs()).isGreaterThan(350.0);
      assertThat(closed.latency().p90Ms()).isLessThan(100.0);
    } finally {
      ses.shutdownNow();
    }
  }

  @Test
  void aLateSenderCountsItsLatenessAsLatency() throws Exception {
    try (InProcessFixture f = new InProcessFixture()) {
      f.fake.delayNanos = n -> ms(2);
      // the 30th call's start blocks the sending thread for 300 ms (as a GC pause or a blocked channel would)
      AtomicLong calls = new AtomicLong();
      Channel blocking = ClientInterceptors.intercept(f.channel, new ClientInterceptor() {
        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method,
            CallOptions options, Channel next) {
          if (calls.incrementAndGet() == 30) {
            try {
              Thread.sleep(300);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return next.newCall(method, options);
        }
      });
      try (LoadGenerator gen = new LoadGenerator(List.of(blocking))) {
        LoadResult r = gen.run(LoadSpec.open(100, LoadSpec.Arrivals.UNIFORM, Duration.ZERO, Duration.ofSeconds(1),
            DEADLINE), payload(1, 1));
        // the ~30 calls due during the pause went out late, in a burst; none was skipped
        assertThat(r.sent()).isBetween(99L, 101L);
        assertThat(r.ok()).isEqualTo(r.sent());
        assertThat(r.sendLag().maxMs()).isGreaterThan(280.0);
        // and their wait is in the latency, though the server answered each in 2 ms
        assertThat(r.latency().p50Ms()).isLessThan(50.0);
        assertThat(r.latency().p90Ms()).isGreaterThan(150.0);
        assertThat(r.latency().maxMs()).isGreaterThan(290.0);
      }
    }
  }

  @Test
  void statusCountsMatchWhatTheServerDid() throws Exception {
    try (InProcessFixture f = new InProcessFixture()) {
      f.fake.delayNanos = n -> ms(10);
      f.fake.limit = 3;
      f.fake.slowEvery = 5;
      f.fake.slowNanos = TimeUnit.SECONDS.toNanos(2);
      LoadSpec spec = LoadSpec.closed(6, Duration.ZERO, Duration.ofSeconds(20), Duration.ofMillis(150))
          .withMaxRequests(60).withPauseAfterError(Duration.ofMillis(5));
      LoadResult r = f.gen.run(spec, payload(1, 3));

      assertThat(r.sent()).isEqualTo(60);
      assertThat(f.fake.arrivals.get()).isEqualTo(60);
      assertThat(f.fake.rejected.get()).isPositive();
      assertThat(f.fake.slow.get()).isPositive();
      assertThat(r.errorCount("RESOURCE_EXHAUSTED")).isEqualTo(f.fake.rejected.get());
      assertThat(r.errorCount("DEADLINE_EXCEEDED")).isEqualTo(f.fake.slow.get());
      assertThat(r.ok()).isEqualTo(f.fake.admitted.get() - f.fake.slow.get());
      assertThat(r.ok() + r.errorCount("RESOURCE_EXHAUSTED") + r.errorCount("DEADLINE_EXCEEDED")).isEqualTo(60);
      assertThat(r.errors().keySet()).containsOnly("RESOURCE_EXHAUSTED", "DEADLINE_EXCEEDED");
      assertThat(r.clientErrors()).isEmpty();
      // refusals come back at once; successes take the server's 10 ms
      assertThat(r.rejected().count()).isEqualTo(f.fake.rejected.get());
      assertThat(r.rejected().p50Ms()).isLessThan(5.0);
      assertThat(r.latency().p50Ms()).isGreaterThanOrEqualTo(10.0);
      assertThat(r.windowSeconds()).isLessThan(10.0); // ended by maxRequests
    }
  }

  @Test
  void overloadInAnOpenLoopShowsAsFastRejectionsNotAsASlowerGenerator() throws Exception {
    try (InProcessFixture f = new InProcessFixture()) {
      f.fake.delayNanos = n -> ms(50);
      f.fake.limit = 4; // capacity 4 / 50 ms = 80 calls/s
      LoadResult r = f.gen.run(LoadSpec.open(400, LoadSpec.Arrivals.UNIFORM, Duration.ofMillis(200),
          Duration.ofSeconds(1), DEADLINE), payload(2, 2));

      assertThat(r.sent()).isBetween(399L, 401L);
      assertThat(r.requestsPerSecond()).isBetween(40.0, 84.0);
      assertThat(r.imagesPerSecond()).isCloseTo(2 * r.requestsPerSecond(), within(0.01));
      assertThat(r.ok() + r.errorCount("RESOURCE_EXHAUSTED")).isEqualTo(r.sent());
      assertThat(r.errorCount("RESOURCE_EXHAUSTED")).isGreaterThan(250);
      assertThat(r.latency().p50Ms()).isGreaterThanOrEqualTo(50.0);
      // refusals come back at once: far faster than the successes (bounds leave room for a busy machine's hiccups)
      assertThat(r.rejected().p50Ms()).isLessThan(5.0);
      assertThat(r.rejected().p90Ms()).isLessThan(25.0);
      assertThat(r.rejected().p99Ms()).isLessThan(r.latency().p50Ms());
    }
  }

  @Test
  void percentilesFollowAKnownServiceTimeDistribution() throws Exception {
    try (InProcessFixture f = new InProcessFixture()) {
      // one call in five takes 50 ms, the others 5 ms
      f.fake.delayNanos = n -> n % 5 == 4 ? ms(50) : ms(5);
      LoadResult r = f.gen.run(LoadSpec.closed(4, Duration.ofMillis(100), Duration.ofSeconds(1), DEADLINE),
          payload(1, 1));
      assertThat(r.latency().p50Ms()).isBetween(5.0, 12.0);
      assertThat(r.latency().p90Ms()).isBetween(50.0, 90.0);
      assertThat(r.latency().p99Ms()).isBetween(50.0, 150.0);
      assertThat(r.latency().meanMs()).isBetween(0.8 * 5 + 0.2 * 50, 0.8 * 12 + 0.2 * 90);
    }
  }

  @Test
  void serverTimingsAreCollectedWhenAskedFor() throws Exception {
    try (InProcessFixture f = new InProcessFixture()) {
      f.fake.timings = true;
      f.fake.delayNanos = n -> ms(3);
      LoadResult r = f.gen.run(LoadSpec.closed(2, Duration.ZERO, Duration.ofMillis(300), DEADLINE),
          PredictPayload.generatedJpeg("m", 32, 4, 1, 3, true, 1));
      assertThat(r.serverTimings()).isNotNull();
      assertThat(r.serverTimings().meanBatchSize()).isCloseTo(2.0, within(0.3));
      assertThat(r.serverTimings().engine().p50Ms()).isCloseTo(1.0, within(0.01));
    }
  }

  @Test
  void openLoopCapsCallsInFlightAndCountsTheRestAsClientErrors() throws Exception {
    try (InProcessFixture f = new InProcessFixture()) {
      f.fake.delayNanos = n -> ms(500);
      LoadResult r = f.gen.run(LoadSpec.open(200, LoadSpec.Arrivals.UNIFORM, Duration.ZERO, Duration.ofMillis(500),
          DEADLINE).withMaxOutstanding(10), payload(1, 1));
      assertThat(r.maxInFlight()).isEqualTo(10);
      assertThat(r.clientErrors().get("outstanding-cap")).isEqualTo(r.sent() - 10);
      assertThat(r.ok()).isEqualTo(10);
    }
  }

  @Test
  void aFailingChannelDoesNotSpin() throws Exception {
    try (InProcessFixture f = new InProcessFixture()) {
      f.server.shutdownNow();
      AtomicLong before = new AtomicLong(f.fake.arrivals.get());
      LoadResult r = f.gen.run(LoadSpec.closed(2, Duration.ZERO, Duration.ofMillis(200), DEADLINE)
          .withPauseAfterError(Duration.ofMillis(10)), payload(1, 1));
      assertThat(r.ok()).isZero();
      assertThat(r.errorCount("UNAVAILABLE")).isBetween(2L, 2L * 200 / 10 + 4);
      assertThat(f.fake.arrivals.get()).isEqualTo(before.get());
    }
  }
}
