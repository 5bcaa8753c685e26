package dev.nimbus.server.training;

import java.time.Duration;

/**
 * Reported after every epoch (also a partial last one cut short by the time budget).
 *
 * @param epoch 1-based
 * @param steps optimizer steps taken in this epoch
 * @param trainLoss mean mini-batch loss over the epoch (with dropout and augmentation active)
 * @param validation on the validation set after this epoch; null when no validation set was given
 * @param trainImagesPerSecond images over the time spent inside the training session runs only
 * @param epochImagesPerSecond images over the epoch's wall time, including shuffling and feeding but not
 *     validation
 * @param elapsed since the run started, including validation
 */
public record EpochProgress(
    int epoch,
    int steps,
    double trainLoss,
    Evaluation validation,
    double trainImagesPerSecond,
    double epochImagesPerSecond,
    Duration elapsed) {

  /** The loss early stopping looks at: validation loss, or the training loss when there is no validation set. */
  public double monitoredLoss() {
    return validation != null ? validation.loss() : trainLoss;
  }
}
