package dev.nimbus.cli;

/**
 * The server did its part and the outcome is a failure the person must hear about: an operation that failed or
 * was cancelled, a wait that timed out. Exit code {@link NimbusCommand#FAILURE}; the message is the whole line.
 */
public final class CommandFailedException extends RuntimeException {
  public CommandFailedException(String message) {
    super(message, null, false, false);
  }
}
