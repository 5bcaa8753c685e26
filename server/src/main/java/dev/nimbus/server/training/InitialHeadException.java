package dev.nimbus.server.training;

/**
 * A warm start ({@link TrainingJob#initialHead()}) that cannot work with this job's backbone: the source head was
 * trained on features of another length (its base model's files changed since). The message says so in the
 * user's terms; the caller turns it into FAILED_PRECONDITION.
 */
public final class InitialHeadException extends RuntimeException {
  public InitialHeadException(String message) {
    super(message, null, false, false);
  }
}
