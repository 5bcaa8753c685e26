package dev.nimbus.server.batching;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Why a request's future failed without the engine running its images. Adapters map {@link #kind()} to a status:
 * QUEUE_FULL to RESOURCE_EXHAUSTED with a RetryInfo of {@link #retryAfter()}, TOO_LARGE to INVALID_ARGUMENT,
 * DEADLINE_EXCEEDED and CANCELLED to themselves, SHUT_DOWN to UNAVAILABLE. An engine failure is not one of these:
 * the future fails with the engine's own exception.
 *
 * <p>Stackless: it is created on the overload path, where cost matters, and a stack would point into the scheduler
 * rather than at the caller.
 */
public final class BatchingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public enum Kind {
    /** The model's queue has no room for the whole request now; retry after {@link #retryAfter()}. */
    QUEUE_FULL,
    /** The request has more images than the model's queue can ever hold; retrying cannot help. */
    TOO_LARGE,
    /** The request's deadline passed before its images ran. */
    DEADLINE_EXCEEDED,
    /** The request was cancelled before its images ran. */
    CANCELLED,
    /** The model was unregistered, or the scheduler closed, before the request's images ran. */
    SHUT_DOWN
  }

  private final Kind kind;
  private final String modelKey;
  private final transient Duration retryAfter;

  /**
   * @param retryAfter required for QUEUE_FULL, null otherwise
   */
  public BatchingException(Kind kind, String modelKey, String message, Duration retryAfter) {
    this(kind, modelKey, message, retryAfter, null);
  }

  BatchingException(Kind kind, String modelKey, String message, Duration retryAfter, Throwable cause) {
    super(message, cause, false, false);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.modelKey = Objects.requireNonNull(modelKey, "modelKey");
    if ((kind == Kind.QUEUE_FULL) != (retryAfter != null)) {
      throw new IllegalArgumentException("retryAfter: %s (expected: given for QUEUE_FULL only, kind is %s)"
          .formatted(retryAfter, kind));
    }
    this.retryAfter = retryAfter;
  }

  public Kind kind() {
    return kind;
  }

  public String modelKey() {
    return modelKey;
  }

  /** For QUEUE_FULL, the suggested delay before trying again; empty for the other kinds. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
