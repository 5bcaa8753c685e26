package dev.nimbus.server.metrics;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/** Counts every call by method and status, and records its latency. */
public final class MetricsInterceptor implements ServerInterceptor {
  private final ServerMetrics metrics;

  public MetricsInterceptor(ServerMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    long start = System.nanoTime();
    String method = call.getMethodDescriptor().getBareMethodName();
    return next.startCall(new SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        metrics.call(method, status.getCode().name(), (System.nanoTime() - start) / 1e9);
        super.close(status, trailers);
      }
    }, headers);
  }
}
