package dev.nimbus.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.rpc.RetryInfo;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import io.grpc.Status;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** gRPC statuses as REST answers: the AIP-193 HTTP status, the google.rpc.Status body, Retry-After. */
class RestErrorsTest {
  @Test
  void everyCode_hasTheHttpStatusOfAip193_butFailedPreconditionIs412() {
    assertThat(HttpStatuses.of(Status.Code.INVALID_ARGUMENT)).isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(HttpStatuses.of(Status.Code.OUT_OF_RANGE)).isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(HttpStatuses.of(Status.Code.UNAUTHENTICATED)).isEqualTo(HttpStatus.UNAUTHORIZED);
    assertThat(HttpStatuses.of(Status.Code.PERMISSION_DENIED)).isEqualTo(HttpStatus.FORBIDDEN);
    assertThat(HttpStatuses.of(Status.Code.NOT_FOUND)).isEqualTo(HttpStatus.NOT_FOUND);
    assertThat(HttpStatuses.of(Status.Code.ALREADY_EXISTS)).isEqualTo(HttpStatus.CONFLICT);
    assertThat(HttpStatuses.of(Status.Code.ABORTED)).isEqualTo(HttpStatus.CONFLICT);
    assertThat(HttpStatuses.of(Status.Code.FAILED_PRECONDITION)).isEqualTo(HttpStatus.PRECONDITION_FAILED);
    assertThat(HttpStatuses.of(Status.Code.RESOURCE_EXHAUSTED)).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
    assertThat(HttpStatuses.of(Status.Code.CANCELLED).code()).isEqualTo(499);
    assertThat(HttpStatuses.of(Status.Code.UNIMPLEMENTED)).isEqualTo(HttpStatus.NOT_IMPLEMENTED);
    assertThat(HttpStatuses.of(Status.Code.UNAVAILABLE)).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
    assertThat(HttpStatuses.of(Status.Code.DEADLINE_EXCEEDED)).isEqualTo(HttpStatus.GATEWAY_TIMEOUT);
    assertThat(HttpStatuses.of(Status.Code.INTERNAL)).isEqualTo(HttpStatus.INTERNAL_SERVER_ERROR);
    assertThat(HttpStatuses.of(Status.Code.DATA_LOSS)).isEqualTo(HttpStatus.INTERNAL_SERVER_ERROR);
    assertThat(HttpStatuses.of(Status.Code.UNKNOWN)).isEqualTo(HttpStatus.INTERNAL_SERVER_ERROR);
  }

  @Test
  void retryInfo_becomesRetryAfter_roundedUpToWholeSeconds_andTheDetailsStayInTheBody() {
    com.google.rpc.Status busy = com.google.rpc.Status.newBuilder().setCode(8).setMessage("the queue is full")
        .addDetails(Any.pack(RetryInfo.newBuilder().setRetryDelay(Duration.newBuilder().setSeconds(1)
            .setNanos(200_000_000)).build())).build();
    String bin = Base64.getEncoder().withoutPadding().encodeToString(busy.toByteArray());
    AggregatedHttpResponse r = RestErrors.of(Status.RESOURCE_EXHAUSTED, bin).aggregate().join();
    assertThat(r.status()).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
    assertThat(r.headers().get("retry-after")).isEqualTo("2");
    assertThat(r.contentUtf8()).isEqualTo("{\"code\":8,\"message\":\"the queue is full\",\"details\":[{\"@type\":"
        + "\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"1.200s\"}]}");
  }

  @Test
  void withoutDetails_theCodeAndDescriptionAreTheBody() {
    AggregatedHttpResponse r = RestErrors.of(Status.DEADLINE_EXCEEDED.withDescription("too slow"), null)
        .aggregate().join();
    assertThat(r.status()).isEqualTo(HttpStatus.GATEWAY_TIMEOUT);
    assertThat(r.headers().get("retry-after")).isNull();
    assertThat(r.contentUtf8()).isEqualTo("{\"code\":4,\"message\":\"too slow\"}");
  }
}
