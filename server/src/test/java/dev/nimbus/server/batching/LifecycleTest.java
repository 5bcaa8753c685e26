package dev.nimbus.server.batching;

import static dev.nimbus.server.batching.FakeEngine.images;
import static dev.nimbus.server.batching.Futures.batchingFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nimbus.server.batching.BatchingException.Kind;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Runners per thread and model, unregistering and closing; driven by the test with a fake ticker. */
class LifecycleTest {
  private final FakeTicker ticker = new FakeTicker();
  private final RecordingListener listener = new RecordingListener();
  private final BatchScheduler scheduler =
      BatchScheduler.builder().batchThreads(0).ticker(ticker).listener(listener).build();

  @AfterEach
  void closeScheduler() {
    scheduler.close();
  }

  private static BatchingOptions options(int maxBatchSize) {
    return new BatchingOptions(maxBatchSize, Duration.ofMillis(10), 100);
  }

  @Test
  void unregister_whileABatchRuns_failsWaitingRequestsAndClosesRunnerAfterTheBatch() {
    List<Object> seenInsideRun = new ArrayList<>();
    List<CompletableFuture<Void>> terminated = new ArrayList<>();
    List<CompletableFuture<List<String>>> waiting = new ArrayList<>();
    FakeEngine engine = new FakeEngine("m").behave((runner, inputs) -> {
      terminated.add(scheduler.unregister("m")); // from the batch thread itself, mid-batch
      seenInsideRun.add(waiting.get(0).isCompletedExceptionally());
      seenInsideRun.add(runner.closes.get());
      seenInsideRun.add(terminated.get(0).isDone());
      return FakeEngine.echo(inputs);
    });
    ModelQueue<String, String> queue = scheduler.register("m", options(2), engine);
    CompletableFuture<List<String>> running = queue.submit(List.of("a0", "a1"));
    waiting.add(queue.submit(List.of("b0")));

    assertThat(scheduler.runReady()).isEqualTo(1);

    // Inside the batch: the waiting request had failed, the runner was open, termination pending.
    assertThat(seenInsideRun).containsExactly(true, 0, false);
    assertThat(running).isCompletedWithValue(List.of("out:a0", "out:a1")); // the running batch finished normally
    assertThat(batchingFailure(waiting.get(0)).kind()).isEqualTo(Kind.SHUT_DOWN);
    assertThat(engine.runners).singleElement().satisfies(r -> assertThat(r.closes).hasValue(1));
    assertThat(terminated.get(0)).isCompleted();
    assertThat(listener.dropped).containsExactly("m:1:SHUT_DOWN");
    assertThat(queue.queuedImages()).isZero();
  }

  @Test
  void submit_afterUnregister_refusedAsShutDown() {
    ModelQueue<String, String> queue = scheduler.register("m", options(2), new FakeEngine("m"));
    scheduler.unregister("m");

    assertThat(batchingFailure(queue.submit(List.of("a"))).kind()).isEqualTo(Kind.SHUT_DOWN);
    assertThat(queue.queuedImages()).isZero();
  }

  @Test
  void unregister_idleModel_closesItsRunnerAtOnce() {
    FakeEngine engine = new FakeEngine("m");
    ModelQueue<String, String> queue = scheduler.register("m", options(1), engine);
    queue.submit(List.of("a"));
    scheduler.runReady();

    CompletableFuture<Void> terminated = scheduler.unregister("m");

    assertThat(terminated).isCompleted();
    assertThat(engine.closes()).isEqualTo(1);
  }

  @Test
  void unregister_modelThatNeverRan_createsNoRunner() {
    FakeEngine engine = new FakeEngine("m");
    ModelQueue<String, String> queue = scheduler.register("m", options(4), engine);
    CompletableFuture<List<String>> waiting = queue.submit(List.of("a"));

    assertThat(scheduler.unregister("m")).isCompleted();

    assertThat(batchingFailure(waiting).kind()).isEqualTo(Kind.SHUT_DOWN);
    assertThat(engine.runners).isEmpty();
  }

  @Test
  void unregister_runnerCloseThrows_stillTerminates() {
    ModelQueue<String, String> queue = scheduler.register("m", options(1), () -> new BatchRunner<String, String>() {
      @Override
      public List<String> run(List<String> inputs) {
        return inputs;
      }

      @Override
      public void close() {
        throw new IllegalStateException("native handle already gone");
      }
    });
    queue.submit(List.of("a"));
    scheduler.runReady();

    assertThat(scheduler.unregister("m")).isCompleted();
  }

  @Test
  void register_sameKeyAfterUnregister_getsAFreshQueueAndRunner() {
    FakeEngine old = new FakeEngine("m");
    scheduler.register("m", options(1), old).submit(List.of("a"));
    scheduler.runReady();
    scheduler.unregister("m");

    FakeEngine fresh = new FakeEngine("m");
    CompletableFuture<List<String>> future = scheduler.register("m", options(1), fresh).submit(List.of("b"));
    scheduler.runReady();

    assertThat(future).isCompletedWithValue(List.of("out:b"));
    assertThat(old.batches).containsExactly(List.of("a"));
    assertThat(fresh.batches).containsExactly(List.of("b"));
  }

  @Test
  void runners_onePerModel_reusedAcrossBatchesAndClosedExactlyOnce() {
    FakeEngine a = new FakeEngine("a");
    FakeEngine b = new FakeEngine("b");
    ModelQueue<String, String> qa = scheduler.register("a", options(2), a);
    ModelQueue<String, String> qb = scheduler.register("b", options(2), b);
    qa.submit(images("a", 6));
    qb.submit(images("b", 4));
    scheduler.runReady();
    qa.submit(images("c", 2));
    scheduler.runReady();

    assertThat(a.runners).singleElement().satisfies(r -> assertThat(r.runs).hasValue(4));
    assertThat(b.runners).singleElement().satisfies(r -> assertThat(r.runs).hasValue(2));
    assertThat(a.closes() + b.closes()).isZero();

    scheduler.close();
    scheduler.close(); // idempotent

    assertThat(a.runners.get(0).closes).hasValue(1);
    assertThat(b.runners.get(0).closes).hasValue(1);
  }

  @Test
  void close_failsWaitingRequestsOfEveryModelAndRefusesNewWork() {
    ModelQueue<String, String> qa = scheduler.register("a", options(4), new FakeEngine("a"));
    ModelQueue<String, String> qb = scheduler.register("b", options(4), new FakeEngine("b"));
    CompletableFuture<List<String>> fa = qa.submit(List.of("a"));
    CompletableFuture<List<String>> fb = qb.submit(List.of("b0", "b1"));

    scheduler.close();

    assertThat(batchingFailure(fa).kind()).isEqualTo(Kind.SHUT_DOWN);
    assertThat(batchingFailure(fb).kind()).isEqualTo(Kind.SHUT_DOWN);
    assertThat(batchingFailure(qa.submit(List.of("late"))).kind()).isEqualTo(Kind.SHUT_DOWN);
    assertThat(listener.dropped).containsExactlyInAnyOrder("a:1:SHUT_DOWN", "b:2:SHUT_DOWN");
    assertThatThrownBy(() -> scheduler.register("c", options(1), new FakeEngine("c")))
        .isInstanceOf(IllegalStateException.class);
    assertThat(scheduler.runReady()).isZero();
  }

  @Test
  void runnerCallbacksAndListener_neverRunUnderTheSchedulersLock() {
    listener.scheduler = scheduler;
    List<Boolean> heldLock = new CopyOnWriteArrayList<>();
    FakeEngine engine = new FakeEngine("m").behave((runner, inputs) -> {
      heldLock.add(scheduler.holdsLock());
      return FakeEngine.echo(inputs);
    });
    ModelQueue<String, String> queue = scheduler.register("m", new BatchingOptions(2, Duration.ZERO, 2), engine);
    queue.submit(List.of("a")).whenComplete((r, e) -> heldLock.add(scheduler.holdsLock()));
    queue.submit(List.of("b"), ticker.nanos() + 1, () -> false)
        .whenComplete((r, e) -> heldLock.add(scheduler.holdsLock()));
    queue.submit(List.of("c", "d")).whenComplete((r, e) -> heldLock.add(scheduler.holdsLock())); // refused: full
    ticker.advanceNanos(1); // b expires

    scheduler.runReady();
    scheduler.close();

    assertThat(heldLock).hasSize(4).containsOnly(false);
    assertThat(listener.heldLock).hasSize(3).containsOnly(false); // a rejection, a drop, a batch
  }

  @Test
  void completionExecutor_completesFuturesOffTheBatchThread() {
    ArrayDeque<Runnable> handedOff = new ArrayDeque<>();
    try (BatchScheduler s = BatchScheduler.builder().batchThreads(0).ticker(ticker)
        .completionExecutor(handedOff::add).build()) {
      ModelQueue<String, String> queue = s.register("m", new BatchingOptions(2, Duration.ZERO, 2), new FakeEngine("m"));
      CompletableFuture<List<String>> future = queue.submit(List.of("a", "b"));

      assertThat(s.runReady()).isEqualTo(1);
      assertThat(future).isNotDone();
      assertThat(handedOff).hasSize(1); // one hand-off per batch

      handedOff.poll().run();
      assertThat(future).isCompletedWithValue(List.of("out:a", "out:b"));
    }
  }
}
