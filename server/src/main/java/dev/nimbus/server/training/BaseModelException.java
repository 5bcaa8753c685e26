package dev.nimbus.server.training;

/** A base model that cannot be trained from: a spec that names none, or a known one missing from this build. */
public final class BaseModelException extends RuntimeException {
  /** Whether the spec is wrong (the caller's to fix) or the model is missing (the administrator's). */
  public enum Kind {
    INVALID,
    MISSING
  }

  private final Kind kind;

  public BaseModelException(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
