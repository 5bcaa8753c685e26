package dev.nimbus.bench;

import java.util.Locale;
import org.HdrHistogram.AbstractHistogram;

/**
 * Percentiles of a set of durations, in milliseconds. Values come from an HdrHistogram recorded in microseconds
 * with 3 significant digits, so each percentile is within 0.1% of an actually recorded value (HdrHistogram's
 * "value at percentile": the smallest recorded value that at least that share of the values are at or below).
 * The percentiles are null when nothing was recorded.
 *
 * @param count values recorded
 * @param meanMs mean
 * @param p50Ms median
 * @param p90Ms 90th percentile
 * @param p99Ms 99th percentile
 * @param maxMs largest value
 */
public record LatencyStats(long count, Double meanMs, Double p50Ms, Double p90Ms, Double p99Ms, Double maxMs) {

  public static final LatencyStats EMPTY = new LatencyStats(0, null, null, null, null, null);

  /** Reads a histogram of microsecond values. */
  public static LatencyStats ofMicros(AbstractHistogram h) {
    long n = h.getTotalCount();
    if (n == 0) {
      return EMPTY;
    }
    return new LatencyStats(n, round(h.getMean() / 1000.0), ms(h.getValueAtPercentile(50)),
        ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)), ms(h.getMaxValue()));
  }

  private static Double ms(long micros) {
    return round(micros / 1000.0);
  }

  private static Double round(double v) {
    return Math.round(v * 1000.0) / 1000.0;
  }

  /** {@code 12.3} style, or an en dash for nothing. */
  static String fmt(Double ms) {
    if (ms == null) {
      return "–";
    }
    double v = ms;
    if (v >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (v >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
