package dev.nimbus.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.nimbus.server.error.ApiException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class StatusMappingTest {
  @Test
  void toStatus_unexpectedException_isInternalWithAReference_neverUnknown() {
    StatusRuntimeException e = StatusMapping.toStatus(new IllegalStateException("boom"));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(e.getStatus().getDescription()).contains("ref ").doesNotContain("boom");
    assertThat(StatusMapping.toStatus(ApiException.invalidArgument("f", "bad f")).getStatus().getCode())
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void toStatus_error_isInternalWithTheReferenceInItsErrorInfo() throws Exception {
    StatusRuntimeException e = StatusMapping.toStatus(new CompletionException(new StackOverflowError("deep")));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(e.getStatus().getDescription()).doesNotContain("StackOverflowError").doesNotContain("deep");
    ErrorInfo info = StatusProto.fromThrowable(e).getDetails(0).unpack(ErrorInfo.class);
    assertThat(info.getReason()).isEqualTo("INTERNAL");
    assertThat(e.getStatus().getDescription()).contains("ref " + info.getMetadataOrThrow("ref"));
  }

  @Test
  void toStatus_apiException_keepsItsDetails() throws Exception {
    StatusRuntimeException e = StatusMapping.toStatus(ApiException.invalidArgument("images[0]", "bad image"));
    assertThat(StatusProto.fromThrowable(e).getDetails(0).unpack(BadRequest.class).getFieldViolations(0).getField())
        .isEqualTo("images[0]");
  }

  @Test
  void toStatus_grpcStatus_passesThrough() {
    StatusRuntimeException given = Status.UNAVAILABLE.withDescription("restarting").asRuntimeException();
    assertThat(StatusMapping.toStatus(given)).isSameAs(given);
  }
}
