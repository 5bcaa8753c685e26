package dev.nimbus.server.grpc;

import dev.nimbus.server.error.ErrorStatus;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

/**
 * What a gRPC call that failed is closed with: the status {@link ErrorStatus#of} gives (code, message and
 * {@code google.rpc} details in the trailers), so no exception, an {@code Error} included, reaches a client as
 * UNKNOWN. A status that is already a gRPC one (thrown by grpc itself) passes through.
 */
public final class StatusMapping {
  private StatusMapping() {}

  public static StatusRuntimeException toStatus(Throwable t) {
    Throwable e = ErrorStatus.unwrap(t);
    if (e instanceof StatusRuntimeException s) {
      return s;
    }
    if (e instanceof StatusException s) {
      return new StatusRuntimeException(s.getStatus(), s.getTrailers());
    }
    return StatusProto.toStatusRuntimeException(ErrorStatus.of(e));
  }
}
