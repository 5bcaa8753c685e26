package dev.nimbus.server.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Assertions on gRPC failures. */
public final class Statuses {
  private Statuses() {}

  /** Runs {@code call}, asserts it failed with {@code code} and a message containing {@code fragment}. */
  public static StatusRuntimeException assertFails(Status.Code code, String fragment, ThrowingCallable call) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call);
    assertThat(e).as("expected the call to fail with %s", code).isNotNull();
    assertThat(e.getStatus().getCode()).as("status of: %s", e.getStatus().getDescription()).isEqualTo(code);
    assertThat(e.getStatus().getDescription()).contains(fragment);
    return e;
  }

  /** The BadRequest field violations carried by a failure. */
  public static BadRequest badRequest(StatusRuntimeException e) {
    com.google.rpc.Status s = StatusProto.fromThrowable(e);
    assertThat(s).isNotNull();
    return s.getDetailsList().stream().filter(a -> a.is(BadRequest.class)).findFirst().map(a -> {
      try {
        return a.unpack(BadRequest.class);
      } catch (InvalidProtocolBufferException x) {
        throw new AssertionError(x);
      }
    }).orElseThrow(() -> new AssertionError("no BadRequest detail in " + s));
  }
}
