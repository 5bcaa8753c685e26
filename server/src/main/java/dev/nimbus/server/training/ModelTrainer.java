package dev.nimbus.server.training;

import dev.nimbus.server.storage.BlobStore;
import dev.nimbus.v1.CreateModelDetails;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.TrainingParams;
import dev.nimbus.v1.TrainingSummary;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Trains a classifier on a dataset snapshot and exports it: the engine side of CreateModel. Implementations live
 * in {@code engine}; the operation handler only orchestrates, stores and evaluates.
 */
public interface ModelTrainer {

  /** Whether {@code baseModel} is one this trainer knows; throws INVALID_ARGUMENT with the reason if not. */
  void checkBaseModel(String baseModel);

  /**
   * Trains and writes {@code task.outputDir()}: {@code saved_model/} (one self-contained TF SavedModel) and
   * {@code labels.txt}; then scores the TEST split through the exported model.
   */
  TrainedModel train(TrainingTask task, Progress progress) throws Exception;

  /** What to train. */
  record TrainingTask(String modelId, DatasetSnapshot data, String baseModel, TrainingParams params,
      Path outputDir, BlobStore blobs, BooleanSupplier cancelRequested) {}

  /** Receives progress as training goes (stage, epoch, losses, throughput, ETA). */
  interface Progress {
    void update(CreateModelDetails details);
  }

  /**
   * The trained model.
   *
   * @param testScores one row per TEST example of the snapshot (in snapshot order), one column per label
   * @param testExamples the TEST examples scored, in the same order
   */
  record TrainedModel(int inputSize, int inputChannels, TrainingSummary summary, Model.StopReason stopReason,
      float[][] testScores, List<DatasetSnapshot.Example> testExamples, List<String> warnings) {}
}
