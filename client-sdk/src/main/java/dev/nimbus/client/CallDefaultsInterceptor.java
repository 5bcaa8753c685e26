package dev.nimbus.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Deadline;
import io.grpc.MethodDescriptor;
import java.util.concurrent.TimeUnit;

/**
 * Gives each call the client's default deadline and message size unless the call set its own. Deadlines are
 * absolute, so the default is computed here, as each call starts; a stub given a deadline once would hand every
 * later call what is left of it.
 */
final class CallDefaultsInterceptor implements ClientInterceptor {
  private final long deadlineNanos;
  private final int maxInboundMessageSize;
  private final Deadline.Ticker ticker;

  CallDefaultsInterceptor(ClientOptions options, Deadline.Ticker ticker) {
    this.deadlineNanos = Checks.saturatedNanos(options.defaultDeadline());
    this.maxInboundMessageSize = options.maxInboundMessageSize();
    this.ticker = ticker;
  }

  @Override
  public <Q, S> ClientCall<Q, S> interceptCall(MethodDescriptor<Q, S> method, CallOptions options, Channel next) {
    if (options.getDeadline() == null) {
      options = options.withDeadline(Deadline.after(deadlineNanos, TimeUnit.NANOSECONDS, ticker));
    }
    if (options.getMaxInboundMessageSize() == null) {
      options = options.withMaxInboundMessageSize(maxInboundMessageSize);
    }
    return next.newCall(method, options);
  }
}
