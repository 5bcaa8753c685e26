package dev.nimbus.server.batching;

import java.time.Duration;

/**
 * How one model's requests are batched.
 *
 * @param maxBatchSize the most images (tasks) in one engine call; 1 turns batching off
 * @param maxBatchDelay how long the oldest waiting image may wait for a batch to fill before a partial batch runs;
 *     zero runs whatever is waiting as soon as a batch thread is free (batching by opportunity only)
 * @param maxQueuedImages the most images waiting (not yet in a running batch); a request that does not fit whole
 *     is refused at once
 */
public record BatchingOptions(int maxBatchSize, Duration maxBatchDelay, int maxQueuedImages) {

  public BatchingOptions {
    if (maxBatchSize <= 0) {
      throw new IllegalArgumentException("maxBatchSize: %s (expected: > 0)".formatted(maxBatchSize));
    }
    if (maxBatchDelay == null) {
      throw new NullPointerException("maxBatchDelay");
    }
    if (maxBatchDelay.isNegative()) {
      throw new IllegalArgumentException("maxBatchDelay: %s (expected: >= 0)".formatted(maxBatchDelay));
    }
    if (maxQueuedImages < maxBatchSize) {
      // Fewer would mean a batch can never fill, and every batch waits the whole delay.
      throw new IllegalArgumentException("maxQueuedImages: %s (expected: >= maxBatchSize, %s)"
          .formatted(maxQueuedImages, maxBatchSize));
    }
  }

  /** {@link #maxBatchDelay()} in nanoseconds, saturated at {@link Long#MAX_VALUE}. */
  long maxBatchDelayNanos() {
    try {
      return maxBatchDelay.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}
