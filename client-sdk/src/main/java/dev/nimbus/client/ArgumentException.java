package dev.nimbus.client;

/**
 * An argument the client refused before calling the server: a malformed resource name, a setting out of range.
 * Its message names the argument and what was expected ({@code "pageSize: 0 (expected: > 0)"}). Tools that take
 * arguments from a person (the {@code nimbus} CLI) report it as the person's mistake; any other
 * {@code IllegalArgumentException} is a bug.
 */
public final class ArgumentException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  ArgumentException(String message) {
    super(message);
  }
}
