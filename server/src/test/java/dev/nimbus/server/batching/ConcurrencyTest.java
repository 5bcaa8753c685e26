package dev.nimbus.server.batching;

import static dev.nimbus.server.batching.FakeEngine.images;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nimbus.server.batching.BatchingException.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real batch threads and the system ticker; every wait is bounded by a latch or a future with a timeout. */
@Timeout(60)
class ConcurrencyTest {
  private static final long WAIT_SECONDS = 20;

  @Test
  void submit_manyThreadsManyModels_everyResultCorrectInOrderAndCompletedOnce() throws Exception {
    AtomicLong imagesThroughBatches = new AtomicLong();
    BatchListener listener = new BatchListener() {
      @Override
      public void onBatch(BatchRun batch) {
        imagesThroughBatches.addAndGet(batch.size());
      }
    };
    Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    List<FakeEngine> engines = new ArrayList<>();
    List<ModelQueue<String, String>> queues = new ArrayList<>();
    try (BatchScheduler scheduler = BatchScheduler.builder().batchThreads(2).listener(listener).build()) {
      int[][] options = {{8, 1}, {3, 0}, {1, 0}}; // {maxBatchSize, maxBatchDelay ms}
      for (int m = 0; m < options.length; m++) {
        FakeEngine engine = new FakeEngine("m" + m).behave((runner, inputs) -> {
          inputs.forEach(x -> seen.computeIfAbsent(x, k -> new AtomicInteger()).incrementAndGet());
          return FakeEngine.echo(inputs);
        });
        engines.add(engine);
        queues.add(scheduler.register(engine.name,
            new BatchingOptions(options[m][0], Duration.ofMillis(options[m][1]), 100_000), engine));
      }
      int submitters = 4;
      int requestsEach = 300;
      Map<CompletableFuture<List<String>>, List<String>> expected = new ConcurrentHashMap<>();
      AtomicInteger completions = new AtomicInteger();
      CyclicBarrier start = new CyclicBarrier(submitters);
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < submitters; t++) {
        int id = t;
        threads.add(new Thread(() -> {
          Random random = new Random(id);
          await(start);
          for (int r = 0; r < requestsEach; r++) {
            List<String> inputs = images("t" + id + "r" + r + "i", 1 + random.nextInt(10));
            CompletableFuture<List<String>> future = queues.get(random.nextInt(queues.size())).submit(inputs);
            future.whenComplete((v, e) -> completions.incrementAndGet());
            expected.put(future, FakeEngine.echo(inputs));
          }
        }));
      }
      threads.forEach(Thread::start);
      for (Thread thread : threads) {
        thread.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
      }

      CompletableFuture.allOf(expected.keySet().toArray(CompletableFuture[]::new))
          .get(WAIT_SECONDS, TimeUnit.SECONDS);

      assertThat(expected).hasSize(submitters * requestsEach);
      expected.forEach((future, outputs) -> assertThat(future.join()).isEqualTo(outputs));
      int totalImages = expected.values().stream().mapToInt(List::size).sum();
      assertThat(seen).hasSize(totalImages);
      assertThat(seen.values()).allSatisfy(count -> assertThat(count).hasValue(1)); // no image ran twice
      assertThat(imagesThroughBatches).hasValue(totalImages);
      assertThat(completions).hasValue(submitters * requestsEach);
      assertThat(queues).allSatisfy(q -> assertThat(q.queuedImages()).isZero());
      assertThat(engines).allSatisfy(e -> assertThat(e.runners).hasSizeBetween(1, 2)); // at most one per thread
    }
    assertThat(engines).allSatisfy(e -> assertThat(e.runners).allSatisfy(r -> assertThat(r.closes).hasValue(1)));
  }

  @Test
  void runner_batchesOfOneRequestFinishOutOfOrder_outputsStillInInputOrder() throws Exception {
    CountDownLatch secondFinished = new CountDownLatch(1);
    List<List<String>> finished = new CopyOnWriteArrayList<>();
    FakeEngine engine = new FakeEngine("m").behave((runner, inputs) -> {
      if (inputs.contains("x0")) {
        assertThat(secondFinished.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue(); // the first batch finishes last
      }
      finished.add(inputs);
      secondFinished.countDown();
      return FakeEngine.echo(inputs);
    });
    try (BatchScheduler scheduler = BatchScheduler.builder().batchThreads(2).build()) {
      ModelQueue<String, String> queue = scheduler.register("m", new BatchingOptions(2, Duration.ZERO, 10), engine);

      CompletableFuture<List<String>> future = queue.submit(images("x", 4));

      assertThat(future.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(List.of("out:x0", "out:x1", "out:x2", "out:x3"));
      assertThat(finished).containsExactly(List.of("x2", "x3"), List.of("x0", "x1"));
    }
  }

  @Test
  void runners_onePerBatchThreadPerModel_closedExactlyOnce() throws Exception {
    Map<String, FakeEngine> engines = new HashMap<>();
    Map<String, CountDownLatch> bothThreadsInside = new HashMap<>();
    try (BatchScheduler scheduler = BatchScheduler.builder().batchThreads(2).build()) {
      Map<String, ModelQueue<String, String>> queues = new HashMap<>();
      for (String model : List.of("a", "b")) {
        CountDownLatch inside = new CountDownLatch(2);
        bothThreadsInside.put(model, inside);
        FakeEngine engine = new FakeEngine(model).behave((runner, inputs) -> {
          inside.countDown(); // a batch of this model holds its thread until the other thread runs one too
          assertThat(inside.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
          return FakeEngine.echo(inputs);
        });
        engines.put(model, engine);
        queues.put(model, scheduler.register(model, new BatchingOptions(1, Duration.ZERO, 100), engine));
      }
      for (String model : List.of("a", "b")) {
        List<CompletableFuture<List<String>>> futures = new ArrayList<>();
        for (int round = 0; round < 3; round++) { // the first round needs both threads; later ones reuse runners
          futures.add(queues.get(model).submit(List.of(model + round + "x")));
          futures.add(queues.get(model).submit(List.of(model + round + "y")));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(WAIT_SECONDS, TimeUnit.SECONDS);
      }

      for (FakeEngine engine : engines.values()) {
        assertThat(engine.runners).hasSize(2);
        assertThat(engine.runners).allSatisfy(r -> assertThat(r.threads).hasSize(1)); // a runner stays on its thread
        assertThat(engine.runners.get(0).threads).doesNotContainAnyElementsOf(engine.runners.get(1).threads);
        assertThat(engine.closes()).isZero();
      }
    }
    for (FakeEngine engine : engines.values()) {
      assertThat(engine.runners).allSatisfy(r -> assertThat(r.closes).hasValue(1));
    }
  }

  @Test
  void close_underLoad_failsWaitingRequestsAtOnceAndReturnsOnceRunningBatchesFinish() throws Exception {
    CountDownLatch bothRunning = new CountDownLatch(2);
    CountDownLatch release = new CountDownLatch(1);
    FakeEngine engine = new FakeEngine("m").behave((runner, inputs) -> {
      bothRunning.countDown();
      assertThat(release.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
      return FakeEngine.echo(inputs);
    });
    BatchScheduler scheduler = BatchScheduler.builder().batchThreads(2).build();
    ModelQueue<String, String> queue = scheduler.register("m", new BatchingOptions(4, Duration.ZERO, 1000), engine);
    Map<String, CompletableFuture<List<String>>> futures = new HashMap<>();
    for (int i = 0; i < 200; i++) {
      futures.put("r" + i, queue.submit(List.of("r" + i)));
    }
    assertThat(bothRunning.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    List<String> running = engine.batches.stream().flatMap(List::stream).toList(); // two batches, 2..8 images
    assertThat(engine.batches).hasSize(2);

    Thread closer = new Thread(scheduler::close, "closer");
    closer.start();
    List<CompletableFuture<List<String>>> waiting = futures.entrySet().stream()
        .filter(e -> !running.contains(e.getKey())).map(Map.Entry::getValue).toList();
    CompletableFuture.allOf(waiting.toArray(CompletableFuture[]::new))
        .handle((v, e) -> null).get(WAIT_SECONDS, TimeUnit.SECONDS); // failed while the batches still run

    assertThat(waiting).hasSize(200 - running.size()).allSatisfy(f -> assertThat(Futures.batchingFailure(f).kind())
        .isEqualTo(Kind.SHUT_DOWN));
    assertThat(closer.isAlive()).isTrue(); // close() waits for the running batches
    assertThat(engine.closes()).isZero();

    release.countDown();
    closer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));

    assertThat(closer.isAlive()).isFalse();
    for (String input : running) {
      assertThat(futures.get(input)).isCompletedWithValue(List.of("out:" + input));
    }
    assertThat(engine.runners).hasSize(2).allSatisfy(r -> assertThat(r.closes).hasValue(1));
    assertThat(queue.queuedImages()).isZero();
  }

  @Test
  void unregister_racingSubmitters_everyFutureCompletesAndRunnersCloseOnce() throws Exception {
    FakeEngine engine = new FakeEngine("m");
    try (BatchScheduler scheduler = BatchScheduler.builder().batchThreads(2).build()) {
      ModelQueue<String, String> queue = scheduler.register("m", new BatchingOptions(4, Duration.ZERO, 64), engine);
      List<CompletableFuture<List<String>>> futures = new CopyOnWriteArrayList<>();
      CountDownLatch someRan = new CountDownLatch(100); // unregister races with batches, not just with submits
      List<Thread> submitters = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        int id = t;
        submitters.add(new Thread(() -> {
          for (int i = 0; i < 20_000; i++) { // until refused as shut down; the bound only guards the test
            CompletableFuture<List<String>> f = queue.submit(List.of("t" + id + "i" + i));
            futures.add(f);
            f.thenRun(someRan::countDown);
            if (f.isCompletedExceptionally() && kindOf(f) == Kind.SHUT_DOWN) {
              return;
            }
          }
        }));
      }
      submitters.forEach(Thread::start);
      assertThat(someRan.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();

      CompletableFuture<Void> terminated = scheduler.unregister("m");

      for (Thread submitter : submitters) {
        submitter.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        assertThat(submitter.isAlive()).isFalse();
      }
      terminated.get(WAIT_SECONDS, TimeUnit.SECONDS);
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
          .handle((v, e) -> null).get(WAIT_SECONDS, TimeUnit.SECONDS);

      Map<Object, Long> outcomes = new HashMap<>();
      for (CompletableFuture<List<String>> f : futures) {
        outcomes.merge(f.isCompletedExceptionally() ? kindOf(f) : "ok", 1L, Long::sum);
      }
      assertThat(outcomes.keySet()).contains("ok", Kind.SHUT_DOWN).isSubsetOf("ok", Kind.SHUT_DOWN, Kind.QUEUE_FULL);
      assertThat(engine.runners).isNotEmpty().allSatisfy(r -> assertThat(r.closes).hasValue(1));
      assertThat(queue.queuedImages()).isZero();
    }
  }

  @Test
  void batchThreads_partialBatch_runAfterMaxBatchDelayNotBefore() throws Exception {
    Duration delay = Duration.ofMillis(30);
    Ticker ticker = Ticker.system();
    try (BatchScheduler scheduler = BatchScheduler.builder().batchThreads(2).ticker(ticker).build()) {
      FakeEngine engine = new FakeEngine("m");
      ModelQueue<String, String> queue = scheduler.register("m", new BatchingOptions(8, delay, 10), engine);
      long start = ticker.nanos();

      queue.submit(List.of("a")).get(WAIT_SECONDS, TimeUnit.SECONDS);

      assertThat(ticker.nanos() - start).isGreaterThanOrEqualTo(delay.toNanos());
    }
  }

  @Test
  void batchThreads_waitingForALongDelay_wokenByAFullBatchOrAZeroDelayModel() throws Exception {
    try (BatchScheduler scheduler = BatchScheduler.builder().batchThreads(2).build()) {
      ModelQueue<String, String> patient =
          scheduler.register("patient", new BatchingOptions(2, Duration.ofHours(1), 10), new FakeEngine("patient"));
      ModelQueue<String, String> eager =
          scheduler.register("eager", new BatchingOptions(4, Duration.ZERO, 10), new FakeEngine("eager"));
      awaitTrue(() -> scheduler.idleThreads() == 2); // both parked: only a signal can wake them now
      CompletableFuture<List<String>> partial = patient.submit(List.of("p0")); // a thread now waits up to an hour

      assertThat(eager.submit(List.of("e0")).get(WAIT_SECONDS, TimeUnit.SECONDS)).containsExactly("out:e0");
      assertThat(patient.submit(List.of("p1")).get(WAIT_SECONDS, TimeUnit.SECONDS)).containsExactly("out:p1");
      assertThat(partial).isCompletedWithValue(List.of("out:p0")); // p0 and p1 made one full batch
    }
  }

  @Test
  void retryAfter_twoBatchThreads_expectsThemToDrainTheQueueTogether() throws Exception {
    CountDownLatch bothBusy = new CountDownLatch(2);
    CountDownLatch release = new CountDownLatch(1);
    FakeEngine blocker = new FakeEngine("blocker").behave((runner, inputs) -> {
      bothBusy.countDown();
      assertThat(release.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
      return FakeEngine.echo(inputs);
    });
    try (BatchScheduler scheduler = BatchScheduler.builder().batchThreads(2).ticker(new FakeTicker()).build()) {
      ModelQueue<String, String> busy = scheduler.register("blocker", new BatchingOptions(1, Duration.ZERO, 2), blocker);
      ModelQueue<String, String> queue =
          scheduler.register("m", new BatchingOptions(2, Duration.ofMillis(40), 4), new FakeEngine("m"));
      busy.submit(List.of("x"));
      busy.submit(List.of("y"));
      assertThat(bothBusy.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue(); // no thread can take m's batches now
      CompletableFuture<List<String>> queued = queue.submit(images("a", 4));

      BatchingException refused = Futures.batchingFailure(queue.submit(List.of("b")));

      // one batch must leave; no run time measured yet, so maxBatchDelay per batch, over 2 threads
      assertThat(refused.retryAfter()).hasValue(Duration.ofMillis(20));
      release.countDown();
      assertThat(queued.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(FakeEngine.echo(images("a", 4)));
    }
  }

  @Test
  void batchThreads_leaderTakesABatch_handsTheTimedWaitToAnIdleThread() throws Exception {
    CountDownLatch releaseX = new CountDownLatch(1);
    CompletableFuture<List<String>> dueSoon = new CompletableFuture<>();
    FakeEngine x = new FakeEngine("x").behave((runner, inputs) -> {
      assertThat(releaseX.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
      return FakeEngine.echo(inputs);
    });
    FakeEngine b = new FakeEngine("b").behave((runner, inputs) -> {
      dueSoon.get(WAIT_SECONDS, TimeUnit.SECONDS); // holds its thread until the other one has run a's batch
      return FakeEngine.echo(inputs);
    });
    try (BatchScheduler scheduler = BatchScheduler.builder().batchThreads(2).build()) {
      ModelQueue<String, String> qx = scheduler.register("x", new BatchingOptions(1, Duration.ZERO, 1), x);
      ModelQueue<String, String> qa =
          scheduler.register("a", new BatchingOptions(8, Duration.ofMillis(300), 8), new FakeEngine("a"));
      ModelQueue<String, String> qb = scheduler.register("b", new BatchingOptions(1, Duration.ZERO, 1), b);
      awaitTrue(() -> scheduler.idleThreads() == 2);
      CompletableFuture<List<String>> fx = qx.submit(List.of("x0")); // thread 1 runs x until released
      awaitTrue(() -> scheduler.idleThreads() == 1 && !x.batches.isEmpty());
      qa.submit(List.of("a0")).whenComplete((r, e) -> dueSoon.complete(r)); // thread 2 waits timed for a
      awaitTrue(scheduler::hasTimedWaiter);
      releaseX.countDown();
      fx.get(WAIT_SECONDS, TimeUnit.SECONDS);
      awaitTrue(() -> scheduler.idleThreads() == 2); // thread 1 waits untimed, behind the timed waiter

      // The timed waiter is woken for b and runs it; thread 1 must take over the wait for a, or a waits for b.
      assertThat(qb.submit(List.of("b0")).get(WAIT_SECONDS, TimeUnit.SECONDS)).containsExactly("out:b0");
      assertThat(dueSoon).isCompletedWithValue(List.of("out:a0"));
    }
  }

  /** Polls a condition about the scheduler's threads; bounded, and yields rather than sleeping. */
  private static void awaitTrue(BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("condition not met in time").isNegative();
      Thread.yield();
    }
  }

  private static Kind kindOf(CompletableFuture<?> future) {
    try {
      future.join();
      return null;
    } catch (CompletionException e) {
      return e.getCause() instanceof BatchingException b ? b.kind() : null;
    }
  }

  private static void await(CyclicBarrier barrier) {
    try {
      barrier.await(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
