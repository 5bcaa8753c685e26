package dev.nimbus.server.grpc;

import static dev.nimbus.server.testing.Statuses.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.longrunning.Operation;
import com.google.protobuf.ByteString;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import dev.nimbus.server.testing.ClassImages;
import dev.nimbus.server.testing.InProcessNimbus;
import dev.nimbus.server.testing.TestImages;
import dev.nimbus.v1.BatchPredictInputConfig;
import dev.nimbus.v1.BatchPredictRequest;
import dev.nimbus.v1.BatchPredictResponse;
import dev.nimbus.v1.BatchingConfig;
import dev.nimbus.v1.CreateDatasetRequest;
import dev.nimbus.v1.CreateModelRequest;
import dev.nimbus.v1.DatasetSplit;
import dev.nimbus.v1.DeleteModelRequest;
import dev.nimbus.v1.DeployModelRequest;
import dev.nimbus.v1.DeploymentConfig;
import dev.nimbus.v1.GetModelRequest;
import dev.nimbus.v1.ImageInput;
import dev.nimbus.v1.ImagePrediction;
import dev.nimbus.v1.ImportDataRequest;
import dev.nimbus.v1.InputConfig;
import dev.nimbus.v1.LabelScore;
import dev.nimbus.v1.ListExamplesRequest;
import dev.nimbus.v1.MlUse;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.OutputConfig;
import dev.nimbus.v1.PredictParams;
import dev.nimbus.v1.PredictRequest;
import dev.nimbus.v1.PredictResponse;
import dev.nimbus.v1.RawImage;
import dev.nimbus.v1.TrainingParams;
import dev.nimbus.v1.UndeployModelRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** Deploy, Predict in every input form, BatchPredict, Undeploy, and the errors, on a model trained for the test. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PredictionServiceTest {
  static final String[] LABELS = {"circle", "square", "triangle"};
  @TempDir static Path tmp;
  InProcessNimbus nimbus;

  @BeforeAll
  void trainAndDeploy() throws Exception {
    // The bucket's folder is outside the export roots: mapping a bucket makes it writable.
    Files.createDirectories(tmp.resolve("bucket"));
    nimbus = new InProcessNimbus(tmp.resolve("data"), Map.of("export-roots", tmp.resolve("bp").toString(),
        "gcs-buckets", "shapes-bucket=" + tmp.resolve("bucket")));
    nimbus.datasets.createDataset(CreateDatasetRequest.newBuilder().setDatasetId("shapes").build());
    String csv = ClassImages.write(tmp.resolve("img"), LABELS, 20, 40);
    nimbus.await(nimbus.datasets.importData(ImportDataRequest.newBuilder().setName("datasets/shapes")
        .setInputConfig(InputConfig.newBuilder().setCsvContent(ByteString.copyFromUtf8(csv))
            .setBaseUri(tmp.toString())).build()));
    Operation trained = nimbus.await(nimbus.models.createModel(CreateModelRequest.newBuilder().setModelId("shapes")
        .setModel(Model.newBuilder().setDataset("datasets/shapes").setBaseModel("scratch_cnn")
            .setTrainingParams(TrainingParams.newBuilder().setMaxEpochs(20))).build()), Duration.ofMinutes(5));
    assertThat(trained.hasError()).as("%s", trained.getError()).isFalse();
  }

  @AfterAll
  void tearDown() {
    nimbus.close();
  }

  private Model model() {
    return nimbus.models.getModel(GetModelRequest.newBuilder().setName("models/shapes").build());
  }

  private static ImageInput bytes(byte[] b) {
    return ImageInput.newBuilder().setImageBytes(ByteString.copyFrom(b)).build();
  }

  private PredictResponse predict(PredictParams params, ImageInput... images) {
    return nimbus.predictions.predict(PredictRequest.newBuilder().setName("models/shapes").addAllImages(List.of(images))
        .setParams(params).setIncludeTimings(true).build());
  }

  @Test
  @Order(1)
  void predict_beforeDeployment_isFailedPrecondition() {
    assertFails(Status.Code.FAILED_PRECONDITION, "not deployed", () -> predict(PredictParams.getDefaultInstance(),
        bytes(TestImages.png(8, 8, 1))));
    assertThat(model().getDeploymentState()).isEqualTo(Model.DeploymentState.UNDEPLOYED);
  }

  @Test
  @Order(2)
  void deployModel_onAGpuThisMachineLacks_failsWithTheSameReasonOnTheOperationAndTheModel() throws Exception {
    Operation done = nimbus.await(nimbus.models.deployModel(DeployModelRequest.newBuilder().setName("models/shapes")
        .setDeploymentConfig(DeploymentConfig.newBuilder().setDevice("gpu:7")).build()));

    assertThat(done.getError().getCode()).isEqualTo(Code.FAILED_PRECONDITION_VALUE);
    assertThat(done.getError().getMessage()).contains("gpu:7").doesNotContain(tmp.toString());
    ErrorInfo info = done.getError().getDetails(0).unpack(ErrorInfo.class);
    assertThat(info.getReason()).isEqualTo("NO_SUCH_GPU");
    Model m = model();
    assertThat(m.getDeploymentState()).isEqualTo(Model.DeploymentState.DEPLOYMENT_FAILED);
    assertThat(m.getDeploymentError()).isEqualTo(done.getError());
  }

  @Test
  @Order(3)
  void deployModel_loadsWarmsUpAndReportsAvailable() throws Exception {
    Operation op = nimbus.models.deployModel(DeployModelRequest.newBuilder().setName("models/shapes")
        .setDeploymentConfig(DeploymentConfig.newBuilder().setResultCacheEnabled(true)
            .setBatching(BatchingConfig.newBuilder().setMaxBatchSize(4))).build());
    Operation done = nimbus.await(op);
    assertThat(done.hasError()).as("%s", done.getError()).isFalse();
    Model m = model();
    assertThat(m.getDeploymentState()).isEqualTo(Model.DeploymentState.AVAILABLE);
    assertThat(m.getDeploymentConfig().getDevice()).isEqualTo("cpu");
    assertThat(m.getDeploymentConfig().getBatching().getMaxBatchSize()).isEqualTo(4);
    assertThat(HealthGrpc.newBlockingStub(nimbus.channel).check(HealthCheckRequest.newBuilder()
        .setService("models/shapes").build()).getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
  }

  @Test
  @Order(4)
  void predict_everyInputForm_labelsBestFirst() throws Exception {
    BufferedImage square = ClassImages.picture(1, 1000, 40);
    byte[] png = TestImages.encode(square, "png");
    PredictResponse r = predict(PredictParams.newBuilder().setScoreThreshold(0f).build(),
        bytes(png), bytes(TestImages.encode(square, "jpg")), bytes(TestImages.encode(square, "bmp")),
        bytes(TestImages.encode(square, "gif")), bytes(Files.readAllBytes(
            Path.of(getClass().getResource("/images/lossy.webp").toURI()))),
        ImageInput.newBuilder().setRawImage(raw(square)).build(),
        ImageInput.newBuilder().setExample(firstExample()).build());
    assertThat(r.getPredictionsCount()).isEqualTo(7);
    for (ImagePrediction p : r.getPredictionsList()) {
      assertThat(p.getLabelsList()).extracting(LabelScore::getLabel).containsExactlyInAnyOrder(LABELS);
      assertThat(p.getLabelsList()).extracting(LabelScore::getScore).isSortedAccordingTo((a, b) -> Float.compare(b, a));
      assertThat(p.getLabelsList().stream().mapToDouble(LabelScore::getScore).sum()).isCloseTo(1.0,
          Offset.offset(1e-3));
    }
    // The same square as PNG and as raw pixels gives the same scores.
    assertThat(r.getPredictions(5).getLabels(0).getScore()).isCloseTo(r.getPredictions(0).getLabels(0).getScore(),
        Offset.offset(1e-4f));
    assertThat(r.getPredictions(0).getLabels(0).getLabel()).isEqualTo("square");
    assertThat(r.getTimings().getTotal().getNanos() + r.getTimings().getTotal().getSeconds()).isPositive();
    assertThat(r.getTimings().getBatchSize()).isBetween(1, 4);
  }

  @Test
  @Order(5)
  void predict_thresholdTopKAndOperatingPoint() {
    ImageInput img = bytes(TestImages.encode(ClassImages.picture(0, 2000, 40), "png"));
    assertThat(predict(PredictParams.newBuilder().setScoreThreshold(0f).setMaxPredictions(1).build(), img)
        .getPredictions(0).getLabelsCount()).isEqualTo(1);
    assertThat(predict(PredictParams.newBuilder().setScoreThreshold(0.9f).build(), img).getPredictions(0)
        .getLabelsList()).hasSizeLessThanOrEqualTo(1).allSatisfy(l -> assertThat(l.getScore()).isGreaterThanOrEqualTo(0.9f));
    PredictResponse defaults = predict(PredictParams.getDefaultInstance(), img);
    assertThat(defaults.getPredictions(0).getLabelsList()).allSatisfy(l -> assertThat(l.getScore()).isGreaterThanOrEqualTo(0.5f));
    assertThat(predict(PredictParams.newBuilder().setOperatingPoint("max_f1").build(), img).getPredictionsCount())
        .isEqualTo(1);
  }

  @Test
  @Order(6)
  void predict_badRequests_areInvalidArgument_andTheServerKeepsServing() {
    byte[] ok = TestImages.png(40, 40, 5);
    assertFails(Status.Code.INVALID_ARGUMENT, "images is empty", () -> predict(PredictParams.getDefaultInstance()));
    assertFails(Status.Code.INVALID_ARGUMENT, "images[1]: not a supported image", () -> predict(
        PredictParams.getDefaultInstance(), bytes(ok), bytes("hello, not an image".getBytes())));
    assertFails(Status.Code.INVALID_ARGUMENT, "images[0]", () -> predict(PredictParams.getDefaultInstance(),
        bytes(Arrays.copyOf(TestImages.jpeg(64, 64, 3), 100))));
    assertFails(Status.Code.INVALID_ARGUMENT, "100000x100000", () -> predict(PredictParams.getDefaultInstance(),
        bytes(ImportDataTest.pngHeader(100_000, 100_000))));
    assertFails(Status.Code.INVALID_ARGUMENT, "expected: 40x40", () -> predict(PredictParams.getDefaultInstance(),
        ImageInput.newBuilder().setRawImage(RawImage.newBuilder().setHeight(10).setWidth(10).setChannels(3)
            .setData(ByteString.copyFrom(new byte[300]))).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "bytes", () -> predict(PredictParams.getDefaultInstance(),
        ImageInput.newBuilder().setRawImage(RawImage.newBuilder().setHeight(40).setWidth(40).setChannels(3)
            .setData(ByteString.copyFrom(new byte[10]))).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "is not saved with", () -> predict(
        PredictParams.newBuilder().setOperatingPoint("precision_at_0.42").build(), bytes(ok)));
    assertFails(Status.Code.INVALID_ARGUMENT, "score_threshold", () -> predict(
        PredictParams.newBuilder().setScoreThreshold(2f).build(), bytes(ok)));
    assertFails(Status.Code.INVALID_ARGUMENT, "is empty", () -> predict(PredictParams.getDefaultInstance(),
        ImageInput.getDefaultInstance()));
    assertFails(Status.Code.NOT_FOUND, "does not exist", () -> predict(PredictParams.getDefaultInstance(),
        ImageInput.newBuilder().setExample("datasets/shapes/examples/" + "0".repeat(64)).build()));
    assertFails(Status.Code.NOT_FOUND, "models/nope", () -> nimbus.predictions.predict(PredictRequest.newBuilder()
        .setName("models/nope").addImages(bytes(ok)).build()));
    ImageInput[] many = new ImageInput[257];
    Arrays.fill(many, bytes(ok));
    assertFails(Status.Code.INVALID_ARGUMENT, "at most 256", () -> predict(PredictParams.getDefaultInstance(), many));
    // Refused requests give back their place in the queue: far more of them than it holds, then a good one.
    for (int i = 0; i < 300; i++) {
      assertFails(Status.Code.INVALID_ARGUMENT, "images[1]", () -> predict(PredictParams.getDefaultInstance(),
          bytes(ok), bytes("not an image".getBytes())));
    }
    assertThat(predict(PredictParams.getDefaultInstance(), bytes(ok)).getPredictionsCount()).isEqualTo(1);
  }

  @Test
  @Order(7)
  void predict_withTheResultCache_answersARepeatedImageWithoutTheEngine() {
    ImageInput img = bytes(TestImages.encode(ClassImages.picture(2, 3000, 40), "png"));
    PredictResponse first = predict(PredictParams.newBuilder().setScoreThreshold(0f).build(), img);
    PredictResponse second = predict(PredictParams.newBuilder().setScoreThreshold(0f).build(), img);
    assertThat(second.getPredictionsList()).isEqualTo(first.getPredictionsList());
    assertThat(first.getTimings().getBatchSize()).isPositive();
    assertThat(second.getTimings().getBatchSize()).as("no batch ran").isZero();
  }

  @Test
  @Order(8)
  void batchPredict_csvAndDatasetSplit_writeJsonLinesAtomically() throws Exception {
    Path img = TestImages.write(tmp.resolve("bp/a.png"), TestImages.encode(ClassImages.picture(0, 4000, 40), "png"));
    Files.writeString(tmp.resolve("bp/list.csv"), "a.png\nmissing.png\n");
    Path out = tmp.resolve("bp/out.jsonl");
    Operation op = nimbus.await(nimbus.predictions.batchPredict(BatchPredictRequest.newBuilder()
        .setName("models/shapes")
        .setInputConfig(BatchPredictInputConfig.newBuilder().setCsv(InputConfig.newBuilder()
            .setCsvUri(tmp.resolve("bp/list.csv").toString())))
        .setOutputConfig(OutputConfig.newBuilder().setOutputUri(out.toString())).build()));
    assertThat(op.hasError()).as("%s", op.getError()).isFalse();
    BatchPredictResponse r = op.getResponse().unpack(BatchPredictResponse.class);
    assertThat(r.getPredictedCount()).isEqualTo(1);
    assertThat(r.getFailedCount()).isEqualTo(1);
    List<String> lines = Files.readAllLines(out);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).contains("\"uri\":\"a.png\"").contains("\"scores\"").contains("\"circle\"");
    assertThat(lines.get(1)).contains("missing.png").contains("\"error\"");
    assertThat(img).exists();

    Path split = tmp.resolve("bp/test.jsonl");
    Operation bySplit = nimbus.await(nimbus.predictions.batchPredict(BatchPredictRequest.newBuilder()
        .setName("models/shapes")
        .setInputConfig(BatchPredictInputConfig.newBuilder().setDatasetSplit(DatasetSplit.newBuilder()
            .setDataset("datasets/shapes").setMlUse(MlUse.TEST)))
        .setOutputConfig(OutputConfig.newBuilder().setOutputUri(split.toString())).build()));
    assertThat(bySplit.getResponse().unpack(BatchPredictResponse.class).getPredictedCount()).isEqualTo(6);
    assertThat(Files.readAllLines(split)).allSatisfy(l -> assertThat(l).contains("\"example\":\"datasets/shapes/examples/"));
    assertFails(Status.Code.ALREADY_EXISTS, "never overwrites", () -> nimbus.predictions.batchPredict(
        BatchPredictRequest.newBuilder().setName("models/shapes")
            .setInputConfig(BatchPredictInputConfig.newBuilder().setDatasetSplit(DatasetSplit.newBuilder()
                .setDataset("datasets/shapes")))
            .setOutputConfig(OutputConfig.newBuilder().setOutputUri(split.toString())).build()));
  }

  @Test
  @Order(8)
  void batchPredict_gsCsvOfGsImages_toAGsOutput() throws Exception {
    Path bucket = tmp.resolve("bucket");
    TestImages.write(bucket.resolve("images/a.png"), TestImages.encode(ClassImages.picture(1, 4001, 40), "png"));
    Files.createDirectories(bucket.resolve("batch"));
    Files.writeString(bucket.resolve("batch/input.csv"), "gs://shapes-bucket/images/a.png\n"
        + "gs://not-here/images/a.png\n../images/a.png\n");
    String output = "gs://shapes-bucket/results/run-1/predictions.jsonl";
    Operation op = nimbus.await(nimbus.predictions.batchPredict(BatchPredictRequest.newBuilder()
        .setName("models/shapes")
        .setInputConfig(BatchPredictInputConfig.newBuilder().setCsv(InputConfig.newBuilder()
            .setCsvUri("gs://shapes-bucket/batch/input.csv")))
        .setOutputConfig(OutputConfig.newBuilder().setOutputUri(output)).build()));
    assertThat(op.hasError()).as("%s", op.getError()).isFalse();
    BatchPredictResponse r = op.getResponse().unpack(BatchPredictResponse.class);
    assertThat(r.getOutputUri()).as("the URI the caller gave").isEqualTo(output);
    assertThat(r.getPredictedCount()).isEqualTo(2);
    assertThat(r.getFailedCount()).isEqualTo(1);
    assertThat(InProcessNimbus.metadata(op).getStatusMessage()).contains(output);
    List<String> lines = Files.readAllLines(bucket.resolve("results/run-1/predictions.jsonl"));
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).contains("\"uri\":\"gs://shapes-bucket/images/a.png\"").contains("\"scores\"");
    assertThat(JsonParser.parseString(lines.get(1)).getAsJsonObject().get("error").getAsString())
        .startsWith("row 2 (gs://not-here/images/a.png): bucket 'not-here' is not mapped on this server");
    assertThat(lines.get(2)).contains("\"uri\":\"../images/a.png\"").contains("\"scores\"");

    assertFails(Status.Code.INVALID_ARGUMENT, "output_config.output_uri: bucket 'not-here' is not mapped", () ->
        nimbus.predictions.batchPredict(BatchPredictRequest.newBuilder().setName("models/shapes")
            .setInputConfig(BatchPredictInputConfig.newBuilder().setDatasetSplit(DatasetSplit.newBuilder()
                .setDataset("datasets/shapes")))
            .setOutputConfig(OutputConfig.newBuilder().setOutputUri("gs://not-here/out.jsonl")).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "outside the export roots", () ->
        nimbus.predictions.batchPredict(BatchPredictRequest.newBuilder().setName("models/shapes")
            .setInputConfig(BatchPredictInputConfig.newBuilder().setDatasetSplit(DatasetSplit.newBuilder()
                .setDataset("datasets/shapes")))
            .setOutputConfig(OutputConfig.newBuilder().setOutputUri(tmp.resolve("out.jsonl").toString())).build()));
  }

  @Test
  @Order(9)
  void batchPredict_autoMlJsonl_writesAutoMlsFolder_thresholdedBestFirst_withErrorsOnlyWhenSomeFailed()
      throws Exception {
    Path dir = tmp.resolve("bp").resolve("automl"); // inside the export roots
    for (int i = 0; i < 3; i++) {
      TestImages.write(dir.resolve("in/" + i + ".png"), TestImages.encode(ClassImages.picture(i, 5000 + i, 40), "png"));
    }
    Files.writeString(dir.resolve("in/list.csv"), "0.png\nmissing.png\n1.png\n2.png\n");
    PredictParams params = PredictParams.newBuilder().setScoreThreshold(0.2f).build();
    Path out = dir.resolve("out");
    Operation op = nimbus.await(nimbus.predictions.batchPredict(BatchPredictRequest.newBuilder()
        .setName("models/shapes").setOutputFormat(BatchPredictRequest.OutputFormat.AUTOML_JSONL).setParams(params)
        .setInputConfig(BatchPredictInputConfig.newBuilder().setCsv(InputConfig.newBuilder()
            .setCsvUri(dir.resolve("in/list.csv").toString())))
        .setOutputConfig(OutputConfig.newBuilder().setOutputUri(out.toString())).build()));
    assertThat(op.hasError()).as("%s", op.getError()).isFalse();
    BatchPredictResponse r = op.getResponse().unpack(BatchPredictResponse.class);
    assertThat(r.getOutputUri()).isEqualTo(out.toString());
    assertThat(r.getPredictedCount()).isEqualTo(3);
    assertThat(r.getFailedCount()).isEqualTo(1);
    try (var files = Files.list(out)) {
      assertThat(files.map(f -> f.getFileName().toString()).sorted())
          .containsExactly("errors_1.jsonl", "image_classification_1.jsonl");
    }
    try (var files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString()).sorted()).as("no partial folder left")
          .containsExactly("in", "out");
    }

    List<String> lines = Files.readAllLines(out.resolve("image_classification_1.jsonl"));
    assertThat(lines).hasSize(3);
    for (int i = 0; i < 3; i++) {
      JsonObject line = JsonParser.parseString(lines.get(i)).getAsJsonObject();
      assertThat(line.get("ID").getAsString()).as("input order").isEqualTo(i + ".png");
      // The same labels Predict gives with the same threshold, best first, AutoML's shape.
      ImagePrediction expected = predict(params, bytes(Files.readAllBytes(dir.resolve("in/" + i + ".png"))))
          .getPredictions(0);
      JsonArray annotations = line.getAsJsonArray("annotations");
      assertThat(annotations).hasSize(expected.getLabelsCount());
      for (int k = 0; k < annotations.size(); k++) {
        JsonObject a = annotations.get(k).getAsJsonObject();
        LabelScore want = expected.getLabels(k);
        assertThat(a.get("annotation_spec_id").getAsString()).isEqualTo(want.getLabel());
        assertThat(a.get("display_name").getAsString()).isEqualTo(want.getLabel());
        float score = a.getAsJsonObject("classification").get("score").getAsFloat();
        assertThat(score).isGreaterThanOrEqualTo(0.2f).isCloseTo(want.getScore(), Offset.offset(1e-5f));
      }
    }
    List<String> errors = Files.readAllLines(out.resolve("errors_1.jsonl"));
    assertThat(errors).hasSize(1);
    JsonObject error = JsonParser.parseString(errors.get(0)).getAsJsonObject();
    assertThat(error.get("ID").getAsString()).isEqualTo("missing.png");
    com.google.rpc.Status failure = InProcessNimbus.metadata(op).getPartialFailures(0);
    assertThat(failure.getCode()).isNotZero();
    assertThat(error.getAsJsonObject("errors").get("code").getAsInt()).isEqualTo(failure.getCode());
    assertThat(error.getAsJsonObject("errors").get("message").getAsString()).isEqualTo(failure.getMessage());

    // A dataset split into an empty folder: examples' names as IDs, and no errors file when nothing failed.
    Path split = Files.createDirectories(dir.resolve("split"));
    Operation bySplit = nimbus.await(nimbus.predictions.batchPredict(BatchPredictRequest.newBuilder()
        .setName("models/shapes").setOutputFormat(BatchPredictRequest.OutputFormat.AUTOML_JSONL)
        .setInputConfig(BatchPredictInputConfig.newBuilder().setDatasetSplit(DatasetSplit.newBuilder()
            .setDataset("datasets/shapes").setMlUse(MlUse.TEST)))
        .setOutputConfig(OutputConfig.newBuilder().setOutputUri(split.toString())).build()));
    assertThat(bySplit.getResponse().unpack(BatchPredictResponse.class).getFailedCount()).isZero();
    try (var files = Files.list(split)) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactly("image_classification_1.jsonl");
    }
    List<String> ids = Files.readAllLines(split.resolve("image_classification_1.jsonl")).stream()
        .map(l -> JsonParser.parseString(l).getAsJsonObject().get("ID").getAsString()).toList();
    assertThat(ids).hasSize(6).allSatisfy(id -> assertThat(id).startsWith("datasets/shapes/examples/"));
    assertThat(ids).as("import order").isEqualTo(nimbus.datasets.listExamples(ListExamplesRequest.newBuilder()
        .setParent("datasets/shapes").setFilter("ml_use = TEST").setPageSize(100).build()).getExamplesList().stream()
        .map(e -> e.getName()).toList());

    assertFails(Status.Code.ALREADY_EXISTS, "never overwrites", () -> nimbus.predictions.batchPredict(
        BatchPredictRequest.newBuilder().setName("models/shapes")
            .setOutputFormat(BatchPredictRequest.OutputFormat.AUTOML_JSONL)
            .setInputConfig(BatchPredictInputConfig.newBuilder().setDatasetSplit(DatasetSplit.newBuilder()
                .setDataset("datasets/shapes")))
            .setOutputConfig(OutputConfig.newBuilder().setOutputUri(split.toString())).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "output_format: 7", () -> nimbus.predictions.batchPredict(
        BatchPredictRequest.newBuilder().setName("models/shapes").setOutputFormatValue(7)
            .setInputConfig(BatchPredictInputConfig.newBuilder().setDatasetSplit(DatasetSplit.newBuilder()
                .setDataset("datasets/shapes")))
            .setOutputConfig(OutputConfig.newBuilder().setOutputUri(dir.resolve("x").toString())).build()));
  }

  @Test
  @Order(10)
  void deployment_survivesARestart() {
    nimbus.close();
    // Restarted with room for one deployed model, for the next test.
    nimbus = new InProcessNimbus(tmp.resolve("data"), Map.of("export-roots", tmp.toString(),
        "max-loaded-models", "1"));
    // The health service says when the model serves again: no polling.
    Iterator<HealthCheckResponse> health = HealthGrpc.newBlockingStub(nimbus.channel)
        .withDeadlineAfter(60, TimeUnit.SECONDS)
        .watch(HealthCheckRequest.newBuilder().setService("models/shapes").build());
    if (health.next().getStatus() != HealthCheckResponse.ServingStatus.SERVING) {
      // While it loads again, what GetModel says must hold: LOADING, and Predict refuses rather than fails.
      Model.DeploymentState state = model().getDeploymentState();
      assertThat(state).isIn(Model.DeploymentState.LOADING, Model.DeploymentState.AVAILABLE);
      try {
        predict(PredictParams.getDefaultInstance(), bytes(TestImages.png(40, 40, 9)));
      } catch (StatusRuntimeException e) {
        assertThat(state).as("GetModel said AVAILABLE but Predict failed: " + e.getStatus())
            .isEqualTo(Model.DeploymentState.LOADING);
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
      }
      while (health.next().getStatus() != HealthCheckResponse.ServingStatus.SERVING) {
        // NOT_SERVING until it is loaded, warmed up and recorded AVAILABLE
      }
    }
    // SERVING is reported once the model is recorded AVAILABLE.
    assertThat(model().getDeploymentState()).isEqualTo(Model.DeploymentState.AVAILABLE);
    assertThat(predict(PredictParams.getDefaultInstance(), bytes(TestImages.png(40, 40, 9))).getPredictionsCount())
        .as("the model serves again after the restart").isEqualTo(1);
  }

  @Test
  @Order(11)
  void deployModel_beyondMaxLoadedModels_failsAndSaysWhy_whileTheDeployedOneServesOn() throws Exception {
    Operation trained = nimbus.await(nimbus.models.createModel(CreateModelRequest.newBuilder().setModelId("second")
        .setModel(Model.newBuilder().setDataset("datasets/shapes").setBaseModel("scratch_cnn")
            .setTrainingParams(TrainingParams.newBuilder().setMaxEpochs(1))).build()), Duration.ofMinutes(5));
    assertThat(trained.hasError()).as("%s", trained.getError()).isFalse();

    Operation done = nimbus.await(nimbus.models.deployModel(DeployModelRequest.newBuilder().setName("models/second")
        .build()));

    assertThat(done.getError().getCode()).isEqualTo(Code.FAILED_PRECONDITION_VALUE);
    assertThat(done.getError().getMessage()).contains("max-loaded-models").contains("undeploy one first");
    assertThat(done.getError().getDetails(0).unpack(ErrorInfo.class).getReason())
        .isEqualTo("TOO_MANY_DEPLOYED_MODELS");
    assertThat(nimbus.models.getModel(GetModelRequest.newBuilder().setName("models/second").build())
        .getDeploymentState()).isEqualTo(Model.DeploymentState.DEPLOYMENT_FAILED);
    assertThat(predict(PredictParams.getDefaultInstance(), bytes(TestImages.png(40, 40, 9))).getPredictionsCount())
        .isEqualTo(1);
  }

  @Test
  @Order(12)
  void undeployModel_stopsServing_thenDeleteIsAllowed() {
    assertFails(Status.Code.FAILED_PRECONDITION, "undeploy it first", () -> nimbus.models.deleteModel(
        DeleteModelRequest.newBuilder().setName("models/shapes").build()));
    Operation done = nimbus.await(nimbus.models.undeployModel(UndeployModelRequest.newBuilder()
        .setName("models/shapes").build()));
    assertThat(done.hasError()).isFalse();
    assertThat(model().getDeploymentState()).isEqualTo(Model.DeploymentState.UNDEPLOYED);
    assertFails(Status.Code.FAILED_PRECONDITION, "not deployed", () -> predict(PredictParams.getDefaultInstance(),
        bytes(TestImages.png(8, 8, 1))));
    assertFails(Status.Code.FAILED_PRECONDITION, "UNDEPLOYED", () -> nimbus.models.undeployModel(
        UndeployModelRequest.newBuilder().setName("models/shapes").build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "device", () -> nimbus.models.deployModel(DeployModelRequest.newBuilder()
        .setName("models/shapes").setDeploymentConfig(DeploymentConfig.newBuilder().setDevice("tpu")).build()));
  }

  private static RawImage raw(BufferedImage img) {
    byte[] data = new byte[img.getWidth() * img.getHeight() * 3];
    int i = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int rgb = img.getRGB(x, y);
        data[i++] = (byte) (rgb >> 16);
        data[i++] = (byte) (rgb >> 8);
        data[i++] = (byte) rgb;
      }
    }
    return RawImage.newBuilder().setHeight(img.getHeight()).setWidth(img.getWidth()).setChannels(3)
        .setData(ByteString.copyFrom(data)).build();
  }

  private String firstExample() {
    return nimbus.datasets.listExamples(ListExamplesRequest.newBuilder().setParent("datasets/shapes").setPageSize(1)
        .build()).getExamples(0).getName();
  }
}
