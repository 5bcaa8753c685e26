package dev.nimbus.server.image;

import java.util.Objects;

/**
 * Thrown when an image is refused. {@link #getMessage()} is one line that a person who imported
 * the file can act on, e.g. "the file is 31.5 MB; the limit is 30 MB".
 */
public final class InvalidImageException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Why an image was refused. */
  public enum Reason {
    /** The file has no bytes. */
    EMPTY,
    /** The file is larger than {@link ImageLimits#maxBytes()}. */
    TOO_LARGE_FILE,
    /** The content is not JPEG, PNG, GIF, BMP, WebP or TIFF. */
    UNSUPPORTED_FORMAT,
    /**
     * The header declares more pixels, or a longer side, than the limits allow, or a size that is
     * not positive. Refused before any pixel is decoded.
     */
    TOO_MANY_PIXELS,
    /** The file is truncated, or its data is damaged, or the decoder failed on it. */
    CORRUPT
  }

  private final Reason reason;

  public InvalidImageException(Reason reason, String message) {
    this(reason, message, null);
  }

  public InvalidImageException(Reason reason, String message, Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }
}
