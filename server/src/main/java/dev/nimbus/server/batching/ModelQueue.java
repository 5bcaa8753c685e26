package dev.nimbus.server.batching;

import dev.nimbus.server.batching.BatchingException.Kind;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The queue of one registered model: where its predict requests are submitted.
 *
 * <p><b>Admission.</b> A request of k images is admitted whole or not at all, at once: if fewer than k of
 * {@code maxQueuedImages} are free it is refused with QUEUE_FULL and a suggested retry delay,
 *
 * <pre>
 *   retryAfter = max(1 ms, ceil((admitted + queued + k - maxQueuedImages) / maxBatchSize) * runEstimate / batchThreads)
 * </pre>
 *
 * that is, the time for enough full batches to leave the queue to make room for this request, if all batch threads
 * served this model. {@code runEstimate} is an exponentially weighted mean (weight 1/4 for the newest) of this
 * model's recent engine call times, or {@code maxBatchDelay} before the first call has finished. The estimate is
 * short when other models share the threads; clients are expected to add jitter.
 *
 * <p>A caller with work to do before its inputs are ready (decoding images) {@linkplain #admit admits} them first:
 * the {@link Admission} holds their places, so an overloaded model refuses at once instead of after the work, and
 * {@link Admission#submit} queues them later without a second check. {@link #submit} admits and queues in one go.
 *
 * <p><b>Accounting.</b> One count bounds admission: images admitted and not yet submitted ({@link
 * #admittedImages()}) plus images waiting in the queue ({@link #queuedImages()}: submitted, not yet in a batch, of
 * a request still alive). Each image leaves it exactly once: when its admission is released unused, when it is put
 * into a batch, or when its request is dropped, fails or is shut down (all its waiting images at once, so they take
 * no room and no batch slot).
 */
public final class ModelQueue<I, O> {
  private static final long MIN_RETRY_NANOS = 1_000_000L;

  private final BatchScheduler scheduler;
  private final BatchListener listener;
  private final String modelKey;
  private final BatchingOptions options;
  private final long delayNanos;
  private final Supplier<? extends BatchRunner<I, O>> runnerFactory;
  /**
   * One slot per batch thread, used only by that thread; read by releaseRunners() after the last batch of a closed
   * model, which the lock orders after every write.
   */
  private final Object[] runners;
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();

  // Guarded by scheduler.lock.
  private final ArrayDeque<Request<I, O>> queue = new ArrayDeque<>();
  private volatile int queuedImages; // written under the lock only
  private volatile int admittedImages; // written under the lock only
  private int runningBatches;
  private boolean closed;
  private boolean runnersReleased;
  private long runEstimateNanos = -1;

  ModelQueue(BatchScheduler scheduler, String modelKey, BatchingOptions options,
      Supplier<? extends BatchRunner<I, O>> runnerFactory, BatchListener listener) {
    this.scheduler = scheduler;
    this.listener = listener;
    this.modelKey = modelKey;
    this.options = options;
    this.delayNanos = options.maxBatchDelayNanos();
    this.runnerFactory = runnerFactory;
    this.runners = new Object[scheduler.workerSlots];
  }

  public String modelKey() {
    return modelKey;
  }

  public BatchingOptions options() {
    return options;
  }

  /** Images waiting for a batch. */
  public int queuedImages() {
    return queuedImages;
  }

  /** Images admitted and not yet submitted (their inputs are being prepared). */
  public int admittedImages() {
    return admittedImages;
  }

  /**
   * Holds places for {@code images} inputs that will be submitted later; never blocks.
   *
   * @throws BatchingException TOO_LARGE if the model can never hold that many, QUEUE_FULL (with a retry delay) if it
   *     cannot now, SHUT_DOWN if the model is no longer registered; the listener is told
   * @throws IllegalArgumentException if {@code images < 1}
   */
  public Admission admit(int images) {
    if (images < 1) {
      throw new IllegalArgumentException("images: %s (expected: >= 1)".formatted(images));
    }
    BatchingException refusal = tooLarge(images);
    if (refusal == null) {
      scheduler.lock.lock();
      try {
        refusal = roomLocked(images);
        if (refusal == null) {
          admittedImages += images;
          return new Admission(images);
        }
      } finally {
        scheduler.lock.unlock();
      }
    }
    BatchingException r = refusal;
    BatchScheduler.report(listener, l -> l.onRejected(modelKey, images, r.kind()));
    throw refusal;
  }

  /**
   * Places held in the queue by {@link #admit}: submit the inputs once, or close it to give the places back. Closing
   * after a submit does nothing, so try-with-resources releases exactly once on every path.
   */
  public final class Admission implements AutoCloseable {
    private final int images;
    private volatile boolean done; // written under the scheduler's lock

    private Admission(int images) {
      this.images = images;
    }

    /** How many places it holds. */
    public int images() {
      return images;
    }

    /**
     * Queues {@code inputs} (at most {@link #images()}; places not used are given back), as
     * {@link ModelQueue#submit(List, long, BooleanSupplier)} does but without a second room check.
     *
     * @throws IllegalStateException if already submitted or closed
     * @throws IllegalArgumentException if {@code inputs} is empty or larger than the admission
     */
    public CompletableFuture<List<O>> submit(List<? extends I> inputs, long deadlineNanos,
        BooleanSupplier cancelled) {
      List<I> list = List.copyOf(inputs);
      Objects.requireNonNull(cancelled, "cancelled");
      if (list.isEmpty() || list.size() > images) {
        throw new IllegalArgumentException("inputs: %s images (expected: 1..%s, as admitted)"
            .formatted(list.size(), images));
      }
      return enqueue(list, deadlineNanos, cancelled, this);
    }

    @Override
    public void close() {
      if (done) {
        return; // the common case after a submit: no lock
      }
      scheduler.lock.lock();
      try {
        releaseLocked();
      } finally {
        scheduler.lock.unlock();
      }
    }

    /** Gives the places back unless already done; false if it was. */
    private boolean releaseLocked() {
      if (done) {
        return false;
      }
      done = true;
      admittedImages -= images;
      assert admittedImages >= 0 : admittedImages;
      return true;
    }
  }

  /** {@link #submit(List, long, BooleanSupplier)} with no deadline, cancelled only through the future. */
  public CompletableFuture<List<O>> submit(List<? extends I> inputs) {
    return submit(inputs, BatchScheduler.NO_DEADLINE, () -> false);
  }

  /**
   * Queues a request; never blocks. The future completes with one output per input, in input order, or fails with
   * a {@link BatchingException} (refused, dropped or shut down; the engine never saw those images) or with the
   * runner's exception. Cancelling the future before its images run drops them, like {@code cancelled}.
   *
   * @param deadlineNanos ticker time after which the request is not worth running, or
   *     {@link BatchScheduler#NO_DEADLINE}
   * @param cancelled asked when the request is admitted and each time its images are about to be batched, under the
   *     scheduler's lock: it must be quick and must not call the scheduler (e.g. {@code Context::isCancelled})
   * @throws IllegalArgumentException if {@code inputs} is empty
   * @throws NullPointerException if {@code inputs} or an element of it is null
   */
  public CompletableFuture<List<O>> submit(List<? extends I> inputs, long deadlineNanos, BooleanSupplier cancelled) {
    List<I> images = List.copyOf(inputs);
    Objects.requireNonNull(cancelled, "cancelled");
    if (images.isEmpty()) {
      throw new IllegalArgumentException("inputs: [] (expected: at least one image)");
    }
    BatchingException refusal = tooLarge(images.size());
    return refusal != null ? refuse(images.size(), refusal) : enqueue(images, deadlineNanos, cancelled, null);
  }

  /** Queues a request, checking for room unless {@code admission} holds it already (and is then used up). */
  private CompletableFuture<List<O>> enqueue(List<I> images, long deadlineNanos, BooleanSupplier cancelled,
      Admission admission) {
    int k = images.size();
    long now = scheduler.ticker.nanos();
    BatchingException refusal = null;
    if (expired(deadlineNanos, now)) {
      refusal = new BatchingException(Kind.DEADLINE_EXCEEDED, modelKey,
          modelKey + ": deadline passed before the request was queued", null);
    } else if (cancelled.getAsBoolean()) {
      refusal = new BatchingException(Kind.CANCELLED, modelKey, modelKey + ": request cancelled before it was queued",
          null);
    }
    Request<I, O> request = new Request<>(images, now, deadlineNanos, cancelled);
    scheduler.lock.lock();
    try {
      if (admission != null && !admission.releaseLocked()) {
        throw new IllegalStateException(modelKey + ": this admission was already submitted or closed");
      }
      if (refusal == null) {
        refusal = admission == null || closed ? roomLocked(k) : null;
      }
      if (refusal == null) {
        boolean wasEmpty = queuedImages == 0;
        queue.addLast(request);
        queuedImages += k;
        if (wasEmpty || queuedImages >= options.maxBatchSize()) {
          scheduler.workArrivedLocked();
        }
        return request.future;
      }
    } finally {
      scheduler.lock.unlock();
    }
    return refuse(k, refusal);
  }

  private BatchingException tooLarge(int k) {
    if (k <= options.maxQueuedImages()) {
      return null;
    }
    return new BatchingException(Kind.TOO_LARGE, modelKey, "%s: a request of %s images can never fit, "
        .formatted(modelKey, k) + "maxQueuedImages is " + options.maxQueuedImages(), null);
  }

  /** Why {@code k} more images cannot be admitted now (shut down, or no room), or null if they can. */
  private BatchingException roomLocked(int k) {
    if (closed) {
      return new BatchingException(Kind.SHUT_DOWN, modelKey, modelKey + " is not registered any more", null);
    }
    int pending = queuedImages + admittedImages;
    if (k > options.maxQueuedImages() - pending) {
      Duration retryAfter = retryAfterLocked(k);
      return new BatchingException(Kind.QUEUE_FULL, modelKey, "%s: queue full (%s of %s images waiting, "
          .formatted(modelKey, pending, options.maxQueuedImages()) + "request has " + k + "); retry after "
          + retryAfter.toMillis() + " ms", retryAfter);
    }
    return null;
  }

  private CompletableFuture<List<O>> refuse(int images, BatchingException refusal) {
    BatchScheduler.report(listener, l -> l.onRejected(modelKey, images, refusal.kind()));
    return CompletableFuture.failedFuture(refusal);
  }

  private static boolean expired(long deadline, long now) {
    return deadline != BatchScheduler.NO_DEADLINE && now - deadline >= 0;
  }

  /** See the class comment for the formula. */
  private Duration retryAfterLocked(int images) {
    long excess = (long) queuedImages + admittedImages + images - options.maxQueuedImages();
    long batches = (excess + options.maxBatchSize() - 1) / options.maxBatchSize();
    long perBatch = runEstimateNanos >= 0 ? runEstimateNanos : delayNanos;
    long total;
    try {
      total = Math.multiplyExact(batches, perBatch);
    } catch (ArithmeticException e) {
      total = Long.MAX_VALUE;
    }
    return Duration.ofNanos(Math.max(MIN_RETRY_NANOS, total / scheduler.workerSlots));
  }

  /** 0 if a batch can be taken now, Long.MAX_VALUE if nothing waits. */
  long nanosUntilReadyLocked(long now) {
    if (queuedImages == 0) {
      queue.clear(); // only requests that died with images waiting are left
      return Long.MAX_VALUE;
    }
    if (queuedImages >= options.maxBatchSize()) {
      return 0;
    }
    Request<I, O> head;
    while ((head = queue.peekFirst()).dead) { // not empty: queuedImages > 0
      queue.pollFirst();
    }
    long waited = Math.max(0, now - head.enqueuedAt);
    return waited >= delayNanos ? 0 : delayNanos - waited;
  }

  /** Closes a batch: up to maxBatchSize images of live requests from the head; drops requests found dead. */
  Batch pollLocked(long now) {
    List<Slice<I, O>> slices = new ArrayList<>();
    List<Drop<I, O>> drops = new ArrayList<>(0);
    int max = options.maxBatchSize();
    int taken = 0;
    Request<I, O> request;
    while (taken < max && (request = queue.peekFirst()) != null) {
      if (request.dead) {
        queue.pollFirst();
        continue;
      }
      BatchingException reason = request.dropReason(now, modelKey);
      if (reason != null) {
        drops.add(new Drop<>(request, reason, killLocked(request)));
        queue.pollFirst();
        continue;
      }
      int n = Math.min(request.size() - request.next, max - taken);
      slices.add(new Slice<>(request, request.next, n));
      request.next += n;
      taken += n;
      queuedImages -= n;
      if (request.next == request.size()) {
        queue.pollFirst();
      }
    }
    assert queuedImages >= 0 : queuedImages;
    if (taken > 0) {
      runningBatches++;
    }
    return new Batch(slices, drops, taken, now);
  }

  /** Marks a request dead and takes its waiting images off the count; returns how many. */
  private int killLocked(Request<I, O> request) {
    int waiting = request.size() - request.next;
    request.next = request.size();
    request.dead = true;
    queuedImages -= waiting;
    assert queuedImages >= 0 : queuedImages;
    return waiting;
  }

  /**
   * Closes the queue to submits and takes its waiting requests out. Returns what must run outside the lock: failing
   * them with SHUT_DOWN, and releasing the runners if no batch of this model is running.
   */
  Runnable closeLocked(String why) {
    closed = true;
    List<Drop<I, O>> drops = new ArrayList<>();
    for (Request<I, O> request : queue) {
      if (!request.dead) {
        BatchingException e = new BatchingException(Kind.SHUT_DOWN, modelKey, why + " before the request ran", null);
        drops.add(new Drop<>(request, e, killLocked(request)));
      }
    }
    queue.clear();
    boolean release = releaseDueLocked();
    return () -> {
      failDrops(drops);
      if (release) {
        releaseRunners();
      }
    };
  }

  /** Whether this caller must release the runners: closed, no batch running, and nobody did it yet. */
  private boolean releaseDueLocked() {
    if (closed && runningBatches == 0 && !runnersReleased) {
      runnersReleased = true;
      return true;
    }
    return false;
  }

  private void releaseRunners() {
    for (int i = 0; i < runners.length; i++) {
      if (runners[i] != null) {
        try {
          ((BatchRunner<?, ?>) runners[i]).close();
        } catch (RuntimeException e) {
          BatchScheduler.logCloseFailure(modelKey, e);
        }
        runners[i] = null;
      }
    }
    terminated.complete(null);
  }

  CompletableFuture<Void> terminated() {
    return terminated.copy();
  }

  private void failDrops(List<Drop<I, O>> drops) {
    for (Drop<I, O> drop : drops) {
      drop.request.future.completeExceptionally(drop.reason);
      BatchScheduler.report(listener, l -> l.onDropped(modelKey, drop.images, drop.reason.kind()));
    }
  }

  @SuppressWarnings("unchecked")
  private BatchRunner<I, O> runner(int worker) {
    BatchRunner<I, O> runner = (BatchRunner<I, O>) runners[worker];
    if (runner == null) {
      runner = Objects.requireNonNull(runnerFactory.get(), "runnerFactory returned null");
      runners[worker] = runner;
    }
    return runner;
  }

  @Override
  public String toString() {
    return "ModelQueue[" + modelKey + ", " + queuedImages + " images waiting]";
  }

  /** A closed batch: what a batch thread runs, outside the lock. */
  final class Batch {
    private final List<Slice<I, O>> slices;
    private final List<Drop<I, O>> drops;
    private final int size;
    private final long dispatchedAt;

    private Batch(List<Slice<I, O>> slices, List<Drop<I, O>> drops, int size, long dispatchedAt) {
      this.slices = slices;
      this.drops = drops;
      this.size = size;
      this.dispatchedAt = dispatchedAt;
    }

    /** Fails the dropped requests, runs the batch if anything is left; returns whether the engine was called. */
    boolean process(int worker) {
      failDrops(drops);
      if (size == 0) {
        return false;
      }
      List<I> inputs = new ArrayList<>(size);
      long maxWait = 0;
      long waitSum = 0;
      for (Slice<I, O> slice : slices) {
        inputs.addAll(slice.request.inputs.subList(slice.from, slice.from + slice.count));
        long wait = dispatchedAt - slice.request.enqueuedAt;
        maxWait = Math.max(maxWait, wait);
        waitSum += wait * slice.count;
      }
      Object[] outputs = null;
      Throwable failure = null;
      long runNanos = -1; // stays -1 if the runner could not be created
      try {
        BatchRunner<I, O> runner = runner(worker);
        long start = scheduler.ticker.nanos();
        List<O> result;
        try {
          result = runner.run(Collections.unmodifiableList(inputs));
        } finally {
          runNanos = scheduler.ticker.nanos() - start;
        }
        if (result == null || result.size() != size) {
          throw new IllegalStateException("%s: runner returned %s outputs for %s inputs"
              .formatted(modelKey, result == null ? "null" : result.size(), size));
        }
        outputs = result.toArray();
      } catch (Throwable t) {
        failure = t;
      }
      boolean release;
      scheduler.lock.lock();
      try {
        runningBatches--;
        if (runNanos >= 0) {
          runEstimateNanos = runEstimateNanos < 0 ? runNanos : runEstimateNanos + (runNanos - runEstimateNanos) / 4;
        }
        if (failure != null) {
          for (Slice<I, O> slice : slices) {
            if (!slice.request.dead) {
              killLocked(slice.request); // its images still waiting will not run
            }
          }
        }
        release = releaseDueLocked();
      } finally {
        scheduler.lock.unlock();
      }
      Object[] results = outputs;
      Throwable cause = failure;
      scheduler.complete(cause == null ? () -> deliver(results) : () -> fail(cause));
      BatchListener.BatchRun run =
          new BatchListener.BatchRun(modelKey, size, maxWait, waitSum / size, Math.max(0, runNanos), failure != null);
      BatchScheduler.report(listener, l -> l.onBatch(run));
      if (release) {
        releaseRunners();
      }
      return true;
    }

    private void deliver(Object[] outputs) {
      int offset = 0;
      for (Slice<I, O> slice : slices) {
        Request<I, O> request = slice.request;
        System.arraycopy(outputs, offset, request.results, slice.from, slice.count);
        offset += slice.count;
        // The last batch of a request to finish completes it; the atomic orders the other batches' writes first.
        if (request.remaining.addAndGet(-slice.count) == 0) {
          request.complete();
        }
      }
    }

    private void fail(Throwable cause) {
      for (Slice<I, O> slice : slices) {
        slice.request.future.completeExceptionally(cause);
      }
    }
  }

  private static final class Request<I, O> {
    final List<I> inputs;
    final long enqueuedAt;
    final long deadline;
    final BooleanSupplier cancelled;
    final CompletableFuture<List<O>> future = new CompletableFuture<>();
    final Object[] results;
    final AtomicInteger remaining;
    // Guarded by the lock.
    int next; // the first image not yet put into a batch
    boolean dead; // dropped, failed or shut down: its waiting images no longer count

    Request(List<I> inputs, long enqueuedAt, long deadline, BooleanSupplier cancelled) {
      this.inputs = inputs;
      this.enqueuedAt = enqueuedAt;
      this.deadline = deadline;
      this.cancelled = cancelled;
      this.results = new Object[inputs.size()];
      this.remaining = new AtomicInteger(inputs.size());
    }

    int size() {
      return inputs.size();
    }

    /** Why this live request must not run now, or null. Called under the lock. */
    BatchingException dropReason(long now, String modelKey) {
      if (future.isDone()) { // the caller cancelled (or completed) the future
        return new BatchingException(Kind.CANCELLED, modelKey, modelKey + ": future cancelled before it ran", null);
      }
      if (expired(deadline, now)) {
        return new BatchingException(Kind.DEADLINE_EXCEEDED, modelKey, "%s: deadline passed %s µs before the batch ran"
            .formatted(modelKey, (now - deadline) / 1000), null);
      }
      try {
        if (cancelled.getAsBoolean()) {
          return new BatchingException(Kind.CANCELLED, modelKey, modelKey + ": request cancelled before it ran", null);
        }
      } catch (RuntimeException e) {
        return new BatchingException(Kind.CANCELLED, modelKey, modelKey + ": cancellation check failed", null, e);
      }
      return null;
    }

    @SuppressWarnings("unchecked")
    void complete() {
      future.complete((List<O>) Collections.unmodifiableList(Arrays.asList(results)));
    }
  }

  private record Slice<I, O>(Request<I, O> request, int from, int count) {}

  private record Drop<I, O>(Request<I, O> request, BatchingException reason, int images) {}
}
