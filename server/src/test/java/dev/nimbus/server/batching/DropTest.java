package dev.nimbus.server.batching;

import static dev.nimbus.server.batching.FakeEngine.images;
import static dev.nimbus.server.batching.Futures.batchingFailure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nimbus.server.batching.BatchingException.Kind;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Requests whose deadline passed or that were cancelled are dropped when their batch closes, unseen by the engine. */
class DropTest {
  private static final Duration DELAY = Duration.ofMillis(10);

  private final FakeTicker ticker = new FakeTicker();
  private final RecordingListener listener = new RecordingListener();
  private final BatchScheduler scheduler =
      BatchScheduler.builder().batchThreads(0).ticker(ticker).listener(listener).build();
  private final FakeEngine engine = new FakeEngine("m");

  @AfterEach
  void closeScheduler() {
    scheduler.close();
  }

  private ModelQueue<String, String> register(int maxBatchSize) {
    return scheduler.register("m", new BatchingOptions(maxBatchSize, DELAY, 100), engine);
  }

  private long in(Duration d) {
    return ticker.nanos() + d.toNanos();
  }

  @Test
  void runReady_deadlinePassedBeforeDispatch_failsDeadlineExceededAndEngineNeverCalled() {
    ModelQueue<String, String> queue = register(4);
    CompletableFuture<List<String>> future = queue.submit(List.of("a", "b"), in(Duration.ofMillis(5)), () -> false);

    ticker.advance(DELAY);
    assertThat(scheduler.runReady()).isZero();

    assertThat(batchingFailure(future).kind()).isEqualTo(Kind.DEADLINE_EXCEEDED);
    assertThat(engine.runners).isEmpty(); // not even a runner was made for a batch left empty
    assertThat(queue.queuedImages()).isZero();
    assertThat(listener.dropped).containsExactly("m:2:DEADLINE_EXCEEDED");
    assertThat(listener.batches).isEmpty();
  }

  @Test
  void runReady_deadlineExactlyAtDispatch_dropped_oneNanosecondLater_runs() {
    ModelQueue<String, String> queue = register(4);
    CompletableFuture<List<String>> atDispatch = queue.submit(List.of("a"), in(DELAY), () -> false);
    CompletableFuture<List<String>> justAfter = queue.submit(List.of("b"), in(DELAY.plusNanos(1)), () -> false);

    ticker.advance(DELAY);
    assertThat(scheduler.runReady()).isEqualTo(1);

    assertThat(batchingFailure(atDispatch).kind()).isEqualTo(Kind.DEADLINE_EXCEEDED);
    assertThat(justAfter).isCompletedWithValue(List.of("out:b"));
    assertThat(engine.batches).containsExactly(List.of("b"));
  }

  @Test
  void runReady_droppedRequest_takesNoBatchSlot() {
    ModelQueue<String, String> queue = register(2);
    CompletableFuture<List<String>> late = queue.submit(List.of("x"), in(Duration.ofMillis(1)), () -> false);
    ticker.advance(Duration.ofMillis(1));
    CompletableFuture<List<String>> live = queue.submit(List.of("y0", "y1")); // 3 waiting: a full batch

    assertThat(scheduler.runReady()).isEqualTo(1);

    assertThat(engine.batches).containsExactly(List.of("y0", "y1")); // two live images, not y0 alone
    assertThat(live).isCompletedWithValue(List.of("out:y0", "out:y1"));
    assertThat(batchingFailure(late).kind()).isEqualTo(Kind.DEADLINE_EXCEEDED);
    assertThat(queue.queuedImages()).isZero();
  }

  @Test
  void runReady_cancelledBeforeDispatch_failsCancelledAndEngineNeverCalled() {
    ModelQueue<String, String> queue = register(4);
    AtomicBoolean cancelled = new AtomicBoolean();
    CompletableFuture<List<String>> future =
        queue.submit(List.of("a"), BatchScheduler.NO_DEADLINE, cancelled::get);

    cancelled.set(true);
    ticker.advance(DELAY);
    assertThat(scheduler.runReady()).isZero();

    assertThat(batchingFailure(future).kind()).isEqualTo(Kind.CANCELLED);
    assertThat(engine.runners).isEmpty();
    assertThat(queue.queuedImages()).isZero();
    assertThat(listener.dropped).containsExactly("m:1:CANCELLED");
  }

  @Test
  void runReady_futureCancelledByCaller_droppedAndEngineNeverCalled() {
    ModelQueue<String, String> queue = register(4);
    CompletableFuture<List<String>> cancelled = queue.submit(List.of("a", "b"));
    CompletableFuture<List<String>> kept = queue.submit(List.of("c"));

    cancelled.cancel(false);
    ticker.advance(DELAY);
    assertThat(scheduler.runReady()).isEqualTo(1);

    assertThat(engine.batches).containsExactly(List.of("c"));
    assertThat(kept).isCompletedWithValue(List.of("out:c"));
    assertThat(listener.dropped).containsExactly("m:2:CANCELLED");
    assertThat(queue.queuedImages()).isZero();
  }

  @Test
  void runReady_cancellationCheckThrows_treatedAsCancelledWithThatCause() {
    ModelQueue<String, String> queue = register(4);
    IllegalStateException broken = new IllegalStateException("context gone");
    CompletableFuture<List<String>> future = queue.submit(List.of("a"), BatchScheduler.NO_DEADLINE, new BooleanSupplier() {
      private boolean asked;

      @Override
      public boolean getAsBoolean() {
        if (asked) {
          throw broken;
        }
        asked = true; // fine at submit
        return false;
      }
    });

    ticker.advance(DELAY);
    scheduler.runReady();

    BatchingException e = batchingFailure(future);
    assertThat(e.kind()).isEqualTo(Kind.CANCELLED);
    assertThat(e).hasCause(broken);
    assertThat(engine.runners).isEmpty();
  }

  @Test
  void runReady_splitRequestExpiresBetweenItsBatches_restDroppedAndRequestFails() {
    ModelQueue<String, String> queue = register(4);
    CompletableFuture<List<String>> future = queue.submit(images("x", 10), in(Duration.ofMillis(5)), () -> false);

    assertThat(scheduler.runReady()).isEqualTo(2);
    ticker.advance(DELAY);
    assertThat(scheduler.runReady()).isZero();

    assertThat(batchingFailure(future).kind()).isEqualTo(Kind.DEADLINE_EXCEEDED);
    assertThat(engine.batches).hasSize(2);
    assertThat(listener.dropped).containsExactly("m:2:DEADLINE_EXCEEDED"); // only the images that never ran
    assertThat(queue.queuedImages()).isZero();
  }
}
