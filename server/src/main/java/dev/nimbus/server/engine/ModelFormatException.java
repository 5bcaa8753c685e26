package dev.nimbus.server.engine;

/** A model file is malformed, or uses something the importer does not support; the message names what. */
public final class ModelFormatException extends RuntimeException {
  public ModelFormatException(String message) {
    super(message);
  }

  public ModelFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
