package dev.nimbus.server.grpc.interceptor;

import dev.nimbus.server.batching.Ticker;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One log line per call: method, status, milliseconds. Errors at INFO, the rest at DEBUG. */
public final class AccessLogInterceptor implements ServerInterceptor {
  private static final Logger log = LoggerFactory.getLogger("nimbus.access");

  private final Ticker ticker;

  public AccessLogInterceptor(Ticker ticker) {
    this.ticker = ticker;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    long start = ticker.nanos();
    String method = call.getMethodDescriptor().getFullMethodName();
    return next.startCall(new SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        long ms = (ticker.nanos() - start) / 1_000_000;
        if (status.isOk()) {
          log.debug("{} OK {} ms", method, ms);
        } else if (status.getCode() == Status.Code.INTERNAL || status.getCode() == Status.Code.UNKNOWN) {
          log.warn("{} {} {} ms: {}", method, status.getCode(), ms, status.getDescription());
        } else {
          log.info("{} {} {} ms: {}", method, status.getCode(), ms, status.getDescription());
        }
        super.close(status, trailers);
      }
    }, headers);
  }
}
