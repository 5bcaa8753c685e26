package dev.nimbus.server.engine;

/** An encoded image TensorFlow could not decode; {@link #index()} says which one of the batch. */
public final class ImageDecodeException extends RuntimeException {

  private final int index;

  public ImageDecodeException(int index, String reason, Throwable cause) {
    super("image %s: %s".formatted(index, reason), cause);
    this.index = index;
  }

  /** Position of the offending image in the list passed to {@link Decoding#decode}. */
  public int index() {
    return index;
  }
}
