package dev.nimbus.server.grpc;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;

/** Completing unary calls, synchronously or from a future (for this package's services and the API adapters). */
public final class Unary {
  private Unary() {}

  public static <T> void reply(StreamObserver<T> observer, T value) {
    observer.onNext(value);
    observer.onCompleted();
  }

  public static <T> void replyLater(StreamObserver<T> observer, CompletableFuture<T> future) {
    future.whenComplete((value, error) -> {
      if (error != null) {
        observer.onError(StatusMapping.toStatus(error));
      } else {
        reply(observer, value);
      }
    });
  }
}
