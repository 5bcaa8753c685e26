package dev.nimbus.server.batching;

import static dev.nimbus.server.batching.FakeEngine.images;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An engine failure fails exactly the requests that had images in that batch. */
class FailureTest {
  private final FakeTicker ticker = new FakeTicker();
  private final RecordingListener listener = new RecordingListener();
  private final BatchScheduler scheduler =
      BatchScheduler.builder().batchThreads(0).ticker(ticker).listener(listener).build();

  @AfterEach
  void closeScheduler() {
    scheduler.close();
  }

  @Test
  void runReady_runnerThrows_failsOnlyThatBatchesRequests() {
    Exception boom = new Exception("engine exploded");
    FakeEngine engine = new FakeEngine("m").behave((runner, inputs) -> {
      if (inputs.contains("a")) {
        throw boom;
      }
      return FakeEngine.echo(inputs);
    });
    ModelQueue<String, String> queue = scheduler.register("m", new BatchingOptions(2, Duration.ofHours(1), 10), engine);
    CompletableFuture<List<String>> a = queue.submit(List.of("a"));
    CompletableFuture<List<String>> b = queue.submit(List.of("b"));
    CompletableFuture<List<String>> c = queue.submit(List.of("c"));
    CompletableFuture<List<String>> d = queue.submit(List.of("d"));

    assertThat(scheduler.runReady()).isEqualTo(2);

    assertThatThrownBy(a::join).cause().isSameAs(boom);
    assertThatThrownBy(b::join).cause().isSameAs(boom);
    assertThat(c).isCompletedWithValue(List.of("out:c"));
    assertThat(d).isCompletedWithValue(List.of("out:d"));
    assertThat(listener.batches).extracting(BatchListener.BatchRun::failed).containsExactly(true, false);
  }

  @Test
  void runReady_runnerThrowsOnPartOfASplitRequest_restOfItIsNotRun() {
    RuntimeException boom = new RuntimeException("engine exploded");
    FakeEngine engine = new FakeEngine("m").behave((runner, inputs) -> {
      if (inputs.contains("r0")) {
        throw boom;
      }
      return FakeEngine.echo(inputs);
    });
    ModelQueue<String, String> queue = scheduler.register("m", new BatchingOptions(2, Duration.ofMillis(10), 10), engine);
    CompletableFuture<List<String>> r = queue.submit(images("r", 5));
    CompletableFuture<List<String>> s = queue.submit(List.of("s0"));

    assertThat(scheduler.runReady()).isEqualTo(1);
    assertThatThrownBy(r::join).cause().isSameAs(boom);
    assertThat(queue.queuedImages()).isEqualTo(1); // r2..r4 left the count with r; s0 waits for the delay

    ticker.advance(Duration.ofMillis(10));
    assertThat(scheduler.runReady()).isEqualTo(1);
    assertThat(engine.batches).containsExactly(List.of("r0", "r1"), List.of("s0"));
    assertThat(s).isCompletedWithValue(List.of("out:s0"));
  }

  @Test
  void runReady_failedRequestLeftBehindInAFullQueue_countedOnlyOnce() {
    RuntimeException boom = new RuntimeException("engine exploded");
    FakeEngine engine = new FakeEngine("m").behave((runner, inputs) -> {
      if (inputs.contains("r0")) {
        throw boom;
      }
      return FakeEngine.echo(inputs);
    });
    ModelQueue<String, String> queue = scheduler.register("m", new BatchingOptions(2, Duration.ofHours(1), 10), engine);
    CompletableFuture<List<String>> r = queue.submit(images("r", 3));
    CompletableFuture<List<String>> s = queue.submit(images("s", 4));

    // r2 stays at the head, dead, while s keeps the queue full: it must be skipped without being counted again.
    assertThat(scheduler.runReady()).isEqualTo(3);

    assertThat(engine.batches).containsExactly(List.of("r0", "r1"), List.of("s0", "s1"), List.of("s2", "s3"));
    assertThatThrownBy(r::join).cause().isSameAs(boom);
    assertThat(s).isCompletedWithValue(FakeEngine.echo(images("s", 4)));
    assertThat(queue.queuedImages()).isZero();
  }

  @Test
  void runReady_runnerReturnsTooFewOutputs_failsTheBatchSayingSo() {
    FakeEngine engine = new FakeEngine("m").behave((runner, inputs) -> List.of("only one"));
    ModelQueue<String, String> queue = scheduler.register("m", new BatchingOptions(2, Duration.ZERO, 10), engine);
    CompletableFuture<List<String>> future = queue.submit(List.of("a", "b"));

    scheduler.runReady();

    assertThatThrownBy(future::join).cause()
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("m: runner returned 1 outputs for 2 inputs");
  }

  @Test
  void runReady_runnerFactoryThrows_failsTheBatchAndIsAskedAgainNextTime() {
    AtomicInteger calls = new AtomicInteger();
    FakeEngine engine = new FakeEngine("m");
    RuntimeException noModel = new RuntimeException("predictor unavailable");
    ModelQueue<String, String> queue = scheduler.register("m", new BatchingOptions(1, Duration.ZERO, 10), () -> {
      if (calls.incrementAndGet() == 1) {
        throw noModel;
      }
      return engine.get();
    });
    CompletableFuture<List<String>> first = queue.submit(List.of("a"));
    CompletableFuture<List<String>> second = queue.submit(List.of("b"));

    assertThat(scheduler.runReady()).isEqualTo(2);

    assertThatThrownBy(first::join).cause().isSameAs(noModel);
    assertThat(second).isCompletedWithValue(List.of("out:b"));
    assertThat(calls).hasValue(2);
  }
}
