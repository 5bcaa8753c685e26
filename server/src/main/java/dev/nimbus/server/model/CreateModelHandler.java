package dev.nimbus.server.model;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.Any;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.Code;
import com.google.rpc.Status;
import dev.nimbus.server.dataset.DatasetStore;
import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.error.ErrorStatus;
import dev.nimbus.server.evaluation.EvaluationInput;
import dev.nimbus.server.evaluation.EvaluationResult;
import dev.nimbus.server.evaluation.Evaluator;
import dev.nimbus.server.operation.OperationContext;
import dev.nimbus.server.operation.OperationHandler;
import dev.nimbus.server.storage.BlobStore;
import dev.nimbus.server.training.ClassifierTrainer;
import dev.nimbus.server.training.InitialHead;
import dev.nimbus.server.training.LabeledImage;
import dev.nimbus.server.util.Protos;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.server.util.ServerPaths;
import dev.nimbus.v1.ClassificationType;
import dev.nimbus.v1.CreateModelDetails;
import dev.nimbus.v1.EpochMetrics;
import dev.nimbus.v1.CreateModelRequest;
import dev.nimbus.v1.MlUse;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.ModelEvaluation;
import dev.nimbus.v1.OperatingPoint;
import dev.nimbus.v1.OperationMetadata;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs CreateModel: snapshot the dataset, let the trainer ({@link ModelTraining}) train and export the model, evaluate the
 * TEST split's scores, then publish the model folder and commit the model, its evaluations and the operation's
 * result in one transaction. A training interrupted by a crash starts over at the next start (embeddings are
 * cached, so the expensive part is not repeated); one that fails leaves the model TRAINING_FAILED with the reason.
 */
public final class CreateModelHandler implements OperationHandler {
  private static final Gson CARD_JSON = new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping()
      .create();

  private final ModelStore models;
  private final DatasetStore datasets;
  private final ModelFiles files;
  private final BlobStore blobs;
  private final ModelTraining training;
  private final Clock clock;

  public CreateModelHandler(ModelStore models, DatasetStore datasets, ModelFiles files, BlobStore blobs,
      ClassifierTrainer trainer, Clock clock) {
    this.models = models;
    this.datasets = datasets;
    this.files = files;
    this.blobs = blobs;
    this.training = new ModelTraining(trainer);
    this.clock = clock;
  }

  @Override
  public OperationMetadata.Kind kind() {
    return OperationMetadata.Kind.CREATE_MODEL;
  }

  @Override
  public boolean resumable() {
    return true;
  }

  @Override
  public void run(OperationContext ctx) throws Exception {
    CreateModelRequest spec = CreateModelRequest.parseFrom(ctx.spec());
    String id = spec.getModelId();
    Model model = spec.getModel();
    Path work = null;
    try {
      String datasetId = ResourceNames.datasetId("model.dataset", model.getDataset());
      DatasetSnapshot data = DatasetSnapshot.take(datasets, datasetId, model.getClassificationType());
      data.checkTrainable();
      InitialHead initial = null;
      String initialModel = model.getTrainingParams().getInitialModel();
      if (!initialModel.isEmpty()) {
        // Again: since CreateModel was called, the source may have been deleted or the dataset relabeled.
        Model source = InitialModels.source(models, initialModel);
        InitialModels.checkFits(source, data.type(), model.getDataset(), data.labels());
        initial = InitialModels.head(files, source);
      }
      work = files.workDir(id);
      ModelTraining.Trained trained = training.train(data, model, work, blobs, initial, ctx::cancelRequested,
          details -> ctx.publish(progress(ctx.metadata(), details)));
      if (trained == null) {
        throw new Cancelled();
      }
      publish(ctx, id, model, data, trained, work);
      work = null;
    } catch (OperationContext.Stopped | InterruptedException e) {
      throw e; // resumed at the next start
    } catch (Cancelled e) {
      failModel(ctx, id, model, OperationMetadata.State.CANCELLED, Status.newBuilder().setCode(Code.CANCELLED_VALUE)
          .setMessage("training was cancelled before a model could be kept").build(), Model.StopReason.CANCELLED);
    } catch (Exception | Error e) {
      if (ctx.stopping() && !(e instanceof ApiException)) {
        throw e;
      }
      failModel(ctx, id, model, OperationMetadata.State.FAILED, ErrorStatus.of(e, "the training of models/" + id),
          null);
    } finally {
      if (work != null) {
        ServerPaths.deleteTree(work);
      }
    }
  }

  private static final class Cancelled extends Exception {
    Cancelled() {
      super(null, null, false, false);
    }
  }

  private void publish(OperationContext ctx, String id, Model model, DatasetSnapshot data,
      ModelTraining.Trained trained, Path work) throws IOException {
    ctx.publish(progress(ctx.metadata(), CreateModelDetails.newBuilder().setModel(ResourceNames.model(id))
        .setStage(CreateModelDetails.Stage.EVALUATING).build()));
    long now = clock.millis();
    List<LabeledImage> test = trained.testExamples();
    List<ModelEvaluation> evaluations = List.of();
    List<OperatingPoint> points = List.of();
    if (!test.isEmpty()) {
      EvaluationResult result = Evaluator.evaluate(evaluationInput(data, trained));
      List<String> names = test.stream().map(e -> ResourceNames.example(data.datasetId(), e.sha256())).toList();
      evaluations = EvaluationProtos.evaluations(ResourceNames.model(id), result, names, now);
      points = EvaluationProtos.operatingPoints(result);
    }
    List<String> warnings = new ArrayList<>(data.warnings());
    warnings.addAll(trained.warnings());
    if (test.isEmpty()) {
      warnings.add("the dataset has no TEST image: the model has no evaluation");
    }
    Model done = model.toBuilder()
        .clearLabels().addAllLabels(data.labels())
        .setTrainingState(Model.TrainingState.TRAINED)
        .setStopReason(trained.stopReason())
        .clearOperatingPoints().addAllOperatingPoints(points)
        .setDatasetContentHash(data.contentHash())
        .setTrainExampleCount(data.split(MlUse.TRAIN).size())
        .clearWarnings().addAllWarnings(warnings)
        .setTrainingSummary(trained.summary().toBuilder().clearLabelCounts().addAllLabelCounts(data.labelCounts())
            .setValidationExampleCount(data.split(MlUse.VALIDATION).size())
            .setTestExampleCount(test.size()))
        .setInputSize(trained.inputSize())
        .setInputChannels(trained.inputChannels())
        .setUpdateTime(Protos.timestamp(now))
        .build();
    writeCard(work, done, evaluations);
    files.publish(work, id);
    List<ModelEvaluation> evals = evaluations;
    models.database().write(c -> {
      models.update(c, id, done, now);
      models.putEvaluations(c, id, evals);
      ctx.finish(c, ctx.metadata().toBuilder().setStatusMessage("trained " + done.getName() + " ("
          + done.getStopReason() + ")").build(), Any.pack(done));
      return null;
    });
  }

  private static EvaluationInput evaluationInput(DatasetSnapshot data, ModelTraining.Trained trained) {
    List<LabeledImage> test = trained.testExamples();
    List<String> ids = test.stream().map(LabeledImage::sha256).toList();
    if (data.type() == ClassificationType.MULTILABEL) {
      int[][] truth = test.stream().map(LabeledImage::labels).toArray(int[][]::new);
      return EvaluationInput.multilabel(data.labels(), ids, trained.testScores(), truth);
    }
    int[] truth = test.stream().mapToInt(e -> e.labels()[0]).toArray();
    return EvaluationInput.multiclass(data.labels(), ids, trained.testScores(), truth);
  }

  /** {@code labels.txt} is the trainer's; the card is this: the model and its overall evaluation, as JSON. */
  private static void writeCard(Path work, Model model, List<ModelEvaluation> evaluations) throws IOException {
    JsonFormat.Printer json = JsonFormat.printer().preservingProtoFieldNames();
    JsonObject card = new JsonObject();
    card.add("model", JsonParser.parseString(json.print(model)));
    card.add("evaluation", evaluations.isEmpty() ? JsonNull.INSTANCE : JsonParser.parseString(json.print(
        evaluations.get(0))));
    Files.writeString(work.resolve("model_card.json"), CARD_JSON.toJson(card) + "\n", StandardCharsets.UTF_8);
    if (!Files.exists(work.resolve("labels.txt"))) {
      Files.writeString(work.resolve("labels.txt"), String.join("\n", model.getLabelsList()) + "\n");
    }
  }

  private void failModel(OperationContext ctx, String id, Model model, OperationMetadata.State state, Status error,
      Model.StopReason reason) {
    long now = clock.millis();
    Model failed = model.toBuilder()
        .setTrainingState(Model.TrainingState.TRAINING_FAILED)
        .setStopReason(reason == null ? Model.StopReason.STOP_REASON_UNSPECIFIED : reason)
        .addWarnings(error.getMessage())
        .setUpdateTime(Protos.timestamp(now))
        .build();
    models.database().write(c -> {
      if (models.get(c, id).isPresent()) {
        models.update(c, id, failed, now);
      }
      ctx.finishWithError(c, ctx.metadata().toBuilder().setStatusMessage(error.getMessage()).build(), state, error);
      return null;
    });
  }

  /** At most this many points of the curve travel in the metadata. */
  private static final int MAX_CURVE_POINTS = 1000;

  /**
   * {@code details} with the curve so far: {@code before}, the point of the epoch it reports replaced by its latest
   * values (or added, when it is a new epoch).
   */
  static CreateModelDetails withCurve(List<EpochMetrics> before, CreateModelDetails details) {
    CreateModelDetails.Builder d = details.toBuilder().clearCurve().addAllCurve(before);
    boolean epochs = details.getStage() == CreateModelDetails.Stage.TRAINING
        || details.getStage() == CreateModelDetails.Stage.FINE_TUNING;
    if (!epochs || details.getEpoch() <= 0) {
      return d.build();
    }
    EpochMetrics point = EpochMetrics.newBuilder().setEpoch(details.getEpoch()).setTrainLoss(details.getTrainLoss())
        .setValidationLoss(details.getValidationLoss()).setValidationAccuracy(details.getValidationAccuracy())
        .build();
    int last = d.getCurveCount() - 1;
    if (last >= 0 && d.getCurve(last).getEpoch() == details.getEpoch()) {
      d.setCurve(last, point);
    } else if (d.getCurveCount() < MAX_CURVE_POINTS) {
      d.addCurve(point);
    }
    return d.build();
  }

  private static OperationMetadata progress(OperationMetadata m, CreateModelDetails details) {
    double percent = switch (details.getStage()) {
      case PREPARING -> 1;
      case EMBEDDING -> 5;
      case TRAINING, FINE_TUNING -> details.getMaxEpochs() > 0
          ? 30 + 60.0 * details.getEpoch() / details.getMaxEpochs() : 30;
      case EVALUATING -> 92;
      case EXPORTING -> 95;
      default -> m.getProgressPercent();
    };
    return m.toBuilder()
        .setCreateModelDetails(withCurve(m.getCreateModelDetails().getCurveList(), details))
        .setProgressPercent(Math.max(m.getProgressPercent(), Math.min(99, percent)))
        .setStatusMessage(TrainingText.line(details))
        .build();
  }
}
