package dev.nimbus.server.image;
public final class InvalidImageException extends Exception {
  public enum Reason { EMPTY, TOO_LARGE_FILE, UNSUPPORTED_FORMAT, TOO_MANY_PIXELS, CORRUPT }
  private final Reason reason;
  public InvalidImageException(Reason r, String m) { super(m); reason = r; }
  public Reason reason() { return reason; }
}
