package dev.nimbus.server.batching;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A ticker that moves only when told to. */
final class FakeTicker implements Ticker {
  private final AtomicLong nanos;

  FakeTicker() {
    this(1_000_000_000L);
  }

  FakeTicker(long start) {
    this.nanos = new AtomicLong(start);
  }

  @Override
  public long nanos() {
    return nanos.get();
  }

  void advance(Duration duration) {
    advanceNanos(duration.toNanos());
  }

  void advanceNanos(long delta) {
    nanos.addAndGet(delta);
  }
}
