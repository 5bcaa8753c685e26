package dev.nimbus.cli;

/**
 * The person typed something the command cannot use (a local file that is not there, option values that do not
 * go together): exit code {@link NimbusCommand#USAGE}, like picocli's own parameter errors.
 */
public final class UsageException extends RuntimeException {
  public UsageException(String message) {
    super(message, null, false, false);
  }
}
