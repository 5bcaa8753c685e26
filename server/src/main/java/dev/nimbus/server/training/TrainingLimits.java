package dev.nimbus.server.training;

import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * When a training run stops: whichever of max epochs, the wall-clock budget, early stopping or cancellation comes
 * first.
 *
 * @param maxEpochs at least 1
 * @param timeBudget wall-clock time for the whole run including validation; the loop stops taking steps early
 *     enough that the final validation still fits
 * @param patience epochs without a better validation loss before stopping; 0 disables early stopping
 * @param cancelled polled before every step and every evaluation batch, so cancelling takes effect within one
 *     step (tens of milliseconds)
 * @param nanoClock time source ({@code System::nanoTime}); injectable so tests control time instead of sleeping
 */
public record TrainingLimits(
    int maxEpochs, Duration timeBudget, int patience, BooleanSupplier cancelled, LongSupplier nanoClock) {

  public TrainingLimits {
    if (maxEpochs < 1) {
      throw new IllegalArgumentException("maxEpochs: %s (expected: >= 1)".formatted(maxEpochs));
    }
    Objects.requireNonNull(timeBudget, "timeBudget");
    if (timeBudget.isNegative() || timeBudget.isZero()) {
      throw new IllegalArgumentException("timeBudget: %s (expected: > 0)".formatted(timeBudget));
    }
    if (patience < 0) {
      throw new IllegalArgumentException("patience: %s (expected: >= 0)".formatted(patience));
    }
    Objects.requireNonNull(cancelled, "cancelled");
    Objects.requireNonNull(nanoClock, "nanoClock");
  }

  /** {@code maxEpochs} epochs within {@code timeBudget}, no early stopping, never cancelled. */
  public static TrainingLimits of(int maxEpochs, Duration timeBudget) {
    return new TrainingLimits(maxEpochs, timeBudget, 0, () -> false, System::nanoTime);
  }

  public TrainingLimits withPatience(int epochs) {
    return new TrainingLimits(maxEpochs, timeBudget, epochs, cancelled, nanoClock);
  }

  public TrainingLimits withCancel(BooleanSupplier isCancelled) {
    return new TrainingLimits(maxEpochs, timeBudget, patience, isCancelled, nanoClock);
  }

  public TrainingLimits withClock(LongSupplier clock) {
    return new TrainingLimits(maxEpochs, timeBudget, patience, cancelled, clock);
  }
}
