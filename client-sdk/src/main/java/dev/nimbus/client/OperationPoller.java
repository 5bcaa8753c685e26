package dev.nimbus.client;

import com.google.longrunning.CancelOperationRequest;
import com.google.longrunning.GetOperationRequest;
import com.google.longrunning.Operation;
import com.google.longrunning.OperationsGrpc;
import com.google.longrunning.WaitOperationRequest;
import com.google.protobuf.Message;
import io.grpc.Channel;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * Drives every {@link OperationFuture} of one client from a single daemon thread: a poll is a
 * {@code WaitOperation} call whose server-side timeout is the poll interval, so the server answers as soon as the
 * operation is done, or after one interval. Its answer arrives on grpc's thread and is handed to the polling
 * thread, which alone updates futures and runs their callbacks.
 */
final class OperationPoller {
  private static final Logger logger = Logger.getLogger(OperationPoller.class.getName());
  private static final AtomicInteger threadCount = new AtomicInteger();
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  /** A server that is restarting or a poll call that timed out: the operation itself is fine, look again. */
  private static final Set<Status.Code> TRANSIENT = Set.of(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED);
  /**
   * Consecutive transient failures before a future gives up: with the backoff below about two minutes without
   * an answer. A server restart is much shorter; longer, a person should hear about it rather than wait.
   */
  static final int MAX_TRANSIENT_FAILURES = 8;

  private final ScheduledThreadPoolExecutor scheduler;
  private final Deadline.Ticker ticker;
  private final OperationsGrpc.OperationsStub stub;
  private final OperationsGrpc.OperationsBlockingStub blockingStub;
  private final Duration interval;
  private final long intervalNanos;
  /** The budget of one call; a poll's deadline is the interval it waits plus this. */
  private final Duration callBudget;
  private final Set<OperationFuture<?>> pending = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;
  /** Set once the server answered UNIMPLEMENTED to WaitOperation: poll with GetOperation, one interval apart. */
  private volatile boolean waitUnimplemented;

  /**
   * @param ticker where intervals are measured (the system's, but for tests)
   * @param scheduler the polling thread ({@link #newScheduler()}); the poller shuts it down on close
   */
  OperationPoller(Channel channel, Duration interval, Duration callBudget, Deadline.Ticker ticker,
      ScheduledThreadPoolExecutor scheduler) {
    this.stub = OperationsGrpc.newStub(channel);
    this.blockingStub = OperationsGrpc.newBlockingStub(channel);
    this.interval = interval;
    this.intervalNanos = Checks.saturatedNanos(interval);
    this.callBudget = callBudget;
    this.ticker = ticker;
    this.scheduler = scheduler;
  }

  /** The one polling thread of a client: a daemon, so it is never the reason a program fails to exit. */
  static ScheduledThreadPoolExecutor newScheduler() {
    ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, task -> {
      Thread thread = new Thread(task, "nimbus-operations-" + threadCount.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    scheduler.setRemoveOnCancelPolicy(true);
    return scheduler;
  }

  /** A future for an operation a call just returned; polled until done unless it already is. */
  <R extends Message> OperationFuture<R> track(Operation operation, Class<R> responseType) {
    if (operation.getName().isEmpty() && !operation.getDone()) {
      throw new IllegalStateException("the server returned a running operation without a name");
    }
    OperationFuture<R> future = new OperationFuture<>(operation, responseType, this);
    if (!future.isDone()) {
      start(future);
    }
    return future;
  }

  /** A future for an operation known by name only; its first poll tells where it stands. */
  <R extends Message> OperationFuture<R> attach(String name, Class<R> responseType) {
    OperationFuture<R> future = new OperationFuture<>(Operation.newBuilder().setName(name).build(), responseType,
        this);
    start(future);
    return future;
  }

  void cancel(String name) {
    blockingStub.cancelOperation(CancelOperationRequest.newBuilder().setName(name).build());
  }

  /** Runs {@code task} on the polling thread; {@code false} once the client is closed. */
  boolean execute(Runnable task) {
    try {
      scheduler.execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  /** Stops polling and fails the futures still waiting; their operations go on on the server. */
  void close() {
    closed = true;
    scheduler.shutdown(); // Drops the scheduled polls; a callback already running finishes.
    for (OperationFuture<?> future : pending) {
      future.fail(closedError(future));
    }
  }

  private void start(OperationFuture<?> future) {
    pending.add(future);
    future.result().whenComplete((response, failure) -> pending.remove(future));
    if (closed) {
      // close() may have swept `pending` before the add above.
      future.fail(closedError(future));
    } else if (!execute(() -> poll(future, 0))) {
      future.fail(closedError(future));
    }
  }

  private void poll(OperationFuture<?> future, int failures) {
    if (future.isDone() || closed) {
      return;
    }
    long started = ticker.nanoTime();
    boolean usingWait = !waitUnimplemented;
    StreamObserver<Operation> observer = new StreamObserver<>() {
      @Override
      public void onNext(Operation operation) {
        execute(() -> {
          try {
            future.update(operation);
          } catch (RuntimeException e) {
            future.fail(e);
          }
          if (!future.isDone()) {
            // If the server answered before the interval passed, wait out the rest rather than spin.
            schedule(() -> poll(future, 0), intervalNanos - (ticker.nanoTime() - started));
          }
        });
      }

      @Override
      public void onError(Throwable t) {
        execute(() -> pollFailed(future, failures, usingWait, t));
      }

      @Override
      public void onCompleted() {}
    };
    try {
      if (usingWait) {
        stub.withDeadline(Deadline.after(Checks.saturatedNanos(interval.plus(callBudget)), TimeUnit.NANOSECONDS, ticker))
            .waitOperation(WaitOperationRequest.newBuilder()
                .setName(future.name())
                .setTimeout(com.google.protobuf.Duration.newBuilder()
                    .setSeconds(interval.getSeconds()).setNanos(interval.getNano()))
                .build(), observer);
      } else {
        stub.getOperation(GetOperationRequest.newBuilder().setName(future.name()).build(), observer);
      }
    } catch (RuntimeException e) {
      // Thrown here, it would vanish into the scheduler and leave the future waiting forever.
      future.fail(e);
    }
  }

  private void pollFailed(OperationFuture<?> future, int failures, boolean usedWait, Throwable failure) {
    Status.Code code = Status.fromThrowable(failure).getCode();
    if (code == Status.Code.UNIMPLEMENTED && usedWait) {
      logger.fine("the server does not implement WaitOperation; polling with GetOperation instead");
      waitUnimplemented = true;
      poll(future, failures);
    } else if (TRANSIENT.contains(code) && failures + 1 >= MAX_TRANSIENT_FAILURES) {
      Status last = Status.fromThrowable(failure);
      future.fail(Status.UNAVAILABLE.withDescription("lost contact with the server while waiting for "
          + future.name() + " (" + last.getCode() + (last.getDescription() == null ? "" : ": " + last.getDescription())
          + "); the operation may still be running on the server: look again once it is reachable")
          .withCause(failure).asRuntimeException());
    } else if (TRANSIENT.contains(code)) {
      schedule(() -> poll(future, failures + 1), backoffNanos(failures));
    } else {
      future.fail(failure);
    }
  }

  /** One interval, then doubling up to 30 s (or the interval, if longer), with jitter so clients spread out. */
  private long backoffNanos(int failures) {
    long cap = Math.max(intervalNanos, MAX_BACKOFF.toNanos());
    long delay = intervalNanos;
    for (int i = 0; i < failures && delay < cap; i++) {
      delay = delay > cap / 2 ? cap : delay * 2;
    }
    return (long) (delay * ThreadLocalRandom.current().nextDouble(0.8, 1.2));
  }

  private void schedule(Runnable task, long delayNanos) {
    try {
      scheduler.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // Closed: close() has failed the future already.
    }
  }

  private static RuntimeException closedError(OperationFuture<?> future) {
    return Status.CANCELLED
        .withDescription("the NimbusClient was closed while waiting for " + future.name()
            + "; the operation goes on on the server")
        .asRuntimeException();
  }
}
