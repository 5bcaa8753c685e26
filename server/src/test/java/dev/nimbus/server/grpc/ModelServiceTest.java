package dev.nimbus.server.grpc;

import static dev.nimbus.server.testing.Statuses.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.longrunning.CancelOperationRequest;
import com.google.longrunning.Operation;
import com.google.protobuf.ByteString;
import dev.nimbus.server.testing.ClassImages;
import dev.nimbus.server.testing.InProcessNimbus;
import dev.nimbus.v1.BatchPredictRequest;
import dev.nimbus.v1.ClassificationEvaluationMetrics;
import dev.nimbus.v1.ClassificationType;
import dev.nimbus.v1.CreateDatasetRequest;
import dev.nimbus.v1.CreateModelDetails;
import dev.nimbus.v1.CreateModelRequest;
import dev.nimbus.v1.DeleteModelRequest;
import dev.nimbus.v1.DeployModelRequest;
import dev.nimbus.v1.ExportModelRequest;
import dev.nimbus.v1.ExportModelResponse;
import dev.nimbus.v1.GetModelEvaluationRequest;
import dev.nimbus.v1.GetModelRequest;
import dev.nimbus.v1.ImportDataRequest;
import dev.nimbus.v1.InputConfig;
import dev.nimbus.v1.ListModelEvaluationsRequest;
import dev.nimbus.v1.ListModelsRequest;
import dev.nimbus.v1.MisclassifiedExample;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.ModelEvaluation;
import dev.nimbus.v1.OperationMetadata;
import dev.nimbus.v1.OutputConfig;
import dev.nimbus.v1.TrainingParams;
import dev.nimbus.v1.UndeployModelRequest;
import dev.nimbus.v1.UpdateModelRequest;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * ModelService in-process with real training: one server and one dataset of three learnable classes for the
 * whole class (training is the slow part), models trained from scratch and from the pretrained MobileNetV2.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ModelServiceTest {
  static final String[] LABELS = {"circle", "square", "triangle"};

  @TempDir static Path tmp;
  InProcessNimbus nimbus;

  @BeforeAll
  void setUp() throws Exception {
    Path bucket = Files.createDirectories(tmp.resolve("bucket"));
    nimbus = new InProcessNimbus(tmp.resolve("data"), Map.of("gcs-buckets", "model-exports=" + bucket));
    nimbus.createDataset("shapes", ClassImages.write(tmp.resolve("img"), LABELS, 30, 48), tmp);
  }

  @AfterAll
  void tearDown() {
    nimbus.close();
  }

  private Operation train(String id, String base, int maxEpochs) {
    return nimbus.models.createModel(CreateModelRequest.newBuilder().setModelId(id)
        .setModel(Model.newBuilder().setDataset("datasets/shapes").setBaseModel(base)
            .setTrainingParams(TrainingParams.newBuilder().setMaxEpochs(maxEpochs).setTrainBudgetSeconds(120)))
        .build());
  }

  private Model get(String id) {
    return nimbus.models.getModel(GetModelRequest.newBuilder().setName("models/" + id).build());
  }

  @Test
  @Order(1)
  void createModel_scratchCnn_trainsExportsAndEvaluates() throws Exception {
    Operation op = train("shapes_cnn", "scratch_cnn", 15);
    assertThat(get("shapes_cnn").getTrainingState()).isEqualTo(Model.TrainingState.TRAINING);
    Operation done = nimbus.await(op, Duration.ofMinutes(5));
    assertThat(done.hasError()).as("%s", done.getError()).isFalse();
    Model m = done.getResponse().unpack(Model.class);
    assertThat(m).isEqualTo(get("shapes_cnn"));
    assertThat(m.getTrainingState()).isEqualTo(Model.TrainingState.TRAINED);
    assertThat(m.getLabelsList()).containsExactly(LABELS);
    assertThat(m.getInputSize()).isEqualTo(48);
    assertThat(m.getInputChannels()).isEqualTo(3);
    assertThat(m.getStopReason()).isIn(Model.StopReason.MAX_EPOCHS_REACHED, Model.StopReason.CONVERGED);
    assertThat(m.getDatasetContentHash()).hasSize(64);
    assertThat(m.getTrainingSummary().getCurveCount()).isBetween(1, 15);
    assertThat(m.getTrainingSummary().getLabelCountsList()).hasSize(3);
    assertThat(m.getTrainingSummary().getTrainImagesPerSecond()).isPositive();
    assertThat(m.getOperatingPointsList()).extracting(p -> p.getName()).contains("max_f1");

    OperationMetadata meta = InProcessNimbus.metadata(done);
    assertThat(meta.getState()).isEqualTo(OperationMetadata.State.SUCCEEDED);
    assertThat(meta.getCreateModelDetails().getModel()).isEqualTo("models/shapes_cnn");

    List<ModelEvaluation> evals = nimbus.models.listModelEvaluations(ListModelEvaluationsRequest.newBuilder()
        .setParent("models/shapes_cnn").build()).getModelEvaluationsList();
    assertThat(evals).extracting(ModelEvaluation::getName).containsExactly("models/shapes_cnn/modelEvaluations/overall",
        "models/shapes_cnn/modelEvaluations/circle", "models/shapes_cnn/modelEvaluations/square",
        "models/shapes_cnn/modelEvaluations/triangle");
    ModelEvaluation overall = evals.get(0);
    ClassificationEvaluationMetrics metrics = overall.getClassificationEvaluationMetrics();
    assertThat(overall.getEvaluatedExampleCount()).isEqualTo(9);
    assertThat(metrics.getConfidenceMetricsCount()).isEqualTo(24);
    assertThat(metrics.getConfusionMatrix().getLabelsList()).containsExactly(LABELS);
    long diagonal = 0;
    long all = 0;
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        long n = metrics.getConfusionMatrix().getRows(i).getExampleCount(j);
        all += n;
        diagonal += i == j ? n : 0;
      }
    }
    assertThat(all).isEqualTo(9);
    assertThat((float) diagonal / all).isCloseTo(metrics.getAccuracy(), Offset.offset(1e-6f));
    assertThat(metrics.getMisclassifiedExamplesCount()).isEqualTo((int) (all - diagonal));
    assertThat(metrics.getMisclassifiedList()).hasSize(metrics.getMisclassifiedExamplesCount());
    for (int i = 0; i < metrics.getMisclassifiedCount(); i++) {
      MisclassifiedExample wrong = metrics.getMisclassified(i);
      assertThat(wrong.getExample()).isEqualTo(metrics.getMisclassifiedExamples(i));
      assertThat(wrong.getTrueLabelsList()).hasSize(1).doesNotContainAnyElementsOf(wrong.getPredictedLabelsList());
      assertThat(wrong.getPredictedLabelsList()).hasSize(1);
      assertThat(wrong.getTopScore()).isBetween(1f / 3, 1f);
    }
    assertThat(nimbus.models.getModelEvaluation(GetModelEvaluationRequest.newBuilder()
        .setName("models/shapes_cnn/modelEvaluations/square").build()).getLabel()).isEqualTo("square");

    Path saved = tmp.resolve("data/models/shapes_cnn/saved_model/saved_model.pb");
    assertThat(saved).exists();
    assertThat(tmp.resolve("data/models/shapes_cnn/model_card.json")).content().contains("\"dataset_content_hash\"");
  }

  @Test
  @Order(2)
  void createModel_mobilenetV2_transferLearnsTheShapes_andReusesEmbeddings() throws Exception {
    Operation done = nimbus.await(train("shapes_mnv2", "", 60), Duration.ofMinutes(5));
    assertThat(done.hasError()).as("%s", done.getError()).isFalse();
    Model m = done.getResponse().unpack(Model.class);
    assertThat(m.getBaseModel()).isEqualTo("mobilenet_v2");
    assertThat(m.getInputSize()).isEqualTo(224);
    assertThat(m.getTrainingSummary().getFeatureDim()).isEqualTo(96);
    assertThat(m.getTrainingSummary().getEmbeddingsReused()).isZero();
    ModelEvaluation overall = nimbus.models.getModelEvaluation(GetModelEvaluationRequest.newBuilder()
        .setName("models/shapes_mnv2/modelEvaluations/overall").build());
    assertThat(overall.getClassificationEvaluationMetrics().getAccuracy()).as("three easy classes").isGreaterThan(0.6f);

    Model again = nimbus.await(train("shapes_mnv2_again", "mobilenet_v2", 5), Duration.ofMinutes(5))
        .getResponse().unpack(Model.class);
    assertThat(again.getTrainingSummary().getEmbeddingsReused()).as("every embedding comes from the cache")
        .isEqualTo(again.getTrainingSummary().getLabelCountsList().stream()
            .mapToLong(c -> 3 * c.getTrain() + c.getValidation() + c.getTest()).sum());
  }

  @Test
  @Order(3)
  void exportModel_toAGsUri_writesIntoTheMappedFolder_andReportsTheGsUri() throws Exception {
    Operation op = nimbus.await(nimbus.models.exportModel(ExportModelRequest.newBuilder().setName("models/shapes_cnn")
        .setOutputConfig(OutputConfig.newBuilder().setOutputUri("gs://model-exports/runs/2024/shapes_cnn/")).build()));
    assertThat(op.hasError()).as("%s", op.getError()).isFalse();
    String uri = "gs://model-exports/runs/2024/shapes_cnn";
    assertThat(op.getResponse().unpack(ExportModelResponse.class).getOutputUri()).isEqualTo(uri);
    OperationMetadata meta = InProcessNimbus.metadata(op);
    assertThat(meta.getExportModelDetails().getOutputUri()).isEqualTo(uri);
    assertThat(meta.getStatusMessage()).isEqualTo("exported to " + uri);
    Path folder = tmp.resolve("bucket/runs/2024/shapes_cnn");
    assertThat(folder.resolve("saved_model/saved_model.pb")).as("folders a bucket implies are made").exists();
    assertThat(folder.resolve("labels.txt")).hasContent("circle\nsquare\ntriangle");

    Operation zip = nimbus.await(nimbus.models.exportModel(ExportModelRequest.newBuilder().setName("models/shapes_cnn")
        .setFormat(ExportModelRequest.Format.SAVED_MODEL_ZIP)
        .setOutputConfig(OutputConfig.newBuilder().setOutputUri("gs://model-exports/shapes.zip")).build()));
    assertThat(zip.getResponse().unpack(ExportModelResponse.class).getOutputUri())
        .isEqualTo("gs://model-exports/shapes.zip");
    assertThat(tmp.resolve("bucket/shapes.zip")).isNotEmptyFile();

    assertFails(Status.Code.ALREADY_EXISTS, "gs://model-exports/shapes.zip already exists", () -> nimbus.models
        .exportModel(ExportModelRequest.newBuilder().setName("models/shapes_cnn").setFormat(
            ExportModelRequest.Format.SAVED_MODEL_ZIP).setOutputConfig(OutputConfig.newBuilder()
            .setOutputUri("gs://model-exports/shapes.zip")).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "bucket 'elsewhere' is not mapped on this server", () -> nimbus.models
        .exportModel(ExportModelRequest.newBuilder().setName("models/shapes_cnn")
            .setOutputConfig(OutputConfig.newBuilder().setOutputUri("gs://elsewhere/m")).build()));
  }

  @Test
  @Order(3)
  void exportModel_writesAFolderOrAZipWithTheSavedModelLabelsAndCard() throws Exception {
    Path folder = tmp.resolve("export-dir");
    Operation op = nimbus.await(nimbus.models.exportModel(ExportModelRequest.newBuilder().setName("models/shapes_cnn")
        .setOutputConfig(OutputConfig.newBuilder().setOutputUri(folder.toString())).build()));
    assertThat(op.getResponse().unpack(ExportModelResponse.class).getOutputUri()).isEqualTo(folder.toString());
    assertThat(folder.resolve("saved_model/saved_model.pb")).exists();
    assertThat(folder.resolve("labels.txt")).hasContent("circle\nsquare\ntriangle");
    assertThat(folder.resolve("model_card.json")).exists();

    Path zip = tmp.resolve("shapes.zip");
    nimbus.await(nimbus.models.exportModel(ExportModelRequest.newBuilder().setName("models/shapes_cnn")
        .setFormat(ExportModelRequest.Format.SAVED_MODEL_ZIP)
        .setOutputConfig(OutputConfig.newBuilder().setOutputUri(zip.toString())).build()));
    try (ZipFile z = new ZipFile(zip.toFile())) {
      assertThat(z.getEntry("saved_model/saved_model.pb")).isNotNull();
      assertThat(z.getEntry("labels.txt")).isNotNull();
    }
    assertFails(Status.Code.ALREADY_EXISTS, "never overwrite", () -> nimbus.models.exportModel(
        ExportModelRequest.newBuilder().setName("models/shapes_cnn")
            .setOutputConfig(OutputConfig.newBuilder().setOutputUri(zip.toString())).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "relative", () -> nimbus.models.exportModel(
        ExportModelRequest.newBuilder().setName("models/shapes_cnn")
            .setOutputConfig(OutputConfig.newBuilder().setOutputUri("out")).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "does not exist", () -> nimbus.models.exportModel(
        ExportModelRequest.newBuilder().setName("models/shapes_cnn")
            .setOutputConfig(OutputConfig.newBuilder().setOutputUri(tmp.resolve("no/such/dir").toString())).build()));
  }

  @Test
  @Order(4)
  void createModel_validateOnly_checksAllButCreatesNothing() throws Exception {
    CreateModelRequest.Builder request = CreateModelRequest.newBuilder().setModelId("checked").setValidateOnly(true)
        .setModel(Model.newBuilder().setDataset("datasets/shapes").setBaseModel("scratch_cnn"));

    Operation answer = nimbus.models.createModel(request.build());

    assertThat(answer.getDone()).isTrue();
    assertThat(answer.getName()).as("nothing to follow").isEmpty();
    Model wouldBe = answer.getResponse().unpack(Model.class);
    assertThat(wouldBe.getName()).isEqualTo("models/checked");
    assertThat(wouldBe.getClassificationType()).isEqualTo(ClassificationType.MULTICLASS);
    assertFails(Status.Code.NOT_FOUND, "models/checked", () -> get("checked"));
    // The errors CreateModel would give, the id check included.
    assertFails(Status.Code.INVALID_ARGUMENT, "base_model", () -> nimbus.models.createModel(request.clone()
        .setModel(request.getModel().toBuilder().setBaseModel("resnet_9000")).build()));
    assertFails(Status.Code.ALREADY_EXISTS, "models/shapes_cnn already exists", () -> nimbus.models.createModel(
        request.clone().setModelId("shapes_cnn").build()));
  }

  @Test
  @Order(5)
  void createModel_badRequests() throws Exception {
    assertFails(Status.Code.NOT_FOUND, "datasets/nope", () -> nimbus.models.createModel(CreateModelRequest.newBuilder()
        .setModelId("m").setModel(Model.newBuilder().setDataset("datasets/nope")).build()));
    assertFails(Status.Code.ALREADY_EXISTS, "models/shapes_cnn already exists", () -> train("shapes_cnn", "scratch_cnn", 1));
    assertFails(Status.Code.INVALID_ARGUMENT, "model_id", () -> train("Bad Id", "scratch_cnn", 1));
    assertFails(Status.Code.INVALID_ARGUMENT, "base_model", () -> train("m", "resnet_9000", 1));
    assertFails(Status.Code.INVALID_ARGUMENT, "does not exist", () -> train("m", "saved_model:/no/such/model", 1));
    assertFails(Status.Code.INVALID_ARGUMENT, "max_epochs", () -> train("m", "scratch_cnn", -3));
    assertFails(Status.Code.UNIMPLEMENTED, "fine-tuning", () -> nimbus.models.createModel(CreateModelRequest.newBuilder()
        .setModelId("m").setModel(Model.newBuilder().setDataset("datasets/shapes")
            .setTrainingParams(TrainingParams.newBuilder().setFineTune(true))).build()));

    nimbus.datasets.createDataset(CreateDatasetRequest.newBuilder().setDatasetId("one_label").build());
    String csv = ClassImages.write(tmp.resolve("one"), new String[] {"only"}, 3, 16);
    nimbus.await(nimbus.datasets.importData(ImportDataRequest.newBuilder().setName("datasets/one_label")
        .setInputConfig(InputConfig.newBuilder().setCsvContent(ByteString.copyFromUtf8(csv))
            .setBaseUri(tmp.toString())).build()));
    assertFails(Status.Code.FAILED_PRECONDITION, "'only'", () -> nimbus.models.createModel(CreateModelRequest.newBuilder()
        .setModelId("m").setModel(Model.newBuilder().setDataset("datasets/one_label")).build()));

    nimbus.datasets.createDataset(CreateDatasetRequest.newBuilder().setDatasetId("no_train").build());
    Path a = tmp.resolve("one/only-0.png");
    Path b = tmp.resolve("one/only-1.png");
    nimbus.await(nimbus.datasets.importData(ImportDataRequest.newBuilder().setName("datasets/no_train")
        .setInputConfig(InputConfig.newBuilder().setCsvContent(ByteString.copyFromUtf8(
            "TRAIN," + a + ",seen\nTEST," + b + ",unseen\n")).setBaseUri(tmp.toString())).build()));
    assertFails(Status.Code.FAILED_PRECONDITION, "'unseen'", () -> nimbus.models.createModel(CreateModelRequest
        .newBuilder().setModelId("m").setModel(Model.newBuilder().setDataset("datasets/no_train")).build()));
  }

  @Test
  @Order(6)
  void models_getListEvaluationsAndErrors() {
    assertThat(nimbus.models.listModels(ListModelsRequest.newBuilder().setFilter("dataset = shapes").build())
        .getModelsList()).extracting(Model::getName).contains("models/shapes_cnn", "models/shapes_mnv2");
    assertThat(nimbus.models.listModels(ListModelsRequest.newBuilder().setFilter("training_state = TRAINING_FAILED")
        .build()).getModelsList()).isEmpty();
    assertFails(Status.Code.NOT_FOUND, "models/nope", () -> get("nope"));
    assertFails(Status.Code.INVALID_ARGUMENT, "not a valid name", () -> nimbus.models.getModel(
        GetModelRequest.newBuilder().setName("datasets/x").build()));
    assertFails(Status.Code.NOT_FOUND, "does not exist", () -> nimbus.models.getModelEvaluation(
        GetModelEvaluationRequest.newBuilder().setName("models/shapes_cnn/modelEvaluations/hexagon").build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "evaluation name", () -> nimbus.models.getModelEvaluation(
        GetModelEvaluationRequest.newBuilder().setName("models/shapes_cnn").build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "filter", () -> nimbus.models.listModels(
        ListModelsRequest.newBuilder().setFilter("training_state = SLEEPING").build()));
    assertFails(Status.Code.FAILED_PRECONDITION, "only an AVAILABLE", () -> nimbus.models.undeployModel(
        UndeployModelRequest.newBuilder().setName("models/shapes_cnn").build()));
    assertFails(Status.Code.NOT_FOUND, "models/nope", () -> nimbus.models.deployModel(
        DeployModelRequest.newBuilder().setName("models/nope").build()));
    assertFails(Status.Code.FAILED_PRECONDITION, "not deployed", () -> nimbus.predictions.batchPredict(
        BatchPredictRequest.newBuilder().setName("models/shapes_cnn").build()));
  }

  @Test
  @Order(6)
  void updateModel_changesDisplayNameAndUserLabels_only() {
    Model before = get("shapes_cnn");
    Model updated = nimbus.models.updateModel(UpdateModelRequest.newBuilder()
        .setModel(Model.newBuilder().setName("models/shapes_cnn").setDisplayName("Shapes, small CNN")
            .putUserLabels("team", "vision").setDataset("datasets/other"))
        .build());
    assertThat(updated.getDisplayName()).isEqualTo("Shapes, small CNN");
    assertThat(updated.getUserLabelsMap()).containsExactly(java.util.Map.entry("team", "vision"));
    assertThat(updated.getDataset()).isEqualTo(before.getDataset());
    assertThat(get("shapes_cnn").getUserLabelsMap()).containsEntry("team", "vision");
    assertFails(Status.Code.INVALID_ARGUMENT, "'dataset' cannot be updated", () -> nimbus.models.updateModel(
        UpdateModelRequest.newBuilder().setModel(Model.newBuilder().setName("models/shapes_cnn"))
            .setUpdateMask(com.google.protobuf.FieldMask.newBuilder().addPaths("dataset")).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "key '1abc' is not valid", () -> nimbus.models.updateModel(
        UpdateModelRequest.newBuilder().setModel(Model.newBuilder().setName("models/shapes_cnn")
            .putUserLabels("1abc", "x")).build()));
    assertFails(Status.Code.NOT_FOUND, "models/nope", () -> nimbus.models.updateModel(
        UpdateModelRequest.newBuilder().setModel(Model.newBuilder().setName("models/nope")).build()));
  }

  @Test
  @Order(7)
  void cancelOperation_duringTraining_stopsWithinSeconds() {
    Operation op = train("shapes_cancel", "scratch_cnn", 10_000);
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (InProcessNimbus.metadata(nimbus.get(op.getName())).getCreateModelDetails().getStage()
        != CreateModelDetails.Stage.TRAINING && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    long asked = System.nanoTime();
    nimbus.operations.cancelOperation(CancelOperationRequest.newBuilder()
        .setName(op.getName()).build());
    Operation done = nimbus.await(op, Duration.ofMinutes(2));
    assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofSeconds(20));
    Model m = get("shapes_cancel");
    if (done.hasError()) {
      assertThat(done.getError().getCode()).isEqualTo(Status.Code.CANCELLED.value());
      assertThat(m.getTrainingState()).isEqualTo(Model.TrainingState.TRAINING_FAILED);
    } else {
      assertThat(m.getStopReason()).isEqualTo(Model.StopReason.CANCELLED);
      assertThat(m.getTrainingState()).isEqualTo(Model.TrainingState.TRAINED);
    }
  }

  @Test
  @Order(8)
  void deleteModel_removesItsFilesAndEvaluations() throws Exception {
    Path dir = tmp.resolve("data/models/shapes_mnv2_again");
    assertThat(dir).exists();
    Operation op = nimbus.await(nimbus.models.deleteModel(DeleteModelRequest.newBuilder()
        .setName("models/shapes_mnv2_again").build()));
    assertThat(op.hasError()).isFalse();
    assertThat(Files.exists(dir)).isFalse();
    assertFails(Status.Code.NOT_FOUND, "models/shapes_mnv2_again", () -> get("shapes_mnv2_again"));
    assertFails(Status.Code.NOT_FOUND, "models/shapes_mnv2_again", () -> nimbus.models.listModelEvaluations(
        ListModelEvaluationsRequest.newBuilder().setParent("models/shapes_mnv2_again").build()));
  }
}
