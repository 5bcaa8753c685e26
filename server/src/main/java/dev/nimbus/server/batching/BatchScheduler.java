package dev.nimbus.server.batching;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Forms batches from the queues of registered models and runs them on a fixed set of batch threads shared by all
 * models (TF Serving's shared batch scheduler, DJL Serving's work-load manager).
 *
 * <p><b>Dispatch.</b> A model's queue is ready when it holds {@code maxBatchSize} waiting images, or when its
 * oldest waiting image has waited {@code maxBatchDelay} by the ticker. A free batch thread visits the queues
 * round-robin, starting after the one it served last, and takes up to {@code maxBatchSize} images from the head of
 * the first ready queue. That is when the batch closes: requests whose deadline passed or that were cancelled are
 * dropped then and take no slot, and a batch left empty is not run. Several batches of one model may run at once,
 * each on its thread's own runner for that model, created lazily by the model's factory.
 *
 * <p><b>Threads and locking.</b> One lock guards every queue; it is held to admit a request, to pick a batch and to
 * account for a finished one, never while a runner runs, a runner is created or closed, a future completes or the
 * listener is called. Idle batch threads wait on one condition, leader/follower as in
 * {@link java.util.concurrent.DelayQueue}: one thread (the leader) waits with a timeout until the earliest queue
 * becomes ready, the others wait untimed; a submit wakes a thread only when it makes a queue's first image or fills
 * a batch. So idle threads do not spin, and a scheduler with only a partial batch pending wakes once, when it is
 * due. The ticker must follow real time here ({@link Ticker#system()}), since the timed wait is in real time.
 *
 * <p><b>Where futures complete.</b> By default on the batch thread, right after the engine call, which costs no
 * thread hand-off; callbacks attached with the non-async {@code CompletableFuture} methods then run on the batch
 * thread and hold up the next batch, so callers with slow callbacks should use the {@code *Async} methods, or build
 * the scheduler with a {@link Builder#completionExecutor completion executor} (one hand-off per batch).
 *
 * <p><b>Test mode.</b> Built with {@code batchThreads(0)} the scheduler has no threads: the test calls
 * {@link #runReady()} to run, on its own thread, every batch that is ready at the ticker's current time, and
 * {@link #nanosUntilNextBatch()} to learn how far to move a fake ticker.
 */
public final class BatchScheduler implements AutoCloseable {

  /** The deadline of a request that has none. */
  public static final long NO_DEADLINE = Long.MAX_VALUE;

  private static final System.Logger LOG = System.getLogger(BatchScheduler.class.getName());
  private static final AtomicInteger SCHEDULERS = new AtomicInteger();

  final Ticker ticker;
  private final BatchListener listener;
  private final Executor completionExecutor; // null: complete on the batch thread
  private final int batchThreads;
  /** Runner slots per model: one per batch thread, or one for the thread calling runReady(). */
  final int workerSlots;
  private final List<Thread> threads = new ArrayList<>(); // filled by the constructor
  private final AtomicBoolean driving = new AtomicBoolean();

  final ReentrantLock lock = new ReentrantLock();
  private final Condition workAvailable = lock.newCondition();
  // Guarded by lock.
  private final Map<String, ModelQueue<?, ?>> models = new HashMap<>();
  private final List<ModelQueue<?, ?>> ring = new ArrayList<>();
  private int cursor;
  private Thread leader;
  private int idleThreads;
  private boolean shutdown;
  private boolean threadsStarted;

  private BatchScheduler(Builder builder) {
    this.ticker = builder.ticker;
    this.listener = builder.listener;
    this.completionExecutor = builder.completionExecutor;
    this.batchThreads = builder.batchThreads;
    this.workerSlots = Math.max(1, batchThreads);
    int id = SCHEDULERS.incrementAndGet();
    for (int i = 0; i < batchThreads; i++) {
      int worker = i;
      Thread thread = new Thread(() -> work(worker), "nimbus-batch-" + id + "-" + i);
      thread.setDaemon(true);
      threads.add(thread);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Adds a model's queue.
   *
   * @param runnerFactory called lazily, once per batch thread that runs a batch of this model, on that thread
   * @throws IllegalArgumentException if {@code modelKey} is registered already
   * @throws IllegalStateException if the scheduler is closed
   */
  public <I, O> ModelQueue<I, O> register(String modelKey, BatchingOptions options,
      Supplier<? extends BatchRunner<I, O>> runnerFactory) {
    return register(modelKey, options, runnerFactory, listener);
  }

  /**
   * Adds a model's queue whose events go to {@code queueListener} instead of the scheduler's listener (a listener
   * that knows the model, so it never has to read it back out of {@code modelKey}).
   */
  public <I, O> ModelQueue<I, O> register(String modelKey, BatchingOptions options,
      Supplier<? extends BatchRunner<I, O>> runnerFactory, BatchListener queueListener) {
    Objects.requireNonNull(modelKey, "modelKey");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(runnerFactory, "runnerFactory");
    Objects.requireNonNull(queueListener, "queueListener");
    ModelQueue<I, O> queue = new ModelQueue<>(this, modelKey, options, runnerFactory, queueListener);
    lock.lock();
    try {
      if (shutdown) {
        throw new IllegalStateException("scheduler is closed; cannot register " + modelKey);
      }
      if (models.putIfAbsent(modelKey, queue) != null) {
        throw new IllegalArgumentException("modelKey: %s (expected: not registered already)".formatted(modelKey));
      }
      ring.add(queue);
      if (!threadsStarted) {
        // Started with the first model rather than by the builder: a scheduler that never serves holds no threads,
        // and no thread sees a half-built scheduler.
        threadsStarted = true;
        threads.forEach(Thread::start);
      }
    } finally {
      lock.unlock();
    }
    return queue;
  }

  /**
   * Removes a model: its waiting requests fail at once with SHUT_DOWN, later submits fail the same way, batches
   * already running finish and deliver their results, and then its runners are closed.
   *
   * @return completes once the model's runners are closed (so the model itself may be closed)
   * @throws IllegalArgumentException if {@code modelKey} is not registered
   */
  public CompletableFuture<Void> unregister(String modelKey) {
    ModelQueue<?, ?> queue;
    Runnable finish;
    lock.lock();
    try {
      queue = models.remove(modelKey);
      if (queue == null) {
        throw new IllegalArgumentException("modelKey: %s (expected: a registered model)".formatted(modelKey));
      }
      int index = ring.indexOf(queue);
      ring.remove(index);
      if (index < cursor) {
        cursor--;
      }
      finish = queue.closeLocked("model " + modelKey + " was unregistered");
    } finally {
      lock.unlock();
    }
    finish.run();
    return queue.terminated();
  }

  /**
   * Fails every waiting request with SHUT_DOWN, lets running batches finish, closes all runners and stops the batch
   * threads; returns when they have stopped. Idempotent. Not to be called from a runner or a future's callback,
   * which run on a batch thread that close() would wait for.
   */
  @Override
  public void close() {
    List<Runnable> finishes = new ArrayList<>();
    lock.lock();
    try {
      if (!shutdown) {
        shutdown = true;
        for (ModelQueue<?, ?> queue : ring) {
          finishes.add(queue.closeLocked("batch scheduler closed"));
        }
        models.clear();
        ring.clear();
        workAvailable.signalAll();
      }
    } finally {
      lock.unlock();
    }
    finishes.forEach(Runnable::run);
    boolean interrupted = false;
    for (Thread thread : threads) {
      while (thread != Thread.currentThread() && thread.isAlive()) {
        try {
          thread.join();
        } catch (InterruptedException e) {
          interrupted = true; // keep waiting: the caller was promised stopped threads
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Test mode ({@code batchThreads(0)}): runs every batch that is ready at the ticker's current time, on the calling
   * thread, including batches that become ready while it runs (a runner may move a fake ticker).
   *
   * @return how many batches ran, successfully or not (a batch whose requests were all dropped does not count)
   * @throws IllegalStateException if the scheduler has batch threads, or runReady() is already running
   */
  public int runReady() {
    if (batchThreads > 0) {
      throw new IllegalStateException(
          "runReady() drives a scheduler built with batchThreads(0); this one has " + batchThreads);
    }
    if (!driving.compareAndSet(false, true)) {
      throw new IllegalStateException("runReady() is already running (called concurrently, or from a runner)");
    }
    try {
      int ran = 0;
      for (;;) {
        ModelQueue<?, ?>.Batch batch;
        lock.lock();
        try {
          batch = shutdown ? null : pollReadyLocked(ticker.nanos());
        } finally {
          lock.unlock();
        }
        if (batch == null) {
          return ran;
        }
        if (batch.process(0)) {
          ran++;
        }
      }
    } finally {
      driving.set(false);
    }
  }

  /**
   * How long, by the ticker, until some queue is ready: 0 if one is ready now, empty if no image is waiting.
   */
  public OptionalLong nanosUntilNextBatch() {
    lock.lock();
    try {
      long wait = nanosUntilReadyLocked(ticker.nanos());
      return wait == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(wait);
    } finally {
      lock.unlock();
    }
  }

  private void work(int worker) {
    for (;;) {
      ModelQueue<?, ?>.Batch batch = awaitBatch();
      if (batch == null) {
        return;
      }
      try {
        batch.process(worker);
      } catch (Throwable t) {
        // process() handles runner and listener failures itself; this is a last guard so the thread survives.
        LOG.log(System.Logger.Level.ERROR, "batch thread failure", t);
      }
    }
  }

  /** Waits until a batch is ready and takes it; null once the scheduler is closed. */
  private ModelQueue<?, ?>.Batch awaitBatch() {
    Thread me = Thread.currentThread();
    lock.lock();
    try {
      for (;;) {
        if (shutdown) {
          return null;
        }
        long now = ticker.nanos();
        ModelQueue<?, ?>.Batch batch = pollReadyLocked(now);
        if (batch != null) {
          if (leader == null && anyQueuedLocked()) {
            workAvailable.signal(); // hand the timed wait to another thread
          }
          return batch;
        }
        long wait = nanosUntilReadyLocked(now);
        idleThreads++;
        try {
          if (wait == Long.MAX_VALUE || leader != null) {
            workAvailable.await();
          } else {
            leader = me;
            try {
              workAvailable.awaitNanos(wait);
            } finally {
              if (leader == me) {
                leader = null;
              }
            }
          }
        } catch (InterruptedException e) {
          // Only close() stops a batch thread, and it signals; re-check.
        } finally {
          idleThreads--;
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Called by a queue, under the lock, when a submit made a new earliest ready time or a full batch. */
  void workArrivedLocked() {
    leader = null;
    workAvailable.signal();
  }

  private ModelQueue<?, ?>.Batch pollReadyLocked(long now) {
    int n = ring.size();
    for (int i = 0; i < n; i++) {
      int index = (cursor + i) % n;
      ModelQueue<?, ?> queue = ring.get(index);
      if (queue.nanosUntilReadyLocked(now) == 0) {
        cursor = (index + 1) % n;
        return queue.pollLocked(now);
      }
    }
    return null;
  }

  private long nanosUntilReadyLocked(long now) {
    long wait = Long.MAX_VALUE;
    for (ModelQueue<?, ?> queue : ring) {
      wait = Math.min(wait, queue.nanosUntilReadyLocked(now));
    }
    return wait;
  }

  private boolean anyQueuedLocked() {
    for (ModelQueue<?, ?> queue : ring) {
      if (queue.queuedImages() > 0) {
        return true;
      }
    }
    return false;
  }

  /** Runs the completion of a batch's futures where the builder said. Never called under the lock. */
  void complete(Runnable completion) {
    if (completionExecutor != null) {
      try {
        completionExecutor.execute(completion);
        return;
      } catch (RejectedExecutionException e) {
        // The executor is shutting down; complete here rather than leave callers hanging.
      }
    }
    completion.run();
  }

  /** Calls a queue's listener, which must not break a batch thread. */
  static void report(BatchListener listener, Consumer<BatchListener> event) {
    try {
      event.accept(listener);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "batch listener failed", e);
    }
  }

  static void logCloseFailure(String modelKey, RuntimeException e) {
    LOG.log(System.Logger.Level.WARNING, "closing a batch runner of " + modelKey + " failed", e);
  }

  /** For tests: batch threads waiting for work (a thread signalled but not yet running still counts). */
  int idleThreads() {
    lock.lock();
    try {
      return idleThreads;
    } finally {
      lock.unlock();
    }
  }

  /** For tests: whether a batch thread is in the timed wait for the next ready queue. */
  boolean hasTimedWaiter() {
    lock.lock();
    try {
      return leader != null;
    } finally {
      lock.unlock();
    }
  }

  /** For tests: whether the calling thread holds the scheduler's lock. */
  boolean holdsLock() {
    return lock.isHeldByCurrentThread();
  }

  @Override
  public String toString() {
    return "BatchScheduler[batchThreads=" + batchThreads + "]";
  }

  /** Builds a scheduler; the defaults are one batch thread, the system ticker and no listener. */
  public static final class Builder {
    private int batchThreads = 1;
    private Ticker ticker = Ticker.system();
    private BatchListener listener = BatchListener.NONE;
    private Executor completionExecutor;

    private Builder() {}

    /** The batch threads shared by all models; 0 for a scheduler that a test drives with runReady(). */
    public Builder batchThreads(int batchThreads) {
      if (batchThreads < 0) {
        throw new IllegalArgumentException("batchThreads: %s (expected: >= 0)".formatted(batchThreads));
      }
      this.batchThreads = batchThreads;
      return this;
    }

    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    public Builder listener(BatchListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Completes request futures on this executor instead of the batch thread (one task per batch). */
    public Builder completionExecutor(Executor completionExecutor) {
      this.completionExecutor = Objects.requireNonNull(completionExecutor, "completionExecutor");
      return this;
    }

    /** A new scheduler; its batch threads start when the first model is registered. */
    public BatchScheduler build() {
      return new BatchScheduler(this);
    }
  }
}
