package dev.nimbus.server.http;

import com.linecorp.armeria.common.HttpStatus;
import io.grpc.Status;

/**
 * The HTTP status of each gRPC code, as AIP-193 and Google's {@code google.rpc.Code} comments give them, but for
 * FAILED_PRECONDITION: 412 (Precondition Failed), which tells an HTTP client what 400 would not, that the request
 * was well-formed and the resource's state refused it.
 */
final class HttpStatuses {
  private HttpStatuses() {}

  static HttpStatus of(Status.Code code) {
    return switch (code) {
      case OK -> HttpStatus.OK;
      case CANCELLED -> HttpStatus.valueOf(499);
      case INVALID_ARGUMENT, OUT_OF_RANGE -> HttpStatus.BAD_REQUEST;
      case DEADLINE_EXCEEDED -> HttpStatus.GATEWAY_TIMEOUT;
      case NOT_FOUND -> HttpStatus.NOT_FOUND;
      case ALREADY_EXISTS, ABORTED -> HttpStatus.CONFLICT;
      case PERMISSION_DENIED -> HttpStatus.FORBIDDEN;
      case UNAUTHENTICATED -> HttpStatus.UNAUTHORIZED;
      case RESOURCE_EXHAUSTED -> HttpStatus.TOO_MANY_REQUESTS;
      case FAILED_PRECONDITION -> HttpStatus.PRECONDITION_FAILED;
      case UNIMPLEMENTED -> HttpStatus.NOT_IMPLEMENTED;
      case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
      case UNKNOWN, INTERNAL, DATA_LOSS -> HttpStatus.INTERNAL_SERVER_ERROR;
    };
  }
}
