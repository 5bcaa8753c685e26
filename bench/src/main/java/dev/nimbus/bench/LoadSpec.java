package dev.nimbus.bench;

import java.time.Duration;
import java.util.Locale;

/**
 * One load scenario.
 *
 * <p>Closed loop: {@code concurrency} clients, each sending its next Predict the moment the previous one answers
 * (after {@code pauseAfterError} if it failed), so exactly that many calls are in flight.
 *
 * <p>Open loop: calls are sent on a schedule fixed in advance, {@code ratePerSecond} on average, whatever the
 * server does. {@link Arrivals#POISSON} draws exponential gaps (a seeded random, so runs repeat); {@link
 * Arrivals#UNIFORM} spaces them exactly 1/rate apart. Latency is measured from each call's intended send time,
 * so a sender that falls behind (or a server that stalls) shows as latency, never as a lower rate: coordinated
 * omission cannot hide queueing. At most {@code maxOutstanding} calls are kept in flight; a call due beyond that is
 * not sent and is counted as the client-side error {@code outstanding-cap}.
 *
 * <p>Each run has a warm-up (calls are made, nothing is recorded) followed by the measured window. Calls whose
 * intended send time falls in the window are "measured": their outcome and latency are recorded (the run waits
 * for them, bounded by their deadline). Throughput is successful calls that completed inside the window divided
 * by its length.
 *
 * @param name scenario label for the report, e.g. {@code closed C=8}
 * @param mode closed or open loop
 * @param concurrency clients (closed loop)
 * @param ratePerSecond calls per second (open loop)
 * @param arrivals how open-loop sends are spaced
 * @param warmup time before the measured window
 * @param duration the measured window
 * @param deadline per-call deadline, from the actual send
 * @param maxRequests stop after this many measured calls (0: no limit); the window then ends when they are done
 * @param maxOutstanding open loop: calls in flight at most
 * @param pauseAfterError closed loop: a client waits this long after a failed call before its next one
 * @param seed Poisson arrivals and payload order
 */
public record LoadSpec(String name, Mode mode, int concurrency, double ratePerSecond, Arrivals arrivals,
    Duration warmup, Duration duration, Duration deadline, long maxRequests, int maxOutstanding,
    Duration pauseAfterError, long seed) {

  public enum Mode { CLOSED, OPEN }

  public enum Arrivals { POISSON, UNIFORM }

  public LoadSpec {
    if (mode == Mode.CLOSED && concurrency < 1) {
      throw new IllegalArgumentException("concurrency: " + concurrency + " (expected: >= 1)");
    }
    if (mode == Mode.OPEN && !(ratePerSecond > 0)) {
      throw new IllegalArgumentException("ratePerSecond: " + ratePerSecond + " (expected: > 0)");
    }
    if (warmup.isNegative() || duration.isNegative() || duration.isZero() || deadline.isNegative()
        || deadline.isZero()) {
      throw new IllegalArgumentException("warmup >= 0, duration > 0 and deadline > 0 expected");
    }
    if (maxOutstanding < 1 || maxRequests < 0) {
      throw new IllegalArgumentException("maxOutstanding >= 1 and maxRequests >= 0 expected");
    }
  }

  public static LoadSpec closed(int clients, Duration warmup, Duration duration, Duration deadline) {
    return new LoadSpec("closed C=" + clients, Mode.CLOSED, clients, 0, Arrivals.UNIFORM, warmup, duration,
        deadline, 0, 100_000, Duration.ZERO, 1);
  }

  public static LoadSpec open(double ratePerSecond, Arrivals arrivals, Duration warmup, Duration duration,
      Duration deadline) {
    return new LoadSpec("open " + rate(ratePerSecond) + "/s", Mode.OPEN, 0, ratePerSecond, arrivals, warmup,
        duration, deadline, 0, 100_000, Duration.ZERO, 1);
  }

  public LoadSpec withName(String n) {
    return new LoadSpec(n, mode, concurrency, ratePerSecond, arrivals, warmup, duration, deadline, maxRequests,
        maxOutstanding, pauseAfterError, seed);
  }

  public LoadSpec withMaxRequests(long n) {
    return new LoadSpec(name, mode, concurrency, ratePerSecond, arrivals, warmup, duration, deadline, n,
        maxOutstanding, pauseAfterError, seed);
  }

  public LoadSpec withMaxOutstanding(int n) {
    return new LoadSpec(name, mode, concurrency, ratePerSecond, arrivals, warmup, duration, deadline, maxRequests,
        n, pauseAfterError, seed);
  }

  public LoadSpec withPauseAfterError(Duration d) {
    return new LoadSpec(name, mode, concurrency, ratePerSecond, arrivals, warmup, duration, deadline, maxRequests,
        maxOutstanding, d, seed);
  }

  public LoadSpec withSeed(long s) {
    return new LoadSpec(name, mode, concurrency, ratePerSecond, arrivals, warmup, duration, deadline, maxRequests,
        maxOutstanding, pauseAfterError, s);
  }

  static String rate(double r) {
    return r == Math.rint(r) ? Long.toString((long) r) : String.format(Locale.ROOT, "%.1f", r);
  }
}
