package dev.nimbus.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class NimbusErrorsTest {

  private static StatusRuntimeException withDetails(Status.Code code, String message, Any... details) {
    com.google.rpc.Status.Builder status =
        com.google.rpc.Status.newBuilder().setCode(code.value()).setMessage(message);
    for (Any detail : details) {
      status.addDetails(detail);
    }
    return StatusProto.toStatusRuntimeException(status.build());
  }

  @Test
  void describe_codeAndMessage() {
    StatusRuntimeException e = Status.NOT_FOUND.withDescription("dataset 'x' does not exist").asRuntimeException();

    assertThat(NimbusErrors.describe(e)).isEqualTo("NOT_FOUND: dataset 'x' does not exist");
  }

  @Test
  void describe_fieldViolations_eachOnce() {
    String message = "dataset_id: 'Clouds' is not a valid id";
    StatusRuntimeException e = withDetails(Status.Code.INVALID_ARGUMENT, message, Any.pack(BadRequest.newBuilder()
        .addFieldViolations(BadRequest.FieldViolation.newBuilder().setField("dataset_id").setDescription(message))
        .addFieldViolations(BadRequest.FieldViolation.newBuilder().setField("dataset.display_name")
            .setDescription("longer than 256 characters"))
        .build()));

    assertThat(NimbusErrors.describe(e)).isEqualTo("INVALID_ARGUMENT: dataset_id: 'Clouds' is not a valid id"
        + " [field dataset_id] [field dataset.display_name: longer than 256 characters]");
  }

  @Test
  void describe_errorInfoAndRetryInfo() {
    StatusRuntimeException e = withDetails(Status.Code.RESOURCE_EXHAUSTED, "the queue of models/flowers is full",
        Any.pack(ErrorInfo.newBuilder().setReason("QUEUE_FULL").setDomain("nimbus.dev")
            .putMetadata("queued", "512").putMetadata("model", "models/flowers").build()),
        Any.pack(RetryInfo.newBuilder()
            .setRetryDelay(Duration.newBuilder().setNanos(250_000_000)).build()));

    assertThat(NimbusErrors.describe(e)).isEqualTo("RESOURCE_EXHAUSTED: the queue of models/flowers is full"
        + " [reason QUEUE_FULL, domain nimbus.dev, model=models/flowers, queued=512] [retry after 250 ms]");
  }

  @Test
  void describe_partialFailureOfAnImport() {
    com.google.rpc.Status rowFailure = com.google.rpc.Status.newBuilder()
        .setCode(Status.Code.INVALID_ARGUMENT.value())
        .setMessage("not an image:\n  unknown format")
        .addDetails(Any.pack(ErrorInfo.newBuilder().setReason("NOT_AN_IMAGE").setDomain("nimbus.dev")
            .putMetadata("row", "3").putMetadata("uri", "img/a.jpg").build()))
        .build();

    assertThat(NimbusErrors.describe(rowFailure)).isEqualTo(
        "INVALID_ARGUMENT: not an image: unknown format [reason NOT_AN_IMAGE, domain nimbus.dev, row=3, uri=img/a.jpg]");
  }

  @Test
  void describe_withoutDetails_namesTheTransportCause() {
    StatusRuntimeException e = Status.UNAVAILABLE.withDescription("io exception")
        .withCause(new ConnectException("Connection refused: localhost/127.0.0.1:8470")).asRuntimeException();

    assertThat(NimbusErrors.describe(e))
        .isEqualTo("UNAVAILABLE: io exception (Connection refused: localhost/127.0.0.1:8470)");
  }

  @Test
  void describe_codeWithoutMessage() {
    assertThat(NimbusErrors.describe(Status.CANCELLED.asRuntimeException())).isEqualTo("CANCELLED");
  }
}
