package dev.nimbus.server.model;

import com.google.rpc.Code;
import dev.nimbus.server.engine.TensorFlowUnavailableException;
import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.storage.BlobStore;
import dev.nimbus.server.training.BaseModelException;
import dev.nimbus.server.training.ClassifierTrainer;
import dev.nimbus.server.training.EpochProgress;
import dev.nimbus.server.training.Evaluation;
import dev.nimbus.server.training.InitialHead;
import dev.nimbus.server.training.InitialHeadException;
import dev.nimbus.server.training.LabeledImage;
import dev.nimbus.server.training.TrainedClassifier;
import dev.nimbus.server.training.TrainingJob;
import dev.nimbus.server.training.TrainingOptions;
import dev.nimbus.server.training.TrainingProgress;
import dev.nimbus.server.training.TrainingResult;
import dev.nimbus.server.util.Protos;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.v1.CreateModelDetails;
import dev.nimbus.v1.EpochMetrics;
import dev.nimbus.v1.MlUse;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.TrainingParams;
import dev.nimbus.v1.TrainingSummary;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The model use cases' side of the trainer: {@code CreateModel}'s messages become a {@link TrainingJob}, the
 * trainer's progress and result become {@code CreateModelDetails}, {@code TrainingSummary} and a stop reason, and
 * the trainer's failures become API errors.
 */
final class ModelTraining {
  private final ClassifierTrainer trainer;

  ModelTraining(ClassifierTrainer trainer) {
    this.trainer = trainer;
  }

  /** What training produced, as the model stores it. */
  record Trained(int inputSize, int inputChannels, TrainingSummary summary, Model.StopReason stopReason,
      float[][] testScores, List<LabeledImage> testExamples, List<String> warnings) {}

  /** INVALID_ARGUMENT for a spec that names no base model, FAILED_PRECONDITION for one this server lacks. */
  void checkBaseModel(String baseModel) {
    try {
      trainer.checkBaseModel(baseModel);
    } catch (BaseModelException e) {
      throw toApi(baseModel, e);
    }
  }

  /**
   * Trains on the snapshot's TRAIN and VALIDATION images into {@code work} and scores its TEST images; null when
   * cancelled before a model could be kept.
   *
   * @param initial the trained head to start from ({@code training_params.initial_model}); null for a fresh one
   */
  Trained train(DatasetSnapshot data, Model model, Path work, BlobStore blobs, InitialHead initial,
      BooleanSupplier cancelled, Consumer<CreateModelDetails> progress) throws Exception {
    List<LabeledImage> test = data.split(MlUse.TEST);
    TrainingJob job = new TrainingJob(model.getBaseModel(), options(model.getTrainingParams()), data.type(),
        data.labels(), data.split(MlUse.TRAIN), data.split(MlUse.VALIDATION), test,
        blobs::read, work, cancelled, initial);
    TrainedClassifier t;
    try {
      t = trainer.train(job, p -> progress.accept(details(p)));
    } catch (BaseModelException e) {
      throw toApi(model.getBaseModel(), e);
    } catch (InitialHeadException e) {
      throw ApiException.failedPrecondition("INITIAL_MODEL_MISMATCH", InitialModels.FIELD + ": " + e.getMessage());
    } catch (TensorFlowUnavailableException e) {
      throw ApiException.failedPrecondition("TENSORFLOW_UNAVAILABLE", "training needs the TensorFlow native"
          + " libraries: " + e.getMessage());
    }
    if (!t.kept()) {
      return null;
    }
    return new Trained(t.inputSize(), t.inputChannels(), summary(t), stopReason(t.training()), t.testScores(), test,
        t.notes());
  }

  private static ApiException toApi(String baseModel, BaseModelException e) {
    return switch (e.kind()) {
      case INVALID -> ApiException.invalidArgument("model.base_model", "model.base_model: '"
          + ResourceNames.abbreviate(baseModel) + "' " + e.getMessage());
      case MISSING -> ApiException.of(Code.FAILED_PRECONDITION, "BASE_MODEL_MISSING", e.getMessage());
    };
  }

  private static TrainingOptions options(TrainingParams p) {
    return new TrainingOptions(p.getLearningRate(), p.getBatchSize(),
        p.getTrainBudgetSeconds() > 0 ? Duration.ofSeconds(p.getTrainBudgetSeconds()) : null, p.getMaxEpochs(),
        p.getCutLayer());
  }

  static CreateModelDetails details(TrainingProgress p) {
    CreateModelDetails.Builder d = CreateModelDetails.newBuilder()
        .setStage(CreateModelDetails.Stage.valueOf(p.stage().name()))
        .setProcessedImages(p.processedImages())
        .setTotalImages(p.totalImages())
        .setImagesPerSecond(p.imagesPerSecond())
        .setEpoch(p.epoch())
        .setMaxEpochs(p.maxEpochs())
        .setStep(p.step())
        .setTrainLoss((float) p.trainLoss());
    if (p.eta() != null) {
      d.setEta(Protos.duration(p.eta()));
    }
    if (p.validation() != null) {
      d.setValidationLoss((float) p.validation().loss()).setValidationAccuracy((float) p.validation().accuracy());
    }
    return d.build();
  }

  private static TrainingSummary summary(TrainedClassifier t) {
    TrainingSummary.Builder s = TrainingSummary.newBuilder().setTrainingDuration(Protos.duration(t.took()))
        .setServingImagesPerSecond(t.servingImagesPerSecond());
    double rate = 0;
    List<EpochProgress> history = t.training().history();
    for (EpochProgress e : history) {
      EpochMetrics.Builder m = EpochMetrics.newBuilder().setEpoch(e.epoch()).setTrainLoss((float) e.trainLoss())
          .setElapsed(Protos.duration(e.elapsed()));
      Evaluation v = e.validation();
      if (v != null) {
        m.setValidationLoss((float) v.loss()).setValidationAccuracy((float) v.accuracy());
      }
      s.addCurve(m);
      rate += e.trainImagesPerSecond();
    }
    if (!history.isEmpty()) {
      s.setTrainImagesPerSecond(rate / history.size());
    }
    if (t.embedding() != null) {
      s.setEmbeddingImagesPerSecond(t.embedding().imagesPerSecond())
          .setEmbeddingsReused(t.embedding().reused())
          .setFeatureDim(t.embedding().featureDim());
    }
    return s.build();
  }

  static Model.StopReason stopReason(TrainingResult r) {
    return switch (r.stopReason()) {
      case MAX_EPOCHS -> Model.StopReason.MAX_EPOCHS_REACHED;
      case TIME_BUDGET -> Model.StopReason.BUDGET_REACHED;
      case EARLY_STOPPING -> Model.StopReason.CONVERGED;
      case CANCELLED -> Model.StopReason.CANCELLED;
      case DIVERGED -> Model.StopReason.DIVERGED;
    };
  }
}
