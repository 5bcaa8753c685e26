package dev.nimbus.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.RetryInfo;
import dev.nimbus.server.batching.BatchingException;
import dev.nimbus.server.util.ApiException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class StatusMappingTest {
  private static StatusRuntimeException map(BatchingException.Kind kind) {
    return StatusMapping.toStatus(new CompletionException(new BatchingException(kind, "flowers@1.2", "x",
        kind == BatchingException.Kind.QUEUE_FULL ? Duration.ofMillis(40) : null)));
  }

  @Test
  void toStatus_batcherRefusals_mapToTheDesignCodes() throws Exception {
    StatusRuntimeException full = map(BatchingException.Kind.QUEUE_FULL);
    assertThat(full.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(full.getStatus().getDescription()).contains("models/flowers");
    RetryInfo retry = StatusProto.fromThrowable(full).getDetailsList().stream().filter(a -> a.is(RetryInfo.class))
        .findFirst().orElseThrow().unpack(RetryInfo.class);
    assertThat(retry.getRetryDelay().getNanos()).isEqualTo(40_000_000);
    assertThat(map(BatchingException.Kind.DEADLINE_EXCEEDED).getStatus().getCode())
        .isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(map(BatchingException.Kind.CANCELLED).getStatus().getCode()).isEqualTo(Status.Code.CANCELLED);
    assertThat(map(BatchingException.Kind.SHUT_DOWN).getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(map(BatchingException.Kind.TOO_LARGE).getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void toStatus_unexpectedException_isInternalWithAReference_neverUnknown() {
    StatusRuntimeException e = StatusMapping.toStatus(new IllegalStateException("boom"));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(e.getStatus().getDescription()).contains("ref ").doesNotContain("boom");
    assertThat(StatusMapping.toStatus(ApiException.invalidArgument("f", "bad f")).getStatus().getCode())
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
  }
}
