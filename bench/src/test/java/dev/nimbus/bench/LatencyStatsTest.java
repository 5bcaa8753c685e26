package dev.nimbus.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatencyStatsTest {

  @Test
  void uniformOneToAThousandMilliseconds() {
    Histogram h = new Histogram(3);
    for (int ms = 1; ms <= 1000; ms++) {
      h.recordValue(ms * 1000L);
    }
    LatencyStats s = LatencyStats.ofMicros(h);
    assertThat(s.count()).isEqualTo(1000);
    assertThat(s.p50Ms()).isCloseTo(500, within(0.5));
    assertThat(s.p90Ms()).isCloseTo(900, within(0.9));
    assertThat(s.p99Ms()).isCloseTo(990, within(1.0));
    assertThat(s.maxMs()).isCloseTo(1000, within(1.0));
    assertThat(s.meanMs()).isCloseTo(500.5, within(0.5));
  }

  @Test
  void matchesExactNearestRankPercentilesOnASkewedDistribution() {
    Random rnd = new Random(42);
    long[] v = new long[50_000];
    Histogram h = new Histogram(3);
    for (int i = 0; i < v.length; i++) {
      v[i] = (long) (Math.exp(rnd.nextGaussian() * 0.8 + Math.log(20_000))); // log-normal around 20 ms, in micros
      h.recordValue(v[i]);
    }
    Arrays.sort(v);
    LatencyStats s = LatencyStats.ofMicros(h);
    for (double[] pq : new double[][] {{50, s.p50Ms()}, {90, s.p90Ms()}, {99, s.p99Ms()}, {100, s.maxMs()}}) {
      long exact = v[(int) Math.ceil(pq[0] / 100 * v.length) - 1]; // nearest rank
      assertThat(pq[1]).as("p" + pq[0]).isCloseTo(exact / 1000.0, within(exact / 1000.0 * 0.001 + 0.001));
    }
  }

  @Test
  void emptyHasNoPercentiles() {
    LatencyStats s = LatencyStats.ofMicros(new Histogram(3));
    assertThat(s).isEqualTo(LatencyStats.EMPTY);
    assertThat(LatencyStats.fmt(s.p99Ms())).isEqualTo("–");
  }
}
