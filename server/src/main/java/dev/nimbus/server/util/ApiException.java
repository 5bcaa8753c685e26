package dev.nimbus.server.util;

import com.google.protobuf.Message;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.ResourceInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;

/**
 * A failure meant for the caller: a gRPC status code, a sentence a person can act on, and the standard
 * {@code google.rpc} details that let a program act on it too. Thrown anywhere below the service adapters and
 * turned into a {@link io.grpc.StatusRuntimeException} in one place ({@code StatusMapping}).
 */
public final class ApiException extends RuntimeException {
  public static final String DOMAIN = "nimbus.dev";

  private final Status.Code code;
  private final transient List<Message> details;

  public ApiException(Status.Code code, String message, List<Message> details) {
    super(message, null, false, false);
    this.code = code;
    this.details = List.copyOf(details);
  }

  public Status.Code code() {
    return code;
  }

  public List<Message> details() {
    return details;
  }

  public static ApiException notFound(String resourceType, String name, String message) {
    return new ApiException(Status.Code.NOT_FOUND, message,
        List.of(ResourceInfo.newBuilder().setResourceType(resourceType).setResourceName(name).build()));
  }

  public static ApiException alreadyExists(String resourceType, String name, String message) {
    return new ApiException(Status.Code.ALREADY_EXISTS, message,
        List.of(ResourceInfo.newBuilder().setResourceType(resourceType).setResourceName(name).build()));
  }

  /** A bad request field: {@code field} is the proto path, e.g. {@code input_config.csv_uri}. */
  public static ApiException invalidArgument(String field, String message) {
    return new ApiException(Status.Code.INVALID_ARGUMENT, message, List.of(BadRequest.newBuilder()
        .addFieldViolations(BadRequest.FieldViolation.newBuilder().setField(field).setDescription(message))
        .build()));
  }

  public static ApiException failedPrecondition(String reason, String message) {
    return new ApiException(Status.Code.FAILED_PRECONDITION, message, List.of(errorInfo(reason)));
  }

  public static ApiException resourceExhausted(String reason, String message, Duration retryAfter) {
    return new ApiException(Status.Code.RESOURCE_EXHAUSTED, message, List.of(errorInfo(reason),
        RetryInfo.newBuilder().setRetryDelay(Protos.duration(retryAfter)).build()));
  }

  public static ApiException unimplemented(String message) {
    return new ApiException(Status.Code.UNIMPLEMENTED, message, List.of());
  }

  public static ApiException of(Status.Code code, String reason, String message) {
    return new ApiException(code, message, List.of(errorInfo(reason)));
  }

  public static ErrorInfo errorInfo(String reason) {
    return ErrorInfo.newBuilder().setDomain(DOMAIN).setReason(reason).build();
  }
}
