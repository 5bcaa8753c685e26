package dev.nimbus.server.training;

import dev.nimbus.v1.ClassificationType;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * One classifier to train: the data, split as the dataset splits it, where its images come from, the base model
 * and settings, and where the SavedModel goes.
 *
 * @param baseModel {@code mobilenet_v2}, {@code scratch_cnn}, {@code saved_model:<folder>} or
 *     {@code tfjs:<model.json>[#layer,...]} (see {@link BaseModels})
 * @param labels label names in output order; {@link LabeledImage#labels()} index into it
 * @param outputDir an empty folder the trainer writes {@code saved_model/} and {@code labels.txt} into
 * @param cancelled polled between steps; once true the trainer stops at the next safe point
 * @param initialHead a trained head the new head starts from (same backbone and cut layer); null for a fresh one
 */
public record TrainingJob(String baseModel, TrainingOptions options, ClassificationType type, List<String> labels,
    List<LabeledImage> train, List<LabeledImage> validation, List<LabeledImage> test, ImageSource images,
    Path outputDir, BooleanSupplier cancelled, InitialHead initialHead) {

  public TrainingJob {
    train = List.copyOf(train);
    validation = List.copyOf(validation);
    test = List.copyOf(test);
    labels = List.copyOf(labels);
  }

  /** The encoded bytes of a stored image, by content hash. */
  @FunctionalInterface
  public interface ImageSource {
    byte[] read(String sha256);
  }
}
