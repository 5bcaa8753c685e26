package dev.nimbus.server.grpc.interceptor;

import dev.nimbus.server.batching.Ticker;
import dev.nimbus.server.metrics.ServerMetrics;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/** Counts every call by method and status, and records its latency. */
public final class MetricsInterceptor implements ServerInterceptor {
  private final ServerMetrics metrics;
  private final Ticker ticker;

  public MetricsInterceptor(ServerMetrics metrics, Ticker ticker) {
    this.metrics = metrics;
    this.ticker = ticker;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    long start = ticker.nanos();
    String method = call.getMethodDescriptor().getBareMethodName();
    return next.startCall(new SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        metrics.call(method, status.getCode().name(), (ticker.nanos() - start) / 1e9);
        super.close(status, trailers);
      }
    }, headers);
  }
}
