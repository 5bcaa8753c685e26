package dev.nimbus.server.training;

import java.util.function.Consumer;

/**
 * Trains an image classifier and exports it as one SavedModel: the engine side of CreateModel. The model
 * package orchestrates (snapshot, evaluation, storage) and talks to the trainer only through this interface, so a
 * test can replace it.
 */
public interface ClassifierTrainer {

  /** Checks a base-model spec before anything is stored; throws {@link BaseModelException} saying why not. */
  void checkBaseModel(String baseModel);

  /**
   * Trains on {@code job}, writes {@code job.outputDir()}: {@code saved_model/} (one self-contained TF SavedModel)
   * and {@code labels.txt}, and scores the TEST images through the exported model.
   *
   * @throws BaseModelException if the base model cannot be opened
   * @throws dev.nimbus.server.engine.TensorFlowUnavailableException if TensorFlow's native libraries are missing
   */
  TrainedClassifier train(TrainingJob job, Consumer<TrainingProgress> progress) throws Exception;
}
