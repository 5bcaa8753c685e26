package dev.nimbus.server.storage;

/** The data directory could not be read or written. Mapped to INTERNAL (or UNAVAILABLE) for callers. */
public final class StorageException extends RuntimeException {
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }

  public StorageException(String message) {
    super(message);
  }
}
