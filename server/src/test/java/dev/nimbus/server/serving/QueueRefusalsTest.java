package dev.nimbus.server.serving;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.Code;
import com.google.rpc.RetryInfo;
import com.google.rpc.Status;
import dev.nimbus.server.batching.BatchingException;
import dev.nimbus.server.error.ErrorStatus;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class QueueRefusalsTest {
  private static Status map(BatchingException.Kind kind) {
    return ErrorStatus.of(QueueRefusals.toApi(new CompletionException(new BatchingException(kind, "flowers v1", "x",
        kind == BatchingException.Kind.QUEUE_FULL ? Duration.ofMillis(40) : null)), "models/flowers"));
  }

  @Test
  void toApi_batcherRefusals_mapToTheDesignCodes() throws Exception {
    Status full = map(BatchingException.Kind.QUEUE_FULL);
    assertThat(full.getCode()).isEqualTo(Code.RESOURCE_EXHAUSTED_VALUE);
    assertThat(full.getMessage()).contains("models/flowers");
    RetryInfo retry = full.getDetailsList().stream().filter(a -> a.is(RetryInfo.class)).findFirst().orElseThrow()
        .unpack(RetryInfo.class);
    assertThat(retry.getRetryDelay().getNanos()).isEqualTo(40_000_000);
    assertThat(map(BatchingException.Kind.DEADLINE_EXCEEDED).getCode()).isEqualTo(Code.DEADLINE_EXCEEDED_VALUE);
    assertThat(map(BatchingException.Kind.CANCELLED).getCode()).isEqualTo(Code.CANCELLED_VALUE);
    assertThat(map(BatchingException.Kind.SHUT_DOWN).getCode()).isEqualTo(Code.UNAVAILABLE_VALUE);
    assertThat(map(BatchingException.Kind.TOO_LARGE).getCode()).isEqualTo(Code.INVALID_ARGUMENT_VALUE);
  }

  @Test
  void toApi_otherFailures_areLeftAlone() {
    IllegalStateException engine = new IllegalStateException("engine");
    assertThat(QueueRefusals.toApi(engine, "models/flowers")).isSameAs(engine);
  }
}
