package dev.nimbus.server.batching;

import static dev.nimbus.server.batching.FakeEngine.images;
import static dev.nimbus.server.batching.Futures.batchingFailure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nimbus.server.batching.BatchingException.Kind;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bounded queue: a request is admitted whole or refused at once. */
class AdmissionTest {
  private final FakeTicker ticker = new FakeTicker();
  private final RecordingListener listener = new RecordingListener();
  private final BatchScheduler scheduler =
      BatchScheduler.builder().batchThreads(0).ticker(ticker).listener(listener).build();

  @AfterEach
  void closeScheduler() {
    scheduler.close();
  }

  @Test
  void submit_queueFull_refusesWholeRequestAtOnce() {
    FakeEngine engine = new FakeEngine("m");
    ModelQueue<String, String> queue = scheduler.register("m", new BatchingOptions(2, Duration.ofMillis(10), 4), engine);
    CompletableFuture<List<String>> admitted = queue.submit(images("a", 3));

    CompletableFuture<List<String>> refused = queue.submit(images("b", 2)); // 1 would fit, 2 do not

    BatchingException e = batchingFailure(refused); // already failed: the caller never waits
    assertThat(e.kind()).isEqualTo(Kind.QUEUE_FULL);
    assertThat(e.modelKey()).isEqualTo("m");
    assertThat(e.retryAfter()).hasValueSatisfying(d -> assertThat(d).isPositive());
    assertThat(e).hasMessageContaining("3 of 4 images waiting, request has 2");
    assertThat(queue.queuedImages()).isEqualTo(3);
    assertThat(listener.rejected).containsExactly("m:2:QUEUE_FULL");

    ticker.advance(Duration.ofMillis(10));
    scheduler.runReady();
    assertThat(engine.batches).containsExactly(List.of("a0", "a1"), List.of("a2")); // nothing of b
    assertThat(admitted).isCompletedWithValue(FakeEngine.echo(images("a", 3)));
  }

  @Test
  void submit_afterABatchLeavesTheQueue_admitsAgain() {
    FakeEngine engine = new FakeEngine("m");
    ModelQueue<String, String> queue = scheduler.register("m", new BatchingOptions(2, Duration.ofMillis(10), 4), engine);
    queue.submit(images("a", 4));
    assertThat(batchingFailure(queue.submit(List.of("b"))).kind()).isEqualTo(Kind.QUEUE_FULL);

    scheduler.runReady();

    assertThat(queue.queuedImages()).isZero();
    CompletableFuture<List<String>> later = queue.submit(images("c", 4));
    assertThat(later).isNotDone();
    assertThat(queue.queuedImages()).isEqualTo(4);
  }

  @Test
  void retryAfter_afterBatchesRan_followsDocumentedFormula() {
    Duration[] runTime = {Duration.ofMillis(10)};
    FakeEngine engine = new FakeEngine("m").behave((runner, inputs) -> {
      ticker.advance(runTime[0]);
      return FakeEngine.echo(inputs);
    });
    ModelQueue<String, String> queue =
        scheduler.register("m", new BatchingOptions(2, Duration.ofMillis(50), 4), engine);
    queue.submit(images("a", 2));
    scheduler.runReady(); // one batch of 10 ms: the estimate is 10 ms
    queue.submit(images("b", 4));

    // 3 more images need 4 + 3 - 4 = 3 to leave: ceil(3 / 2) = 2 batches of 10 ms on 1 thread
    assertThat(batchingFailure(queue.submit(images("c", 3))).retryAfter()).hasValue(Duration.ofMillis(20));

    runTime[0] = Duration.ofMillis(30);
    assertThat(scheduler.runReady()).isEqualTo(2); // estimate 10 + (30 - 10) / 4 = 15, then 15 + 15 / 4 = 18.75 ms
    queue.submit(images("d", 4));
    assertThat(batchingFailure(queue.submit(List.of("e"))).retryAfter())
        .hasValue(Duration.ofNanos(18_750_000));
  }

  @Test
  void retryAfter_beforeAnyBatchRan_usesMaxBatchDelay() {
    ModelQueue<String, String> queue =
        scheduler.register("m", new BatchingOptions(2, Duration.ofMillis(50), 2), new FakeEngine("m"));
    queue.submit(images("a", 2));

    assertThat(batchingFailure(queue.submit(List.of("b"))).retryAfter()).hasValue(Duration.ofMillis(50));
  }

  @Test
  void retryAfter_nothingToGoOn_isAtLeastOneMillisecond() {
    ModelQueue<String, String> queue =
        scheduler.register("m", new BatchingOptions(1, Duration.ZERO, 1), new FakeEngine("m"));
    queue.submit(List.of("a"));

    assertThat(batchingFailure(queue.submit(List.of("b"))).retryAfter()).hasValue(Duration.ofMillis(1));
  }

  @Test
  void submit_moreImagesThanTheQueueHolds_refusedAsTooLargeWithoutRetry() {
    ModelQueue<String, String> queue =
        scheduler.register("m", new BatchingOptions(2, Duration.ZERO, 4), new FakeEngine("m"));

    BatchingException e = batchingFailure(queue.submit(images("a", 5)));

    assertThat(e.kind()).isEqualTo(Kind.TOO_LARGE);
    assertThat(e.retryAfter()).isEmpty();
    assertThat(queue.queuedImages()).isZero();
    assertThat(listener.rejected).containsExactly("m:5:TOO_LARGE");
  }

  @Test
  void submit_deadlineAlreadyPassed_refusedWithoutQueueing() {
    FakeEngine engine = new FakeEngine("m");
    ModelQueue<String, String> queue = scheduler.register("m", new BatchingOptions(2, Duration.ZERO, 4), engine);

    CompletableFuture<List<String>> future = queue.submit(List.of("a"), ticker.nanos(), () -> false);

    assertThat(batchingFailure(future).kind()).isEqualTo(Kind.DEADLINE_EXCEEDED);
    assertThat(queue.queuedImages()).isZero();
    assertThat(scheduler.runReady()).isZero();
    assertThat(engine.runners).isEmpty();
  }
}
