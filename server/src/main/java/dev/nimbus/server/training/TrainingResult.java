package dev.nimbus.server.training;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of a training run. The trainer holds the weights of {@code bestEpoch} afterwards (not those of the
 * last epoch), which is what export and evaluation then use.
 *
 * @param bestEpoch the epoch whose weights were kept; 0 if no epoch completed (cancelled before the first one)
 * @param bestValidation validation result of {@code bestEpoch}; null without a validation set or epoch
 */
public record TrainingResult(
    StopReason stopReason,
    int epochs,
    int bestEpoch,
    Evaluation bestValidation,
    List<EpochProgress> history,
    Duration elapsed) {

  public TrainingResult {
    history = List.copyOf(history);
  }
}
