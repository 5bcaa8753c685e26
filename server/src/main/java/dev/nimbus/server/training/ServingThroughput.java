package dev.nimbus.server.training;

import dev.nimbus.server.engine.ImageBatch;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Measures how many images per second an exported model scores the way a deployment runs it: already-decoded
 * images, copied into one batch of the serving batch size per engine call, one call at a time, after one
 * untimed warm-up call of that size (serving warms a model up before it reports ready, and the first call of a
 * shape pays for graph optimisation). Decoding, queueing and the RPC are not in it, so it is an upper bound on
 * what Predict sustains on this machine with one batch thread.
 */
final class ServingThroughput {
  /** At most this many images are timed (one TEST chunk is decoded anyway). */
  static final int MAX_IMAGES = 256;
  /** The timed runs stop after the batch that crosses this, so a slow model costs a training little. */
  static final Duration BUDGET = Duration.ofSeconds(3);
  /** How many times a batch smaller than serving's is scored. */
  static final int SMALL_REPEATS = 8;

  /** One engine call on a batch, as serving makes it. */
  @FunctionalInterface
  interface Scorer {
    float[][] score(ImageBatch batch) throws Exception;
  }

  private ServingThroughput() {}

  /**
   * Images per second over full batches of {@code batchSize} taken from {@code images} (at most
   * {@value #MAX_IMAGES}). With fewer images than one batch, the batch is as large as the images are and is
   * scored {@value #SMALL_REPEATS} times, so a small TEST split still gets a (lower, smaller-batch) figure; 0 only
   * when there are no images.
   */
  static double measure(Scorer scorer, ImageBatch images, int batchSize, Duration budget, LongSupplier nanos)
      throws Exception {
    Objects.requireNonNull(scorer, "scorer");
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize: %s (expected: >= 1)".formatted(batchSize));
    }
    if (images.count() == 0) {
      return 0;
    }
    boolean small = images.count() < batchSize;
    batchSize = Math.min(batchSize, images.count());
    int usable = small ? SMALL_REPEATS * batchSize : Math.min(images.count(), MAX_IMAGES) / batchSize * batchSize;
    scorer.score(images.range(0, batchSize));
    long start = nanos.getAsLong();
    long limit = budget.toNanos();
    int scored = 0;
    long elapsed = 0;
    while (scored < usable) {
      int from = small ? 0 : scored;
      scorer.score(images.range(from, from + batchSize));
      scored += batchSize;
      elapsed = nanos.getAsLong() - start;
      if (elapsed >= limit) {
        break;
      }
    }
    return scored / (Math.max(1, elapsed) / 1e9);
  }
}
