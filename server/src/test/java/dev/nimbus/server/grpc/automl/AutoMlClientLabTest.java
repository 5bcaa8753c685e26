package dev.nimbus.server.grpc.automl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.InstantiatingGrpcChannelProvider;
import com.google.api.gax.rpc.NotFoundException;
import com.google.cloud.automl.v1.AnnotationSpec;
import com.google.cloud.automl.v1.AnnotationSpecName;
import com.google.cloud.automl.v1.AutoMlClient;
import com.google.cloud.automl.v1.AutoMlSettings;
import com.google.cloud.automl.v1.BatchPredictInputConfig;
import com.google.cloud.automl.v1.BatchPredictOutputConfig;
import com.google.cloud.automl.v1.ClassificationEvaluationMetrics;
import com.google.cloud.automl.v1.ClassificationType;
import com.google.cloud.automl.v1.Dataset;
import com.google.cloud.automl.v1.DatasetName;
import com.google.cloud.automl.v1.ExamplePayload;
import com.google.cloud.automl.v1.GcsDestination;
import com.google.cloud.automl.v1.GcsSource;
import com.google.cloud.automl.v1.Image;
import com.google.cloud.automl.v1.ImageClassificationDatasetMetadata;
import com.google.cloud.automl.v1.ImageClassificationModelMetadata;
import com.google.cloud.automl.v1.InputConfig;
import com.google.cloud.automl.v1.LocationName;
import com.google.cloud.automl.v1.Model;
import com.google.cloud.automl.v1.ModelEvaluation;
import com.google.cloud.automl.v1.ModelExportOutputConfig;
import com.google.cloud.automl.v1.ModelName;
import com.google.cloud.automl.v1.OutputConfig;
import com.google.cloud.automl.v1.PredictResponse;
import com.google.cloud.automl.v1.PredictionServiceClient;
import com.google.cloud.automl.v1.PredictionServiceSettings;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import com.google.protobuf.FieldMask;
import dev.nimbus.server.NimbusServer;
import dev.nimbus.server.config.ConfigLoader;
import dev.nimbus.server.testing.ClassImages;
import dev.nimbus.server.testing.TestImages;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Google's own Cloud AutoML Java client, unchanged, runs the AutoML Vision lab against a Nimbus server on loopback:
 * once over gRPC, once over its HTTP/JSON transport. The images lie in a folder mapped to the bucket
 * {@code nimbus-lab}, as if copied there with {@code gsutil -m cp -r gs://nimbus-lab FOLDER}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AutoMlClientLabTest {
  private static final String BUCKET = "nimbus-lab";
  private static final String[] LABELS = {"cirrus", "cumulus", "stratus"};
  private static final int PER_LABEL = 14;

  @TempDir
  static Path tmp;
  NimbusServer server;
  Path bucket;
  final List<byte[]> testImages = new ArrayList<>();

  @BeforeAll
  void start() throws Exception {
    bucket = Files.createDirectories(tmp.resolve("bucket"));
    StringBuilder csv = new StringBuilder();
    StringBuilder batch = new StringBuilder();
    for (int l = 0; l < LABELS.length; l++) {
      for (int i = 0; i < PER_LABEL; i++) {
        byte[] png = TestImages.encode(ClassImages.picture(l, i, 64), "png");
        String object = "clouds/" + LABELS[l] + "/" + i + ".png";
        TestImages.write(bucket.resolve(object), png);
        // AutoML's CSV: an optional set, the gs:// URI, the label.
        String set = i < 10 ? "TRAIN" : i < 12 ? "VALIDATION" : "TEST";
        csv.append(set).append(",gs://").append(BUCKET).append('/').append(object).append(',').append(LABELS[l])
            .append('\n');
        if (i >= 12) {
          batch.append("gs://").append(BUCKET).append('/').append(object).append('\n');
          testImages.add(png);
        }
      }
    }
    Files.writeString(bucket.resolve("clouds/labels.csv"), csv);
    Files.writeString(bucket.resolve("clouds/batch.csv"), batch);
    server = NimbusServer.netty(ConfigLoader.load(Map.of(), Map.of("port", "0", "http-port", "0",
        "data-dir", tmp.resolve("data").toString(), "gcs-buckets", BUCKET + "=" + bucket)), Clock.systemUTC()).start();
  }

  @AfterAll
  void stop() {
    server.close();
  }

  @Test
  void theLab_overGrpc() throws Exception {
    AutoMlSettings automl = AutoMlSettings.newBuilder().setCredentialsProvider(NoCredentialsProvider.create())
        .setTransportChannelProvider(plaintext()).build();
    PredictionServiceSettings prediction = PredictionServiceSettings.newBuilder()
        .setCredentialsProvider(NoCredentialsProvider.create()).setTransportChannelProvider(plaintext()).build();
    try (AutoMlClient client = AutoMlClient.create(automl);
         PredictionServiceClient predictor = PredictionServiceClient.create(prediction)) {
      lab(client, predictor, "grpc");
    }
  }

  /** A plaintext gRPC channel to the server, as for an emulator. */
  private InstantiatingGrpcChannelProvider plaintext() {
    return InstantiatingGrpcChannelProvider.newBuilder().setEndpoint("127.0.0.1:" + server.port())
        .setChannelConfigurator(b -> b.usePlaintext()).build();
  }

  @Test
  void theLab_overHttpJson() throws Exception {
    String endpoint = "http://127.0.0.1:" + server.httpPort();
    AutoMlSettings automl = AutoMlSettings.newHttpJsonBuilder()
        .setCredentialsProvider(NoCredentialsProvider.create())
        .setEndpoint(endpoint)
        .build();
    PredictionServiceSettings prediction = PredictionServiceSettings.newHttpJsonBuilder()
        .setCredentialsProvider(NoCredentialsProvider.create())
        .setEndpoint(endpoint)
        .build();
    try (AutoMlClient client = AutoMlClient.create(automl);
         PredictionServiceClient predictor = PredictionServiceClient.create(prediction)) {
      lab(client, predictor, "rest");
    }
  }

  private void lab(AutoMlClient client, PredictionServiceClient predictor, String transport) throws Exception {
    long start = System.nanoTime();
    LocationName location = LocationName.of("my-project", "us-central1");

    // Create a dataset and import the CSV of gs:// URIs.
    Dataset dataset = client.createDatasetAsync(location, Dataset.newBuilder()
        .setDisplayName("clouds_" + transport)
        .setImageClassificationDatasetMetadata(ImageClassificationDatasetMetadata.newBuilder()
            .setClassificationType(ClassificationType.MULTICLASS))
        .build()).get(1, TimeUnit.MINUTES);
    assertThat(dataset.getName()).matches("projects/my-project/locations/us-central1/datasets/ICN[0-9]{19}");
    String datasetId = DatasetName.parse(dataset.getName()).getDataset();
    client.importDataAsync(dataset.getName(), InputConfig.newBuilder().setGcsSource(GcsSource.newBuilder()
        .addInputUris("gs://" + BUCKET + "/clouds/labels.csv")).build()).get(5, TimeUnit.MINUTES);

    // Check the labels and counts.
    assertThat(client.getDataset(dataset.getName()).getExampleCount()).isEqualTo(LABELS.length * PER_LABEL);
    AnnotationSpec cirrus = client.getAnnotationSpec(AnnotationSpecName.of("my-project", "us-central1", datasetId,
        "cirrus"));
    assertThat(cirrus.getDisplayName()).isEqualTo("cirrus");
    assertThat(cirrus.getExampleCount()).isEqualTo(PER_LABEL);
    Dataset renamed = client.updateDataset(dataset.toBuilder().setDisplayName("clouds_renamed_" + transport)
        .putLabels("team", "vision").build(), FieldMask.newBuilder().addPaths("display_name").addPaths("labels")
        .build());
    assertThat(renamed.getDisplayName()).isEqualTo("clouds_renamed_" + transport);
    assertThat(renamed.getLabelsMap()).containsEntry("team", "vision");
    assertThat(client.listDatasets(location).iterateAll()).extracting(Dataset::getName).contains(dataset.getName());

    // Train with a small budget and wait on the operation.
    Model model = client.createModelAsync(location, Model.newBuilder()
        .setDisplayName("clouds_model_" + transport)
        .setDatasetId(datasetId)
        .setImageClassificationModelMetadata(ImageClassificationModelMetadata.newBuilder()
            .setTrainBudgetMilliNodeHours(100).setModelType("cloud"))
        .build()).get(10, TimeUnit.MINUTES);
    assertThat(model.getName()).matches("projects/my-project/locations/us-central1/models/ICN[0-9]{19}");
    ImageClassificationModelMetadata meta = model.getImageClassificationModelMetadata();
    assertThat(meta.getModelType()).isEqualTo("cloud");
    assertThat(meta.getTrainBudgetMilliNodeHours()).isEqualTo(100);
    assertThat(meta.getTrainCostMilliNodeHours()).isBetween(1L, 100L);
    assertThat(meta.getStopReason()).isNotEmpty();
    assertThat(meta.getNodeQps()).isPositive();
    assertThat(model.getDeploymentState()).isEqualTo(Model.DeploymentState.UNDEPLOYED);

    // The evaluation: au_prc, the threshold entries, the confusion matrix; one per label too.
    List<ModelEvaluation> evaluations = new ArrayList<>();
    client.listModelEvaluations(model.getName(), "").iterateAll().forEach(evaluations::add);
    assertThat(evaluations).hasSize(1 + LABELS.length);
    ModelEvaluation overall = evaluations.stream().filter(e -> e.getAnnotationSpecId().isEmpty()).findFirst()
        .orElseThrow();
    ClassificationEvaluationMetrics metrics = overall.getClassificationEvaluationMetrics();
    assertThat(metrics.getAuPrc()).isBetween(0.5f, 1f);
    assertThat(overall.getEvaluatedExampleCount()).isEqualTo(LABELS.length * 2);
    assertThat(metrics.getConfidenceMetricsEntryList()).isNotEmpty()
        .allSatisfy(c -> assertThat(c.getPositionThreshold()).isEqualTo(LABELS.length));
    ClassificationEvaluationMetrics.ConfidenceMetricsEntry half = metrics.getConfidenceMetricsEntryList().stream()
        .filter(c -> Math.abs(c.getConfidenceThreshold() - 0.5f) < 1e-6).findFirst().orElseThrow();
    assertThat(half.getRecall()).isBetween(0f, 1f);
    assertThat(half.getPrecisionAt1()).isBetween(0f, 1f);
    assertThat(metrics.getConfusionMatrix().getDisplayNameList()).containsExactly(LABELS);
    assertThat(metrics.getConfusionMatrix().getRowList()).hasSize(LABELS.length);
    long counted = metrics.getConfusionMatrix().getRowList().stream()
        .flatMap(r -> r.getExampleCountList().stream()).mapToLong(Integer::longValue).sum();
    assertThat(counted).isEqualTo(LABELS.length * 2);
    assertThat(client.listModelEvaluations(model.getName(), "annotation_spec_id=cumulus").iterateAll())
        .singleElement().satisfies(e -> assertThat(e.getDisplayName()).isEqualTo("cumulus"));
    assertThat(client.listModelEvaluations(model.getName(), "NOT annotation_spec_id:*").iterateAll())
        .singleElement().satisfies(e -> assertThat(e.getName()).isEqualTo(overall.getName()));
    assertThat(client.getModelEvaluation(overall.getName())).isEqualTo(overall);

    // Deploy, predict with a score threshold, over the client and as AutoML's REST documentation shows it.
    client.deployModelAsync(model.getName()).get(5, TimeUnit.MINUTES);
    assertThat(client.getModel(model.getName()).getDeploymentState()).isEqualTo(Model.DeploymentState.DEPLOYED);
    PredictResponse predicted = predictor.predict(model.getName(), ExamplePayload.newBuilder()
        .setImage(Image.newBuilder().setImageBytes(ByteString.copyFrom(testImages.get(0)))).build(),
        Map.of("score_threshold", "0.2"));
    assertThat(predicted.getPayloadList()).isNotEmpty().allSatisfy(p -> {
      assertThat(p.getClassification().getScore()).isGreaterThanOrEqualTo(0.2f);
      assertThat(p.getDisplayName()).isIn((Object[]) LABELS);
    });
    PredictResponse none = predictor.predict(model.getName(), ExamplePayload.newBuilder()
        .setImage(Image.newBuilder().setImageBytes(ByteString.copyFrom(testImages.get(0)))).build(),
        Map.of("score_threshold", "1"));
    assertThat(none.getPayloadList().size()).isLessThanOrEqualTo(1);
    JsonObject rest = restPredict(ModelName.parse(model.getName()).getModel(), testImages.get(0));
    assertThat(rest.getAsJsonArray("payload").get(0).getAsJsonObject().getAsJsonObject("classification")
        .get("score").getAsFloat()).isEqualTo(predicted.getPayload(0).getClassification().getScore());

    // Batch predict: AutoML's folder of JSON lines under the destination.
    var batch = predictor.batchPredictAsync(model.getName(), BatchPredictInputConfig.newBuilder()
        .setGcsSource(GcsSource.newBuilder().addInputUris("gs://" + BUCKET + "/clouds/batch.csv")).build(),
        BatchPredictOutputConfig.newBuilder().setGcsDestination(GcsDestination.newBuilder()
            .setOutputUriPrefix("gs://" + BUCKET + "/predictions-" + transport + "/")).build(),
        Map.of("score_threshold", "0.2"));
    batch.get(5, TimeUnit.MINUTES);
    String predictionsUri = batch.getMetadata().get().getBatchPredictDetails().getOutputInfo().getGcsOutputDirectory();
    assertThat(predictionsUri).startsWith("gs://" + BUCKET + "/predictions-" + transport + "/prediction-clouds_model_"
        + transport + "-");
    Path predictions = bucket.resolve(predictionsUri.substring(("gs://" + BUCKET + "/").length()));
    List<String> lines = Files.readAllLines(predictions.resolve("image_classification_1.jsonl"));
    assertThat(lines).hasSize(testImages.size());
    JsonObject first = JsonParser.parseString(lines.get(0)).getAsJsonObject();
    assertThat(first.get("ID").getAsString()).startsWith("gs://" + BUCKET + "/clouds/");
    assertThat(first.getAsJsonArray("annotations")).isNotEmpty();
    assertThat(predictions.resolve("errors_1.jsonl")).doesNotExist();

    // Export the model as a SavedModel, and the dataset as AutoML's CSV with its images.
    var export = client.exportModelAsync(model.getName(), ModelExportOutputConfig.newBuilder()
        .setModelFormat("tf_saved_model")
        .setGcsDestination(GcsDestination.newBuilder().setOutputUriPrefix("gs://" + BUCKET + "/exports-" + transport))
        .build());
    export.get(5, TimeUnit.MINUTES);
    String exported = export.getMetadata().get().getExportModelDetails().getOutputInfo().getGcsOutputDirectory();
    assertThat(exported).startsWith("gs://" + BUCKET + "/exports-" + transport + "/model-export/icn/tf_saved_model-"
        + "clouds_model_" + transport + "-");
    assertThat(bucket.resolve(exported.substring(("gs://" + BUCKET + "/").length()))
        .resolve("saved_model/saved_model.pb")).isRegularFile();
    var exportData = client.exportDataAsync(dataset.getName(), OutputConfig.newBuilder().setGcsDestination(
        GcsDestination.newBuilder().setOutputUriPrefix("gs://" + BUCKET + "/dataset-export-" + transport + "/"))
        .build());
    exportData.get(5, TimeUnit.MINUTES);
    String exportedData = exportData.getMetadata().get().getExportDataDetails().getOutputInfo()
        .getGcsOutputDirectory();
    List<String> rows = Files.readAllLines(bucket.resolve(exportedData.substring(("gs://" + BUCKET + "/").length()))
        .resolve("image_classification_1.csv"));
    assertThat(rows).hasSize(LABELS.length * PER_LABEL)
        .allSatisfy(r -> assertThat(r).matches("(TRAIN|VALIDATION|TEST),gs://" + BUCKET + "/dataset-export-"
            + transport + "/export_data-clouds_renamed_" + transport + "-[^,]+/images/[0-9a-f]{64}\\.png,\\w+"));

    if (transport.equals("grpc")) {
      // A second model starting from the first one's head (AutoML's base_model_id).
      Model second = client.createModelAsync(location, Model.newBuilder().setDisplayName("clouds_model_2")
          .setDatasetId(datasetId).setImageClassificationModelMetadata(ImageClassificationModelMetadata.newBuilder()
              .setBaseModelId(ModelName.parse(model.getName()).getModel()).setTrainBudgetMilliNodeHours(50))
          .build()).get(10, TimeUnit.MINUTES);
      assertThat(second.getImageClassificationModelMetadata().getBaseModelId())
          .isEqualTo(ModelName.parse(model.getName()).getModel());
      client.deleteModelAsync(second.getName()).get(5, TimeUnit.MINUTES);
    }
    client.undeployModelAsync(model.getName()).get(5, TimeUnit.MINUTES);
    assertThat(client.getModel(model.getName()).getDeploymentState()).isEqualTo(Model.DeploymentState.UNDEPLOYED);
    client.deleteModelAsync(model.getName()).get(5, TimeUnit.MINUTES);
    client.deleteDatasetAsync(dataset.getName()).get(5, TimeUnit.MINUTES);
    assertThatThrownBy(() -> client.getDataset(dataset.getName())).isInstanceOf(NotFoundException.class)
        .hasStackTraceContaining("does not exist");
    System.out.printf("AutoML lab over %s through Google's client: %.1f s%n", transport,
        (System.nanoTime() - start) / 1e9);
  }

  @Test
  void restErrors_comeInGooglesEnvelope() throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + server.httpPort() + "/v1/projects/p/locations/us-central1/datasets/ICN404")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(404);
    JsonObject error = JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonObject("error");
    assertThat(error.get("code").getAsInt()).isEqualTo(404);
    assertThat(error.get("status").getAsString()).isEqualTo("NOT_FOUND");
    assertThat(error.get("message").getAsString()).contains("datasets/ICN404 does not exist");
    assertThat(error.getAsJsonArray("details").get(0).getAsJsonObject().get("@type").getAsString())
        .isEqualTo("type.googleapis.com/google.rpc.ResourceInfo");
  }

  /** AutoML's documented REST call, with a plain HTTP client. */
  private JsonObject restPredict(String modelId, byte[] image) throws Exception {
    String body = "{\"payload\":{\"image\":{\"imageBytes\":\"" + Base64.getEncoder().encodeToString(image)
        + "\"}},\"params\":{\"score_threshold\":\"0.2\"}}";
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + server.httpPort() + "/v1/projects/my-project/locations/us-central1/models/" + modelId + ":predict"))
        .timeout(Duration.ofSeconds(30)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JsonParser.parseString(r.body()).getAsJsonObject();
  }
}
