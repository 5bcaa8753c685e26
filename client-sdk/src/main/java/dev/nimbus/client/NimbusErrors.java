package dev.nimbus.client;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One line for people from a failed call or operation, e.g.
 * {@code INVALID_ARGUMENT: not an image [reason NOT_AN_IMAGE, domain nimbus.dev, row=3, uri=img/a.jpg]}.
 */
public final class NimbusErrors {
  private NimbusErrors() {}

  /**
   * The status code and message, followed by what the standard details add: BadRequest field violations,
   * ErrorInfo reason and metadata, RetryInfo delay; then the local cause grpc gave, if any (e.g. "Connection
   * refused").
   */
  public static String describe(StatusRuntimeException e) {
    requireNonNull(e, "e");
    // Never null for a StatusRuntimeException: without a details trailer it holds the code and description.
    String line = describe(StatusProto.fromThrowable(e));
    // The cause is local (a refused connection, a TLS failure): it never travels in the details.
    Throwable cause = e.getStatus().getCause();
    return cause == null || cause.getMessage() == null ? line : line + " (" + oneLine(cause.getMessage()) + ")";
  }

  /** The same for a {@code google.rpc.Status}: an operation's error or one of its partial failures. */
  public static String describe(com.google.rpc.Status status) {
    requireNonNull(status, "status");
    String message = oneLine(status.getMessage());
    StringBuilder line = new StringBuilder(codeName(status.getCode()));
    if (!message.isEmpty()) {
      line.append(": ").append(message);
    }
    for (Any detail : status.getDetailsList()) {
      try {
        if (detail.is(BadRequest.class)) {
          for (BadRequest.FieldViolation violation : detail.unpack(BadRequest.class).getFieldViolationsList()) {
            String description = oneLine(violation.getDescription());
            // The server often repeats the message as the violation's description; say it once.
            line.append(" [field ").append(violation.getField());
            if (!description.isEmpty() && !message.contains(description)) {
              line.append(": ").append(description);
            }
            line.append(']');
          }
        } else if (detail.is(ErrorInfo.class)) {
          ErrorInfo info = detail.unpack(ErrorInfo.class);
          line.append(" [reason ").append(info.getReason());
          if (!info.getDomain().isEmpty()) {
            line.append(", domain ").append(info.getDomain());
          }
          for (Map.Entry<String, String> entry : new TreeMap<>(info.getMetadataMap()).entrySet()) {
            line.append(", ").append(entry.getKey()).append('=').append(oneLine(entry.getValue()));
          }
          line.append(']');
        } else if (detail.is(RetryInfo.class)) {
          Duration delay = detail.unpack(RetryInfo.class).getRetryDelay();
          line.append(" [retry after ").append(formatDelay(delay)).append(']');
        }
      } catch (InvalidProtocolBufferException e) {
        // A detail we cannot read adds nothing a person could use.
      }
    }
    return line.toString();
  }

  /**
   * The stable reason of a failed call, from its ErrorInfo ({@code QUEUE_FULL}, {@code BASE_MODEL_MISSING}, ...),
   * for programs that act on a failure; empty when the server sent none.
   */
  public static String reason(StatusRuntimeException e) {
    requireNonNull(e, "e");
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    for (Any detail : status.getDetailsList()) {
      if (detail.is(ErrorInfo.class)) {
        try {
          return detail.unpack(ErrorInfo.class).getReason();
        } catch (InvalidProtocolBufferException ignored) {
          // unreadable: no reason
        }
      }
    }
    return "";
  }

  private static String codeName(int code) {
    for (Status.Code candidate : Status.Code.values()) {
      if (candidate.value() == code) {
        return candidate.name();
      }
    }
    return "code " + code;
  }

  private static String formatDelay(Duration delay) {
    long millis = delay.getSeconds() * 1000 + delay.getNanos() / 1_000_000;
    return millis < 1000 ? millis + " ms" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }

  private static String oneLine(String s) {
    return s.replaceAll("\\s*\\R\\s*", " ").strip();
  }
}
