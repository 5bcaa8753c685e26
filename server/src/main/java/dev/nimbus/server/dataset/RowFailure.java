package dev.nimbus.server.dataset;

import com.google.rpc.Code;
import com.google.rpc.Status;
import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.error.ErrorStatus;
import dev.nimbus.server.util.ResourceNames;
import java.util.Map;

/**
 * Why one CSV row was not imported. Reported as a {@code google.rpc.Status} in the operation's partial failures:
 * the message reads "row 12 (img/x.jpg): file not found", and an ErrorInfo carries the reason code, row and URI.
 */
public record RowFailure(long line, String uri, Reason reason, String message) {

  /** Stable reason codes (the ErrorInfo reason), each with the status code it is reported under. */
  public enum Reason {
    TOO_FEW_FIELDS(Code.INVALID_ARGUMENT),
    NO_LABEL(Code.INVALID_ARGUMENT),
    INVALID_LABEL(Code.INVALID_ARGUMENT),
    TOO_MANY_LABELS(Code.INVALID_ARGUMENT),
    INVALID_URI(Code.INVALID_ARGUMENT),
    UNSUPPORTED_URI(Code.UNIMPLEMENTED),
    /** A {@code gs://} URI of a bucket the server has no copy of: an administrator can map one. */
    BUCKET_NOT_MAPPED(Code.FAILED_PRECONDITION),
    HTTP_DISABLED(Code.PERMISSION_DENIED),
    HTTP_FAILED(Code.UNAVAILABLE),
    OUTSIDE_IMPORT_ROOTS(Code.PERMISSION_DENIED),
    FILE_NOT_FOUND(Code.NOT_FOUND),
    NOT_A_FILE(Code.INVALID_ARGUMENT),
    READ_FAILED(Code.UNAVAILABLE),
    EMPTY_FILE(Code.INVALID_ARGUMENT),
    FILE_TOO_LARGE(Code.INVALID_ARGUMENT),
    UNSUPPORTED_FORMAT(Code.INVALID_ARGUMENT),
    TOO_MANY_PIXELS(Code.INVALID_ARGUMENT),
    CORRUPT_IMAGE(Code.INVALID_ARGUMENT),
    UPLOAD_MISSING(Code.NOT_FOUND),
    LABEL_CONFLICT(Code.ALREADY_EXISTS),
    SPLIT_CONFLICT(Code.ALREADY_EXISTS);

    private final Code code;

    Reason(Code code) {
      this.code = code;
    }

    public Code code() {
      return code;
    }
  }

  /** A row failed for {@code reason}; thrown while a row is resolved and validated. */
  public static final class RowException extends Exception {
    private final Reason reason;

    public RowException(Reason reason, String message) {
      super(message, null, false, false);
      this.reason = reason;
    }

    public Reason reason() {
      return reason;
    }
  }

  /** The failure as a partial failure of its operation: "row 12 (img/x.jpg): file not found" with an ErrorInfo. */
  public Status toStatus() {
    String shownUri = ResourceNames.abbreviate(uri);
    String where = shownUri.isEmpty() ? "row " + line : "row " + line + " (" + shownUri + ")";
    return ErrorStatus.of(ApiException.of(reason.code(), reason.name(), where + ": " + message,
        Map.of("row", Long.toString(line), "uri", shownUri)));
  }
}
