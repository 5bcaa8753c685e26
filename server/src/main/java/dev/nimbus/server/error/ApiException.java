package dev.nimbus.server.error;

import com.google.protobuf.Message;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.ResourceInfo;
import com.google.rpc.RetryInfo;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A failure meant for the caller: a status code, a sentence a person can act on, and the standard
 * {@code google.rpc} details that let a program act on it too. Thrown anywhere below the adapters and turned into
 * a {@code google.rpc.Status} in one place ({@link ErrorStatus#of}).
 */
public final class ApiException extends RuntimeException {
  public static final String DOMAIN = "nimbus.dev";

  private final Code code;
  private final transient List<Message> details;

  public ApiException(Code code, String message, List<Message> details) {
    super(message, null, false, false);
    this.code = code;
    this.details = List.copyOf(details);
  }

  public Code code() {
    return code;
  }

  public List<Message> details() {
    return details;
  }

  public static ApiException notFound(String resourceType, String name, String message) {
    return new ApiException(Code.NOT_FOUND, message, List.of(resourceInfo(resourceType, name)));
  }

  public static ApiException alreadyExists(String resourceType, String name, String message) {
    return new ApiException(Code.ALREADY_EXISTS, message, List.of(resourceInfo(resourceType, name)));
  }

  /** A bad request field: {@code field} is the proto path, e.g. {@code input_config.csv_uri}. */
  public static ApiException invalidArgument(String field, String message) {
    return new ApiException(Code.INVALID_ARGUMENT, message, List.of(BadRequest.newBuilder()
        .addFieldViolations(BadRequest.FieldViolation.newBuilder().setField(field).setDescription(message))
        .build()));
  }

  public static ApiException failedPrecondition(String reason, String message) {
    return of(Code.FAILED_PRECONDITION, reason, message);
  }

  public static ApiException resourceExhausted(String reason, String message, Duration retryAfter) {
    return new ApiException(Code.RESOURCE_EXHAUSTED, message, List.of(errorInfo(reason, Map.of()),
        RetryInfo.newBuilder().setRetryDelay(com.google.protobuf.Duration.newBuilder()
            .setSeconds(retryAfter.getSeconds()).setNanos(retryAfter.getNano())).build()));
  }

  public static ApiException unimplemented(String message) {
    return new ApiException(Code.UNIMPLEMENTED, message, List.of());
  }

  /** Any code with an ErrorInfo naming a stable {@code reason}. */
  public static ApiException of(Code code, String reason, String message) {
    return of(code, reason, message, Map.of());
  }

  /** Any code with an ErrorInfo naming a stable {@code reason} and carrying {@code metadata} (row, uri, ...). */
  public static ApiException of(Code code, String reason, String message, Map<String, String> metadata) {
    return new ApiException(code, message, List.of(errorInfo(reason, metadata)));
  }

  private static ErrorInfo errorInfo(String reason, Map<String, String> metadata) {
    return ErrorInfo.newBuilder().setDomain(DOMAIN).setReason(reason).putAllMetadata(metadata).build();
  }

  private static ResourceInfo resourceInfo(String type, String name) {
    return ResourceInfo.newBuilder().setResourceType(type).setResourceName(name).build();
  }
}
