package dev.nimbus.server.training;

import java.time.Duration;
import java.util.List;

/**
 * A trained and exported classifier, with the TEST split's scores computed through the exported SavedModel.
 *
 * @param inputSize the exported model's input height and width
 * @param inputChannels 3 (RGB) or 1 (gray, when every TRAIN and VALIDATION image was gray)
 * @param training the training loop's outcome; null when the run was cancelled before training started
 * @param took from the start of the job to the end of the export (decoding or embedding, training, export)
 * @param embedding how the backbone's features were computed; null for {@code scratch_cnn}
 * @param testScores one row per TEST image of the job, in its order, one column per label; null when cancelled
 *     before a model could be kept
 * @param notes what the user should know about how it was trained ("trained on flipped copies too", ...)
 * @param servingImagesPerSecond decoded images per second the exported model scored in serving-sized batches
 *     after the TEST pass; 0 when there were too few TEST images to measure
 */
public record TrainedClassifier(int inputSize, int inputChannels, TrainingResult training, Duration took,
    Embedding embedding, float[][] testScores, List<String> notes, double servingImagesPerSecond) {

  /**
   * @param imagesPerSecond images embedded per second (cache hits not counted)
   * @param reused embeddings read from the cache
   * @param featureDim the backbone's feature vector length
   */
  public record Embedding(double imagesPerSecond, long reused, int featureDim) {}

  /** Cancelled before any epoch ran: nothing to keep. */
  public static TrainedClassifier cancelledBeforeTraining() {
    return new TrainedClassifier(0, 0, null, Duration.ZERO, null, null, List.of(), 0);
  }

  /** Whether there is a model to keep. */
  public boolean kept() {
    return testScores != null;
  }
}
