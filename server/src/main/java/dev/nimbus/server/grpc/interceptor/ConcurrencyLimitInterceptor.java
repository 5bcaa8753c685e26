package dev.nimbus.server.grpc.interceptor;

import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.grpc.StatusMapping;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds the calls in flight. Beyond the limit a call is refused at once with RESOURCE_EXHAUSTED and a RetryInfo,
 * rather than queued behind work the server cannot keep up with. The permit is released exactly once, when
 * the call completes or is cancelled.
 */
public final class ConcurrencyLimitInterceptor implements ServerInterceptor {
  private static final Duration RETRY_AFTER = Duration.ofMillis(100);

  private final int limit;
  private final AtomicInteger inFlight = new AtomicInteger();

  public ConcurrencyLimitInterceptor(int limit) {
    if (limit <= 0) {
      throw new IllegalArgumentException("limit: " + limit + " (expected: > 0)");
    }
    this.limit = limit;
  }

  public int inFlight() {
    return inFlight.get();
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    if (inFlight.incrementAndGet() > limit) {
      inFlight.decrementAndGet();
      StatusRuntimeException e = StatusMapping.toStatus(ApiException.resourceExhausted("TOO_MANY_CALLS",
          "the server is handling " + limit + " calls already; retry shortly", RETRY_AFTER));
      call.close(e.getStatus(), e.getTrailers());
      return new ServerCall.Listener<>() {};
    }
    AtomicBoolean released = new AtomicBoolean();
    Runnable release = () -> {
      if (released.compareAndSet(false, true)) {
        inFlight.decrementAndGet();
      }
    };
    ServerCall.Listener<Q> delegate;
    try {
      delegate = next.startCall(call, headers);
    } catch (RuntimeException e) {
      release.run();
      throw e;
    }
    return new SimpleForwardingServerCallListener<>(delegate) {
      @Override
      public void onComplete() {
        try {
          super.onComplete();
        } finally {
          release.run();
        }
      }

      @Override
      public void onCancel() {
        try {
          super.onCancel();
        } finally {
          release.run();
        }
      }
    };
  }
}
