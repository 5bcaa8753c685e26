package dev.nimbus.server.training;

import java.time.Duration;

/**
 * Where a training run is, reported as it goes: the stage, images done while preparing, embedding or evaluating,
 * and, while training, the epoch, step, losses and throughput.
 *
 * @param eta time left in this stage, or null when not known yet
 * @param validation the latest validation result, or null before the first epoch or without a validation set
 */
public record TrainingProgress(Stage stage, long processedImages, long totalImages, double imagesPerSecond,
    Duration eta, int epoch, int maxEpochs, long step, double trainLoss, Evaluation validation) {

  /** The stages of a run, in order (PREPARING only for the CNN, EMBEDDING only for transfer learning). */
  public enum Stage {
    PREPARING,
    EMBEDDING,
    TRAINING,
    EXPORTING,
    EVALUATING
  }

  /** Entering {@code stage}. */
  public static TrainingProgress of(Stage stage) {
    return new TrainingProgress(stage, 0, 0, 0, null, 0, 0, 0, 0, null);
  }

  /** {@code processed} of {@code total} images done in {@code stage}. */
  public static TrainingProgress images(Stage stage, long processed, long total, double imagesPerSecond,
      Duration eta) {
    return new TrainingProgress(stage, processed, total, imagesPerSecond, eta, 0, 0, 0, 0, null);
  }

  /** A training step or epoch. */
  public static TrainingProgress training(int epoch, int maxEpochs, long step, double trainLoss,
      double imagesPerSecond, Evaluation validation, Duration eta) {
    return new TrainingProgress(Stage.TRAINING, 0, 0, imagesPerSecond, eta, epoch, maxEpochs, step, trainLoss,
        validation);
  }
}
