package dev.nimbus.client;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The one bridge from grpc's async stubs to {@link CompletableFuture}, which every {@code ...Async} method uses.
 *
 * <p>The future completes on grpc's callback executor (for channels built by {@link NimbusClient#builder()},
 * grpc's shared pool); do blocking work in {@code ...Async} continuations. Cancelling the future cancels the call.
 */
final class Rpc {
  private Rpc() {}

  static <Q, S> CompletableFuture<S> unary(BiConsumer<Q, StreamObserver<S>> method, Q request) {
    return unary(method, request, Function.identity());
  }

  /**
   * Calls {@code method} and completes with {@code convert(response)}. Converting here rather than with
   * {@code thenApply} keeps one future, so cancelling what the caller holds still cancels the call.
   */
  static <Q, S, T> CompletableFuture<T> unary(
      BiConsumer<Q, StreamObserver<S>> method, Q request, Function<? super S, ? extends T> convert) {
    FutureObserver<Q, S, T> observer = new FutureObserver<>(convert);
    try {
      method.accept(request, observer);
    } catch (RuntimeException e) {
      observer.future.completeExceptionally(e);
    }
    return observer.future;
  }

  private static final class FutureObserver<Q, S, T> implements ClientResponseObserver<Q, S> {
    final CompletableFuture<T> future = new CompletableFuture<>();
    private final Function<? super S, ? extends T> convert;

    FutureObserver(Function<? super S, ? extends T> convert) {
      this.convert = convert;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<Q> call) {
      future.whenComplete((response, failure) -> {
        if (failure instanceof CancellationException) {
          call.cancel("cancelled by the caller", failure);
        }
      });
    }

    @Override
    public void onNext(S response) {
      try {
        future.complete(convert.apply(response));
      } catch (RuntimeException e) {
        future.completeExceptionally(e);
      }
    }

    @Override
    public void onError(Throwable t) {
      future.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
      // Unary: onNext already completed the future; grpc reports a missing response through onError.
    }
  }
}
