package dev.nimbus.server.engine;

/** The TensorFlow native libraries could not be found or loaded; the message says what to do. */
public final class TensorFlowUnavailableException extends IllegalStateException {
  public TensorFlowUnavailableException(String message) {
    super(message);
  }

  public TensorFlowUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
