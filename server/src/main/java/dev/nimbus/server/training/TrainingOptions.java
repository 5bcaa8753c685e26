package dev.nimbus.server.training;

import java.time.Duration;

/**
 * What a caller may set about a training run; zero (or null) means the trainer's default.
 *
 * @param learningRate Adam's step size
 * @param batchSize examples per optimizer step
 * @param budget wall-clock time for the training loop (defaults: 5 minutes for a head, 10 for the CNN)
 * @param maxEpochs at most this many passes over TRAIN
 * @param cutLayer mobilenet_v2 only: the layer (or comma-separated layers, whose pooled features are
 *     concatenated) whose output is the feature vector
 */
public record TrainingOptions(float learningRate, int batchSize, Duration budget, int maxEpochs, String cutLayer) {
  /** Every setting at the trainer's default. */
  public static TrainingOptions defaults() {
    return new TrainingOptions(0, 0, null, 0, "");
  }
}
