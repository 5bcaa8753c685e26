package dev.nimbus.server.grpc.interceptor;

import dev.nimbus.server.grpc.StatusMapping;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Closes a call whose handler threw, an {@code Error} included, with the status {@link StatusMapping} gives, instead
 * of grpc's UNKNOWN, and keeps the call from being closed twice.
 */
public final class StatusMappingInterceptor implements ServerInterceptor {
  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    AtomicBoolean closed = new AtomicBoolean();
    ServerCall<Q, R> tracked = new SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        if (closed.compareAndSet(false, true)) {
          super.close(status, trailers);
        }
      }
    };
    ServerCall.Listener<Q> delegate;
    try {
      delegate = next.startCall(tracked, headers);
    } catch (RuntimeException | Error e) {
      fail(tracked, e);
      return new ServerCall.Listener<>() {};
    }
    return new SimpleForwardingServerCallListener<>(delegate) {
      @Override
      public void onMessage(Q message) {
        try {
          super.onMessage(message);
        } catch (RuntimeException | Error e) {
          fail(tracked, e);
        }
      }

      @Override
      public void onHalfClose() {
        try {
          super.onHalfClose();
        } catch (RuntimeException | Error e) {
          fail(tracked, e);
        }
      }

      @Override
      public void onReady() {
        try {
          super.onReady();
        } catch (RuntimeException | Error e) {
          fail(tracked, e);
        }
      }
    };
  }

  private static void fail(ServerCall<?, ?> call, Throwable e) {
    StatusRuntimeException s = StatusMapping.toStatus(e);
    call.close(s.getStatus(), s.getTrailers() == null ? new Metadata() : s.getTrailers());
  }
}
