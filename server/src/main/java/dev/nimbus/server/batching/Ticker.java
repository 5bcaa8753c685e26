package dev.nimbus.server.batching;

/**
 * A source of nanosecond time, only meaningful as differences (like {@link System#nanoTime()}), injected so that
 * tests move time forward instead of sleeping.
 */
@FunctionalInterface
public interface Ticker {

  long nanos();

  /** {@link System#nanoTime()}; the only ticker a scheduler with batch threads should use. */
  static Ticker system() {
    return System::nanoTime;
  }
}
