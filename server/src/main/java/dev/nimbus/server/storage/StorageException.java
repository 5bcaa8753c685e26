package dev.nimbus.server.storage;

import dev.nimbus.server.error.ErrorStatus;

/**
 * The data directory could not be read or written. Callers see INTERNAL saying so, with a reference; the path and
 * the cause are in the server log only.
 */
public final class StorageException extends RuntimeException implements ErrorStatus.PublicSummary {
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }

  public StorageException(String message) {
    super(message);
  }

  @Override
  public String publicSummary() {
    return "the server could not read or write its data directory";
  }
}
