package dev.nimbus.server.batching;

import static dev.nimbus.server.batching.FakeEngine.images;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How batches are formed, with a scheduler driven by the test and a fake ticker. */
class BatchFormationTest {
  private static final Duration DELAY = Duration.ofMillis(10);

  private final FakeTicker ticker = new FakeTicker();
  private final RecordingListener listener = new RecordingListener();
  private final BatchScheduler scheduler =
      BatchScheduler.builder().batchThreads(0).ticker(ticker).listener(listener).build();

  @AfterEach
  void closeScheduler() {
    scheduler.close();
  }

  private ModelQueue<String, String> register(FakeEngine engine, int maxBatchSize, Duration delay) {
    return scheduler.register(engine.name, new BatchingOptions(maxBatchSize, delay, 1000), engine);
  }

  @Test
  void runReady_batchReachesMaxBatchSize_runsWithoutWaiting() {
    FakeEngine engine = new FakeEngine("m");
    ModelQueue<String, String> queue = register(engine, 4, DELAY);
    List<CompletableFuture<List<String>>> futures = new ArrayList<>();
    for (String image : List.of("a", "b", "c")) {
      futures.add(queue.submit(List.of(image)));
    }

    assertThat(scheduler.runReady()).isZero();
    assertThat(scheduler.nanosUntilNextBatch()).hasValue(DELAY.toNanos());

    futures.add(queue.submit(List.of("d")));
    assertThat(scheduler.nanosUntilNextBatch()).hasValue(0);
    assertThat(scheduler.runReady()).isEqualTo(1);

    assertThat(engine.batches).containsExactly(List.of("a", "b", "c", "d"));
    assertThat(futures.get(2)).isCompletedWithValue(List.of("out:c"));
    assertThat(queue.queuedImages()).isZero();
  }

  @Test
  void runReady_partialBatch_waitsExactlyMaxBatchDelayAfterItsOldestImage() {
    FakeEngine engine = new FakeEngine("m");
    ModelQueue<String, String> queue = register(engine, 4, DELAY);
    CompletableFuture<List<String>> first = queue.submit(List.of("a"));
    ticker.advance(Duration.ofMillis(4));
    CompletableFuture<List<String>> second = queue.submit(List.of("b")); // a later arrival does not extend the wait

    ticker.advance(Duration.ofMillis(6).minusNanos(1));
    assertThat(scheduler.runReady()).isZero();
    assertThat(scheduler.nanosUntilNextBatch()).hasValue(1);
    assertThat(first).isNotDone();

    ticker.advanceNanos(1);
    assertThat(scheduler.runReady()).isEqualTo(1);
    assertThat(engine.batches).containsExactly(List.of("a", "b"));
    assertThat(first).isCompletedWithValue(List.of("out:a"));
    assertThat(second).isCompletedWithValue(List.of("out:b"));
  }

  @Test
  void runReady_delayAcrossTickerOverflow_stillWaitsExactly() {
    FakeTicker nearOverflow = new FakeTicker(Long.MAX_VALUE - Duration.ofMillis(3).toNanos());
    try (BatchScheduler s = BatchScheduler.builder().batchThreads(0).ticker(nearOverflow).build()) {
      FakeEngine engine = new FakeEngine("m");
      ModelQueue<String, String> queue = s.register("m", new BatchingOptions(4, DELAY, 10), engine);
      queue.submit(List.of("a"));

      nearOverflow.advance(DELAY.minusNanos(1)); // the ticker wraps to negative values here
      assertThat(s.runReady()).isZero();
      nearOverflow.advanceNanos(1);
      assertThat(s.runReady()).isEqualTo(1);
    }
  }

  @Test
  void submit_tenImagesWithMaxBatchSizeFour_splitFourFourTwoAndReassembledInOrder() {
    FakeEngine engine = new FakeEngine("m");
    ModelQueue<String, String> queue = register(engine, 4, DELAY);

    CompletableFuture<List<String>> future = queue.submit(images("x", 10));
    assertThat(queue.queuedImages()).isEqualTo(10);

    assertThat(scheduler.runReady()).isEqualTo(2); // two full batches; the last two images wait for the delay
    assertThat(queue.queuedImages()).isEqualTo(2);
    assertThat(future).isNotDone();
    assertThat(scheduler.nanosUntilNextBatch()).hasValue(DELAY.toNanos());

    ticker.advance(DELAY);
    assertThat(scheduler.runReady()).isEqualTo(1);
    assertThat(engine.batches).containsExactly(
        List.of("x0", "x1", "x2", "x3"), List.of("x4", "x5", "x6", "x7"), List.of("x8", "x9"));
    assertThat(future).isCompletedWithValue(FakeEngine.echo(images("x", 10)));
  }

  @Test
  void runReady_twoRequests_shareOneBatch() {
    FakeEngine engine = new FakeEngine("m");
    ModelQueue<String, String> queue = register(engine, 4, DELAY);
    CompletableFuture<List<String>> a = queue.submit(List.of("a0", "a1"));
    CompletableFuture<List<String>> b = queue.submit(List.of("b0"));

    ticker.advance(DELAY);
    assertThat(scheduler.runReady()).isEqualTo(1);

    assertThat(engine.batches).containsExactly(List.of("a0", "a1", "b0"));
    assertThat(a).isCompletedWithValue(List.of("out:a0", "out:a1"));
    assertThat(b).isCompletedWithValue(List.of("out:b0"));
  }

  @Test
  void runReady_requestStraddlingTwoBatches_completesWhenItsLastBatchRuns() {
    FakeEngine engine = new FakeEngine("m");
    ModelQueue<String, String> queue = register(engine, 4, DELAY);
    CompletableFuture<List<String>> a = queue.submit(images("a", 3));
    CompletableFuture<List<String>> b = queue.submit(images("b", 3));

    assertThat(scheduler.runReady()).isEqualTo(1);
    assertThat(a).isCompletedWithValue(FakeEngine.echo(images("a", 3)));
    assertThat(b).isNotDone();

    ticker.advance(DELAY);
    assertThat(scheduler.runReady()).isEqualTo(1);
    assertThat(engine.batches).containsExactly(List.of("a0", "a1", "a2", "b0"), List.of("b1", "b2"));
    assertThat(b).isCompletedWithValue(FakeEngine.echo(images("b", 3)));
  }

  @Test
  void runReady_twoBusyModels_takeTurnsRoundRobin() {
    List<String> log = new CopyOnWriteArrayList<>();
    FakeEngine a = new FakeEngine("a", log);
    FakeEngine b = new FakeEngine("b", log);
    FakeEngine idle = new FakeEngine("idle", log);
    ModelQueue<String, String> qa = register(a, 2, Duration.ofHours(1));
    register(idle, 2, Duration.ofHours(1));
    ModelQueue<String, String> qb = register(b, 2, Duration.ofHours(1));
    qa.submit(images("a", 8)); // four full batches, queued before any of b's
    qb.submit(images("b", 4)); // two

    assertThat(scheduler.runReady()).isEqualTo(6);

    assertThat(log).containsExactly("a", "b", "a", "b", "a", "a");
  }

  @Test
  void runReady_modelsWithDifferentOptions_eachRunsOnItsOwnSchedule() {
    FakeEngine fast = new FakeEngine("fast");
    FakeEngine slow = new FakeEngine("slow");
    ModelQueue<String, String> qf = register(fast, 2, Duration.ofMillis(5));
    ModelQueue<String, String> qs = register(slow, 3, Duration.ofMillis(20));
    qs.submit(List.of("s0"));
    qf.submit(List.of("f0"));
    qs.submit(List.of("s1"));

    assertThat(scheduler.nanosUntilNextBatch()).hasValue(Duration.ofMillis(5).toNanos());
    ticker.advance(Duration.ofMillis(5));
    assertThat(scheduler.runReady()).isEqualTo(1);
    assertThat(fast.batches).containsExactly(List.of("f0"));
    assertThat(slow.batches).isEmpty();

    qf.submit(List.of("f1", "f2", "f3")); // fills one batch of two at once; f3 waits its own 5 ms
    assertThat(scheduler.runReady()).isEqualTo(1);
    assertThat(scheduler.nanosUntilNextBatch()).hasValue(Duration.ofMillis(5).toNanos());
    ticker.advance(Duration.ofMillis(15));
    assertThat(scheduler.runReady()).isEqualTo(2);

    assertThat(fast.batches).containsExactly(List.of("f0"), List.of("f1", "f2"), List.of("f3"));
    assertThat(slow.batches).containsExactly(List.of("s0", "s1"));
    assertThat(scheduler.nanosUntilNextBatch()).isEqualTo(OptionalLong.empty());
  }

  @Test
  void runReady_zeroDelay_runsWhateverIsWaiting() {
    FakeEngine engine = new FakeEngine("m");
    ModelQueue<String, String> queue = register(engine, 8, Duration.ZERO);
    queue.submit(List.of("a"));
    queue.submit(List.of("b", "c"));

    assertThat(scheduler.nanosUntilNextBatch()).hasValue(0);
    assertThat(scheduler.runReady()).isEqualTo(1);

    assertThat(engine.batches).containsExactly(List.of("a", "b", "c")); // batched by opportunity only
  }

  @Test
  void runReady_maxBatchSizeOne_runsEveryImageAlone() {
    FakeEngine engine = new FakeEngine("m");
    ModelQueue<String, String> queue = register(engine, 1, DELAY);

    CompletableFuture<List<String>> future = queue.submit(List.of("a", "b", "c"));
    assertThat(scheduler.runReady()).isEqualTo(3);

    assertThat(engine.batches).containsExactly(List.of("a"), List.of("b"), List.of("c"));
    assertThat(future).isCompletedWithValue(List.of("out:a", "out:b", "out:c"));
  }

  @Test
  void listener_batch_reportsSizeQueueWaitAndRunTime() {
    FakeEngine engine = new FakeEngine("m").behave((runner, inputs) -> {
      ticker.advance(Duration.ofMillis(7));
      return FakeEngine.echo(inputs);
    });
    ModelQueue<String, String> queue = register(engine, 4, DELAY);
    queue.submit(List.of("a"));
    ticker.advance(Duration.ofMillis(2));
    queue.submit(List.of("b", "c"));

    ticker.advance(Duration.ofMillis(8));
    scheduler.runReady();

    // a waited 10 ms, b and c 8 ms: the mean is 26/3 ms
    assertThat(listener.batches).containsExactly(new BatchListener.BatchRun(
        "m", 3, Duration.ofMillis(10).toNanos(), Duration.ofMillis(26).toNanos() / 3, Duration.ofMillis(7).toNanos(),
        false));
  }
}
