package dev.nimbus.client;

import static java.util.Objects.requireNonNull;

import com.google.longrunning.Operation;
import com.google.protobuf.Any;
import com.google.protobuf.Empty;
import com.google.protobuf.Internal;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.nimbus.v1.OperationMetadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A long-running operation on the server (an import, a training, a deletion...) and its eventual response.
 *
 * <p>The client polls the operation in the background with {@code WaitOperation}, on one thread it shares with
 * all of its operations; no thread is blocked per operation. The future completes with the unpacked response
 * when the server reports the operation done. A failed operation completes it with the
 * {@link StatusRuntimeException} rebuilt from the operation's {@code error}, details included (see
 * {@link NimbusErrors#describe}).
 *
 * <p>Progress callbacks ({@link #onProgress}) and the completion of this future run on that polling thread, in
 * order: every callback for a metadata update runs before the future completes. Keep them short; a callback that
 * blocks delays the polling of every operation of the client.
 *
 * <p><b>Cancelling differs from {@link Future#cancel}:</b> {@link #cancel} asks the server to cancel and returns
 * {@code true} if it accepted the request. The future stays running until the server reports the operation done,
 * usually with a {@code CANCELLED} error ({@link #isCancelled()} then turns true), but it may still succeed if
 * the operation finished first.
 *
 * @param <R> the operation's response type, e.g. {@code ImportDataResponse}; {@code Empty} for deletions
 */
public final class OperationFuture<R extends Message> implements Future<R> {
  private static final Logger logger = Logger.getLogger(OperationFuture.class.getName());

  private final String name;
  private final Class<R> responseType;
  private final OperationPoller poller;
  private final CompletableFuture<R> result = new CompletableFuture<>();
  /** Touched only on the polling thread, so callbacks run one at a time, in order. */
  private final List<Consumer<? super OperationMetadata>> callbacks = new ArrayList<>();
  private volatile OperationMetadata metadata;

  /** Takes in {@code initial} at once, so {@link #metadata()} is known when the starting call returns. */
  OperationFuture(Operation initial, Class<R> responseType, OperationPoller poller) {
    this.name = initial.getName();
    this.responseType = requireNonNull(responseType, "responseType");
    this.poller = poller;
    update(initial);
  }

  /** The operation's name, e.g. {@code operations/3f2a...}; give it to {@link OperationsClient} later. */
  public String name() {
    return name;
  }

  /** The latest metadata seen: progress, counts, partial failures; empty if the server sent none yet. */
  public Optional<OperationMetadata> metadata() {
    return Optional.ofNullable(metadata);
  }

  /**
   * Calls {@code callback} with every new metadata seen from now on, and right away with the latest one if any
   * is known. Callbacks run on the client's polling thread, never on grpc's threads; one that throws is logged
   * and keeps receiving updates. A callback must not wait for an OperationFuture of the same client: the thread
   * that would complete it is the one waiting.
   */
  public OperationFuture<R> onProgress(Consumer<? super OperationMetadata> callback) {
    requireNonNull(callback, "callback");
    boolean accepted = poller.execute(() -> {
      callbacks.add(callback);
      OperationMetadata latest = metadata;
      if (latest != null) {
        notify(callback, latest);
      }
    });
    if (!accepted) {
      // The client is closed: no update will come, but the caller is still owed the latest one.
      OperationMetadata latest = metadata;
      if (latest != null) {
        notify(callback, latest);
      }
    }
    return this;
  }

  /** Waits for the operation; a failed operation throws its {@link StatusRuntimeException} as the cause. */
  @Override
  public R get() throws InterruptedException, ExecutionException {
    return result.get();
  }

  /**
   * Waits at most {@code timeout} for the operation.
   *
   * @throws TimeoutException if the operation is still running; it goes on, and so does this future
   */
  @Override
  public R get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
    return result.get(timeout, unit);
  }

  /**
   * Waits for the operation and returns its response; unlike {@link #get()}, a failure is thrown as is, a
   * {@link StatusRuntimeException} for a failed operation, as a blocking call would throw it.
   */
  public R await() {
    try {
      return result.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      // As grpc's blocking stubs report an interrupt.
      throw Status.CANCELLED.withDescription("interrupted while waiting for " + name).withCause(e)
          .asRuntimeException();
    }
  }

  @Override
  public boolean isDone() {
    return result.isDone();
  }

  /** Whether the operation ended with a {@code CANCELLED} error, whoever asked for it. */
  @Override
  public boolean isCancelled() {
    Throwable failure = result.handle((response, t) -> t).getNow(null);
    return failure instanceof StatusRuntimeException e && e.getStatus().getCode() == Status.Code.CANCELLED;
  }

  /**
   * Sends {@code CancelOperation} and returns whether the server accepted it; {@code false} if this future is
   * already done or the request failed (call {@link OperationsClient#cancel} to see why). This future completes
   * later, when the server reports the operation done. {@code mayInterruptIfRunning} is ignored: the server
   * stops the operation at its next safe point.
   */
  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    if (isDone()) {
      return false;
    }
    try {
      poller.cancel(name);
      return true;
    } catch (StatusRuntimeException e) {
      logger.log(Level.FINE, "CancelOperation " + name + " failed", e);
      return false;
    }
  }

  /**
   * A {@link CompletableFuture} that completes with this one. It is a copy: completing or cancelling it changes
   * neither this future nor the operation. Its non-async continuations run on the polling thread.
   */
  public CompletableFuture<R> toCompletableFuture() {
    return result.copy();
  }

  @Override
  public String toString() {
    OperationMetadata latest = metadata;
    String state = result.isDone() ? (result.isCompletedExceptionally() ? "failed" : "succeeded")
        : latest == null ? "running" : String.format(Locale.ROOT, "running, %.1f%%",
            latest.getProgressPercent());
    return "OperationFuture{" + name + ", " + state + "}";
  }

  // --- Driven by OperationPoller, on its thread (or in the constructor, before anyone else can see this). ---

  void update(Operation operation) {
    OperationMetadata latest = OperationsClient.metadataOf(operation).orElse(null);
    if (latest != null && !latest.equals(metadata)) {
      metadata = latest;
      for (Consumer<? super OperationMetadata> callback : callbacks) {
        notify(callback, latest);
      }
    }
    if (operation.getDone()) {
      complete(operation);
    }
  }

  /** Any thread: CompletableFuture lets the first completion win. */
  void fail(Throwable failure) {
    result.completeExceptionally(failure);
  }

  CompletableFuture<R> result() {
    return result;
  }

  private void complete(Operation operation) {
    switch (operation.getResultCase()) {
      case ERROR -> {
        com.google.rpc.Status error = operation.getError();
        if (error.getCode() == Status.Code.OK.value()) {
          // Done, failed, yet OK: report it as the protocol violation it is rather than as a success.
          error = error.toBuilder().setCode(Status.Code.UNKNOWN.value())
              .setMessage("operation " + name + " failed without an error code: " + error.getMessage()).build();
        }
        result.completeExceptionally(StatusProto.toStatusRuntimeException(error));
      }
      case RESPONSE -> {
        try {
          result.complete(unpack(operation.getResponse()));
        } catch (IllegalStateException e) {
          result.completeExceptionally(e);
        }
      }
      default -> {
        if (responseType == Empty.class) {
          // An operation with nothing to say may leave out its Empty response.
          result.complete(responseType.cast(Empty.getDefaultInstance()));
        } else {
          result.completeExceptionally(new IllegalStateException(
              "operation " + name + " is done but has neither a response nor an error (expected: a "
                  + typeName(responseType) + ")"));
        }
      }
    }
  }

  private R unpack(Any response) {
    if (!response.is(responseType)) {
      throw new IllegalStateException("operation " + name + " responded with " + response.getTypeUrl()
          + " (expected: " + typeName(responseType) + ")");
    }
    try {
      return response.unpack(responseType);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("operation " + name + ": cannot parse its " + typeName(responseType)
          + " response", e);
    }
  }

  private static String typeName(Class<? extends Message> type) {
    return Internal.getDefaultInstance(type).getDescriptorForType().getFullName();
  }

  private void notify(Consumer<? super OperationMetadata> callback, OperationMetadata latest) {
    try {
      callback.accept(latest);
    } catch (RuntimeException e) {
      logger.log(Level.WARNING, "progress callback of " + name + " threw; it stays registered", e);
    }
  }
}
