package dev.nimbus.server.grpc.automl;

import static dev.nimbus.server.testing.Statuses.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.automl.v1.AutoMlGrpc;
import com.google.cloud.automl.v1.ClassificationType;
import com.google.cloud.automl.v1.CreateDatasetRequest;
import com.google.cloud.automl.v1.CreateModelRequest;
import com.google.cloud.automl.v1.Dataset;
import com.google.cloud.automl.v1.DeployModelRequest;
import com.google.cloud.automl.v1.ExamplePayload;
import com.google.cloud.automl.v1.ExportModelRequest;
import com.google.cloud.automl.v1.GcsDestination;
import com.google.cloud.automl.v1.GcsSource;
import com.google.cloud.automl.v1.GetAnnotationSpecRequest;
import com.google.cloud.automl.v1.GetDatasetRequest;
import com.google.cloud.automl.v1.Image;
import com.google.cloud.automl.v1.ImageClassificationDatasetMetadata;
import com.google.cloud.automl.v1.ImageClassificationModelDeploymentMetadata;
import com.google.cloud.automl.v1.ImageClassificationModelMetadata;
import com.google.cloud.automl.v1.ImageObjectDetectionModelDeploymentMetadata;
import com.google.cloud.automl.v1.ImportDataRequest;
import com.google.cloud.automl.v1.InputConfig;
import com.google.cloud.automl.v1.ListDatasetsRequest;
import com.google.cloud.automl.v1.ListModelEvaluationsRequest;
import com.google.cloud.automl.v1.Model;
import com.google.cloud.automl.v1.ModelExportOutputConfig;
import com.google.cloud.automl.v1.OperationMetadata;
import com.google.cloud.automl.v1.PredictRequest;
import com.google.cloud.automl.v1.PredictionServiceGrpc;
import com.google.cloud.automl.v1.TextClassificationModelMetadata;
import com.google.cloud.automl.v1.TextSnippet;
import com.google.cloud.automl.v1.TranslationDatasetMetadata;
import com.google.cloud.automl.v1.UpdateDatasetRequest;
import com.google.cloud.automl.v1.UpdateModelRequest;
import com.google.longrunning.GetOperationRequest;
import com.google.longrunning.ListOperationsRequest;
import com.google.longrunning.Operation;
import com.google.protobuf.ByteString;
import com.google.protobuf.FieldMask;
import dev.nimbus.server.testing.InProcessNimbus;
import io.grpc.CallOptions;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AutoML adapter's calls and refusals, in process: what is served answers in AutoML's shapes, what is not is
 * refused at once with a status and a message that says what to send instead.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AutoMlServiceTest {
  private static final String LOCATION = "projects/p1/locations/us-central1";
  private static final String ADMIN = "admin-key-0123456789";
  private static final String READER = "reader-key-0123456789";

  @TempDir
  static Path tmp;
  InProcessNimbus nimbus;
  AutoMlGrpc.AutoMlBlockingStub automl;
  PredictionServiceGrpc.PredictionServiceBlockingStub predictions;
  dev.nimbus.v1.DatasetServiceGrpc.DatasetServiceBlockingStub nativeDatasets;
  com.google.longrunning.OperationsGrpc.OperationsBlockingStub operations;

  @BeforeAll
  void start() throws Exception {
    Path keys = Files.writeString(tmp.resolve("keys"), ADMIN + " admin\n" + READER + " reader\n");
    nimbus = new InProcessNimbus(tmp.resolve("data"), Map.of("api-keys-file", keys.toString()));
    automl = AutoMlGrpc.newBlockingStub(nimbus.channel).withInterceptors(googleKey(ADMIN));
    predictions = PredictionServiceGrpc.newBlockingStub(nimbus.channel).withInterceptors(googleKey(ADMIN));
    nativeDatasets = nimbus.datasets.withInterceptors(googleKey(ADMIN));
    operations = nimbus.operations.withInterceptors(googleKey(ADMIN));
  }

  @AfterAll
  void stop() {
    nimbus.close();
  }

  /** Where Google's clients put an API key. */
  private static io.grpc.ClientInterceptor googleKey(String key) {
    Metadata m = new Metadata();
    m.put(Metadata.Key.of("x-goog-api-key", Metadata.ASCII_STRING_MARSHALLER), key);
    return MetadataUtils.newAttachHeadersInterceptor(m);
  }

  private Dataset create(String displayName) throws Exception {
    Operation op = automl.createDataset(CreateDatasetRequest.newBuilder().setParent(LOCATION)
        .setDataset(Dataset.newBuilder().setDisplayName(displayName)
            .setImageClassificationDatasetMetadata(ImageClassificationDatasetMetadata.newBuilder()
                .setClassificationType(ClassificationType.MULTILABEL)))
        .build());
    assertThat(op.getDone()).isTrue();
    assertThat(op.getMetadata().unpack(OperationMetadata.class).hasCreateDatasetDetails()).isTrue();
    return op.getResponse().unpack(Dataset.class);
  }

  @Test
  void datasets_getAutoMlIds_andAreNativeDatasetsToo() throws Exception {
    Dataset d = create("flowers");
    assertThat(d.getName()).matches(LOCATION + "/datasets/ICN[0-9]{19}");
    assertThat(d.getImageClassificationDatasetMetadata().getClassificationType())
        .isEqualTo(ClassificationType.MULTILABEL);
    String id = d.getName().substring(d.getName().lastIndexOf('/') + 1);
    assertThat(nativeDatasets.getDataset(dev.nimbus.v1.GetDatasetRequest.newBuilder().setName("datasets/" + id)
        .build()).getDisplayName()).isEqualTo("flowers");
    // Any project and location: the server is one project.
    assertThat(automl.getDataset(GetDatasetRequest.newBuilder()
        .setName("projects/other/locations/eu/datasets/" + id).build()).getName())
        .isEqualTo("projects/other/locations/eu/datasets/" + id);
    // The CreateDataset operation can be read back, by the name it was given.
    Operation op = operations.getOperation(GetOperationRequest.newBuilder()
        .setName(LOCATION + "/operations/create-dataset-" + id).build());
    assertThat(op.getDone()).isTrue();
    assertThat(op.getResponse().unpack(Dataset.class).getName()).isEqualTo(d.getName());

    assertThat(automl.listDatasets(ListDatasetsRequest.newBuilder().setParent(LOCATION)
        .setFilter("image_classification_dataset_metadata:*").build()).getDatasetsList())
        .extracting(Dataset::getName).contains(d.getName());
    assertThat(automl.listDatasets(ListDatasetsRequest.newBuilder().setParent(LOCATION)
        .setFilter("translation_dataset_metadata:*").build()).getDatasetsList()).isEmpty();
    assertFails(Status.Code.INVALID_ARGUMENT, "unknown field 'colour'", () -> automl.listDatasets(
        ListDatasetsRequest.newBuilder().setParent(LOCATION).setFilter("colour=red").build()));
  }

  @Test
  void updateDataset_mapsTheMask_andChecksLabels() throws Exception {
    Dataset d = create("to_update");
    Dataset u = automl.updateDataset(UpdateDatasetRequest.newBuilder()
        .setDataset(d.toBuilder().setDisplayName("updated").putLabels("env", "test"))
        .setUpdateMask(FieldMask.newBuilder().addPaths("display_name").addPaths("labels")).build());
    assertThat(u.getDisplayName()).isEqualTo("updated");
    assertThat(u.getLabelsMap()).containsExactly(Map.entry("env", "test"));
    String id = d.getName().substring(d.getName().lastIndexOf('/') + 1);
    assertThat(nativeDatasets.getDataset(dev.nimbus.v1.GetDatasetRequest.newBuilder().setName("datasets/" + id)
        .build()).getUserLabelsMap()).containsExactly(Map.entry("env", "test"));
    assertFails(Status.Code.INVALID_ARGUMENT, "update_mask is required", () -> automl.updateDataset(
        UpdateDatasetRequest.newBuilder().setDataset(d).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "'example_count' cannot be updated", () -> automl.updateDataset(
        UpdateDatasetRequest.newBuilder().setDataset(d)
            .setUpdateMask(FieldMask.newBuilder().addPaths("example_count")).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "key 'Env' is not valid", () -> automl.updateDataset(
        UpdateDatasetRequest.newBuilder().setDataset(d.toBuilder().putLabels("Env", "x"))
            .setUpdateMask(FieldMask.newBuilder().addPaths("labels")).build()));
  }

  @Test
  void createDataset_refusesWhatIsNotImageClassification() {
    assertFails(Status.Code.INVALID_ARGUMENT, "translation_dataset_metadata: not supported; this server serves"
        + " image classification only", () -> automl.createDataset(CreateDatasetRequest.newBuilder()
        .setParent(LOCATION).setDataset(Dataset.newBuilder().setDisplayName("t")
            .setTranslationDatasetMetadata(TranslationDatasetMetadata.newBuilder().setSourceLanguageCode("en")))
        .build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "image_classification_dataset_metadata is required", () ->
        automl.createDataset(CreateDatasetRequest.newBuilder().setParent(LOCATION)
            .setDataset(Dataset.newBuilder().setDisplayName("t")).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "classification_type is required", () ->
        automl.createDataset(CreateDatasetRequest.newBuilder().setParent(LOCATION)
            .setDataset(Dataset.newBuilder().setDisplayName("t").setImageClassificationDatasetMetadata(
                ImageClassificationDatasetMetadata.getDefaultInstance())).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "expected: projects/{project}/locations/{location}", () ->
        automl.createDataset(CreateDatasetRequest.newBuilder().setParent("datasets")
            .setDataset(Dataset.getDefaultInstance()).build()));
  }

  @Test
  void refusals_sayWhatIsServed() throws Exception {
    Dataset d = create("refusals");
    String id = d.getName().substring(d.getName().lastIndexOf('/') + 1);
    assertFails(Status.Code.NOT_FOUND, "does not exist", () -> automl.getDataset(GetDatasetRequest.newBuilder()
        .setName(LOCATION + "/datasets/ICN000").build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "is not a valid name", () -> automl.getDataset(
        GetDatasetRequest.newBuilder().setName("datasets/" + id).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "one CSV per ImportData call", () -> automl.importData(
        ImportDataRequest.newBuilder().setName(d.getName()).setInputConfig(InputConfig.newBuilder()
            .setGcsSource(GcsSource.newBuilder().addInputUris("gs://b/a.csv").addInputUris("gs://b/b.csv")))
            .build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "take none (given: schema_inference_version)", () ->
        automl.importData(ImportDataRequest.newBuilder().setName(d.getName()).setInputConfig(InputConfig
            .newBuilder().setGcsSource(GcsSource.newBuilder().addInputUris("gs://b/a.csv"))
            .putParams("schema_inference_version", "1")).build()));
    assertFails(Status.Code.NOT_FOUND, "an annotation spec's id is its label", () -> automl.getAnnotationSpec(
        GetAnnotationSpecRequest.newBuilder().setName(d.getName() + "/annotationSpecs/tulip").build()));

    assertFails(Status.Code.INVALID_ARGUMENT, "text_classification_model_metadata: not supported", () ->
        automl.createModel(CreateModelRequest.newBuilder().setParent(LOCATION).setModel(Model.newBuilder()
            .setDatasetId(id).setTextClassificationModelMetadata(TextClassificationModelMetadata
                .getDefaultInstance())).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "expected one of: cloud, mobile-core-ml-high-accuracy-1", () ->
        automl.createModel(CreateModelRequest.newBuilder().setParent(LOCATION).setModel(Model.newBuilder()
            .setDatasetId(id).setImageClassificationModelMetadata(ImageClassificationModelMetadata.newBuilder()
                .setModelType("cloud-high-accuracy-1"))).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "one node hour is one hour of this server's time", () ->
        automl.createModel(CreateModelRequest.newBuilder().setParent(LOCATION).setModel(Model.newBuilder()
            .setDatasetId(id).setImageClassificationModelMetadata(ImageClassificationModelMetadata.newBuilder()
                .setTrainBudgetMilliNodeHours(-1))).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "model.dataset_id is required", () -> automl.createModel(
        CreateModelRequest.newBuilder().setParent(LOCATION).setModel(Model.getDefaultInstance()).build()));
    assertFails(Status.Code.NOT_FOUND, "does not exist", () -> automl.createModel(CreateModelRequest.newBuilder()
        .setParent(LOCATION).setModel(Model.newBuilder().setDatasetId("ICN999")).build()));
    assertFails(Status.Code.FAILED_PRECONDITION, "", () -> automl.createModel(CreateModelRequest.newBuilder()
        .setParent(LOCATION).setModel(Model.newBuilder().setDatasetId(id)).build()));

    String model = LOCATION + "/models/ICN123";
    assertFails(Status.Code.INVALID_ARGUMENT, "'tflite' is not served (supported: tf_saved_model", () ->
        automl.exportModel(ExportModelRequest.newBuilder().setName(model).setOutputConfig(ModelExportOutputConfig
            .newBuilder().setModelFormat("tflite").setGcsDestination(GcsDestination.newBuilder()
                .setOutputUriPrefix("gs://b/x/"))).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "takes none (given: cpu_architecture", () -> automl.exportModel(
        ExportModelRequest.newBuilder().setName(model).setOutputConfig(ModelExportOutputConfig.newBuilder()
            .putParams("cpu_architecture", "x86_64").setGcsDestination(GcsDestination.newBuilder()
                .setOutputUriPrefix("gs://b/x/"))).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "output_uri_prefix is required", () -> automl.exportModel(
        ExportModelRequest.newBuilder().setName(model).setOutputConfig(ModelExportOutputConfig.getDefaultInstance())
            .build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "image_object_detection_model_deployment_metadata: not supported",
        () -> automl.deployModel(DeployModelRequest.newBuilder().setName(model)
            .setImageObjectDetectionModelDeploymentMetadata(ImageObjectDetectionModelDeploymentMetadata
                .getDefaultInstance()).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "node_count: 0 (expected: 1..100)", () -> automl.deployModel(
        DeployModelRequest.newBuilder().setName(model).setImageClassificationModelDeploymentMetadata(
            ImageClassificationModelDeploymentMetadata.newBuilder().setNodeCount(0)).build()));
    assertFails(Status.Code.NOT_FOUND, "ICN123", () -> automl.deployModel(DeployModelRequest.newBuilder()
        .setName(model).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "update_mask: 'dataset_id' cannot be updated", () ->
        automl.updateModel(UpdateModelRequest.newBuilder().setModel(Model.newBuilder().setName(model))
            .setUpdateMask(FieldMask.newBuilder().addPaths("dataset_id")).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "filter 'annotation_spec_id>3'", () -> automl.listModelEvaluations(
        ListModelEvaluationsRequest.newBuilder().setParent(model).setFilter("annotation_spec_id>3").build()));

    ExamplePayload image = ExamplePayload.newBuilder().setImage(Image.newBuilder()
        .setImageBytes(ByteString.copyFrom(new byte[] {1, 2, 3}))).build();
    assertFails(Status.Code.INVALID_ARGUMENT, "this server classifies images: send payload.image.image_bytes", () ->
        predictions.predict(PredictRequest.newBuilder().setName(model).setPayload(ExamplePayload.newBuilder()
            .setTextSnippet(TextSnippet.newBuilder().setContent("hi"))).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "'max_results' is not a parameter of image classification", () ->
        predictions.predict(PredictRequest.newBuilder().setName(model).setPayload(image)
            .putParams("max_results", "3").build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "score_threshold: 'high' (expected: a number from 0 to 1", () ->
        predictions.predict(PredictRequest.newBuilder().setName(model).setPayload(image)
            .putParams("score_threshold", "high").build()));
    assertFails(Status.Code.NOT_FOUND, "ICN123", () -> predictions.predict(PredictRequest.newBuilder()
        .setName(model).setPayload(image).build()));
  }

  @Test
  void operations_answerAutoMlNames() {
    assertFails(Status.Code.NOT_FOUND, "does not exist", () -> operations.getOperation(
        GetOperationRequest.newBuilder().setName(LOCATION + "/operations/create-dataset-ICN1").build()));
    assertFails(Status.Code.NOT_FOUND, "", () -> operations.getOperation(
        GetOperationRequest.newBuilder().setName(LOCATION + "/operations/abc-123").build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "projects/{project}/locations/{location}/operations/{operation}", () ->
        operations.getOperation(GetOperationRequest.newBuilder().setName("projects/p/operations/x").build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "projects/{project}/locations/{location}", () -> nimbus.operations
        .withInterceptors(googleKey(ADMIN)).listOperations(ListOperationsRequest.newBuilder()
            .setName("projects/p").build()));
    assertThat(operations.listOperations(ListOperationsRequest.newBuilder().setName(LOCATION).build())
        .getOperationsList()).allSatisfy(o -> assertThat(o.getName()).startsWith(LOCATION + "/operations/"));
  }

  @Test
  void keys_googleHeaderAccepted_readerMayOnlyRead() {
    AutoMlGrpc.AutoMlBlockingStub reader = AutoMlGrpc.newBlockingStub(nimbus.channel)
        .withInterceptors(googleKey(READER));
    reader.listDatasets(ListDatasetsRequest.newBuilder().setParent(LOCATION).build());
    assertFails(Status.Code.PERMISSION_DENIED, "role reader", () -> reader.createDataset(
        CreateDatasetRequest.newBuilder().setParent(LOCATION).build()));
    assertFails(Status.Code.UNAUTHENTICATED, "API key", () -> AutoMlGrpc.newBlockingStub(nimbus.channel)
        .listDatasets(ListDatasetsRequest.newBuilder().setParent(LOCATION).build()));
  }

  @Test
  void otherAutoMlApis_areUnimplemented_sayingWhatIsServed() {
    MethodDescriptor.Marshaller<InputStream> raw = new MethodDescriptor.Marshaller<>() {
      @Override
      public InputStream stream(InputStream value) {
        return value;
      }

      @Override
      public InputStream parse(InputStream stream) {
        return stream;
      }
    };
    MethodDescriptor<InputStream, InputStream> tables = MethodDescriptor.newBuilder(raw, raw)
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName("google.cloud.automl.v1beta1.AutoMl/ListTableSpecs").build();
    assertFails(Status.Code.UNIMPLEMENTED, "serves Cloud AutoML's google.cloud.automl.v1 AutoMl and"
        + " PredictionService, for image classification", () -> ClientCalls.blockingUnaryCall(nimbus.channel,
        tables, CallOptions.DEFAULT, new ByteArrayInputStream(new byte[0])));
  }
}
