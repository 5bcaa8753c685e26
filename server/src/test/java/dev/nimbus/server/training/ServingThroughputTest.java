package dev.nimbus.server.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nimbus.server.engine.ImageBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class ServingThroughputTest {
  /** A clock that advances only when the fake model runs: 10 ms per image. */
  private long now;
  private final List<Integer> calls = new ArrayList<>();

  private float[][] score(ImageBatch b) {
    calls.add(b.count());
    now += b.count() * 10_000_000L;
    return new float[b.count()][2];
  }

  private static ImageBatch images(int n) {
    return new ImageBatch(new byte[n * 4 * 4 * 3], n, 4, 4, 3);
  }

  @Test
  void measure_fullBatchesAfterOneWarmUp_imagesPerSecondOfTheTimedRuns() throws Exception {
    double rate = ServingThroughput.measure(this::score, images(20), 8, Duration.ofSeconds(3), () -> now);

    assertThat(calls).as("warm-up, then the two full batches of 8; the last 4 images are left out")
        .containsExactly(8, 8, 8);
    assertThat(rate).isCloseTo(100, Offset.offset(1e-6));
  }

  @Test
  void measure_atMost256Images_andStopsAtTheBudget() throws Exception {
    ServingThroughput.measure(this::score, images(400), 32, Duration.ofMinutes(1), () -> now);
    assertThat(calls.stream().mapToInt(Integer::intValue).sum() - 32).isEqualTo(256);

    calls.clear();
    double rate = ServingThroughput.measure(this::score, images(256), 8, Duration.ofMillis(150), () -> now);
    assertThat(calls).as("warm-up, then batches until 150 ms have passed").hasSize(3);
    assertThat(rate).isCloseTo(100, Offset.offset(1e-6));
  }

  @Test
  void measure_fewerImagesThanOneBatch_scoresThemAsOneSmallerBatch_andNoImagesIsZero() throws Exception {
    double rate = ServingThroughput.measure(this::score, images(7), 8, Duration.ofSeconds(3), () -> now);
    assertThat(calls).as("warm-up, then the 7 images as one batch, %s times", ServingThroughput.SMALL_REPEATS)
        .hasSize(1 + ServingThroughput.SMALL_REPEATS).allSatisfy(n -> assertThat(n).isEqualTo(7));
    assertThat(rate).isPositive();
    calls.clear();
    assertThat(ServingThroughput.measure(this::score, images(0), 8, Duration.ofSeconds(3), () -> now)).isZero();
    assertThat(calls).isEmpty();
  }
}
