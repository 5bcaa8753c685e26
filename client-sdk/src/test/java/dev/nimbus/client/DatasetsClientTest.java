package dev.nimbus.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.longrunning.Operation;
import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import com.google.protobuf.FieldMask;
import com.google.rpc.ResourceInfo;
import dev.nimbus.v1.ClassificationType;
import dev.nimbus.v1.CreateDatasetRequest;
import dev.nimbus.v1.Dataset;
import dev.nimbus.v1.DatasetStats;
import dev.nimbus.v1.ExportDataRequest;
import dev.nimbus.v1.ExportDataResponse;
import dev.nimbus.v1.ImportDataResponse;
import dev.nimbus.v1.InputConfig;
import dev.nimbus.v1.OutputConfig;
import dev.nimbus.v1.ReadExampleImageResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DatasetsClientTest {
  private static final String SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  private static final String EXAMPLE = "datasets/clouds/examples/" + SHA;

  private final FakeDatasetService fake = new FakeDatasetService();
  private final FakeOperations operations = new FakeOperations();
  private InProcessServer server;
  private NimbusClient client;

  @BeforeEach
  void setUp() throws Exception {
    server = InProcessServer.start(fake, operations);
    client = NimbusClient.forChannel(server.channel(),
        ClientOptions.defaults().withOperationPollInterval(Duration.ofMillis(10)));
    fake.datasets.put("datasets/clouds", Dataset.newBuilder().setName("datasets/clouds").setExampleCount(42).build());
  }

  @AfterEach
  void tearDown() throws Exception {
    client.close();
    server.close();
  }

  private static ReadExampleImageResponse chunk(String data) {
    return ReadExampleImageResponse.newBuilder().setData(ByteString.copyFromUtf8(data)).build();
  }

  private static ReadExampleImageResponse firstChunk(long sizeBytes, String data) {
    return chunk(data).toBuilder().setMimeType("image/png").setSizeBytes(sizeBytes).build();
  }

  @Test
  void get_acceptsAnIdOrAName() {
    assertThat(client.datasets().get("clouds").getExampleCount()).isEqualTo(42);
    assertThat(client.datasets().get("datasets/clouds").getExampleCount()).isEqualTo(42);

    assertThat(fake.gets).extracting(r -> r.getName()).containsExactly("datasets/clouds", "datasets/clouds");
  }

  @Test
  void get_blankName_throwsBeforeCallingTheServer() {
    assertThatThrownBy(() -> client.datasets().get(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dataset: ' ' (expected: an id like 'clouds' or a name like 'datasets/clouds')");
    assertThat(fake.gets).isEmpty();
  }

  @Test
  void get_unknownDataset_throwsNotFoundWithDetails() {
    assertThatThrownBy(() -> client.datasets().get("nope"))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
          assertThat(NimbusErrors.describe(e)).isEqualTo("NOT_FOUND: dataset 'datasets/nope' does not exist");
        });
  }

  @Test
  void create_sendsTheIdAndClassificationType() {
    Dataset created = client.datasets().create("birds", ClassificationType.MULTILABEL);

    assertThat(created.getName()).isEqualTo("datasets/birds");
    assertThat(fake.creates).containsExactly(CreateDatasetRequest.newBuilder().setDatasetId("birds")
        .setDataset(Dataset.newBuilder().setClassificationType(ClassificationType.MULTILABEL)).build());
  }

  @Test
  void update_qualifiesTheDatasetName_andSendsTheMask() {
    FieldMask mask = FieldMask.newBuilder().addPaths("display_name").build();

    client.datasets().update(Dataset.newBuilder().setName("clouds").setDisplayName("Clouds").build(), mask);

    assertThat(fake.updates).singleElement().satisfies(update -> {
      assertThat(update.getDataset().getName()).isEqualTo("datasets/clouds");
      assertThat(update.getUpdateMask()).isEqualTo(mask);
    });
  }

  @Test
  void importCsv_sendsTheAbsolutePathOfTheCsv() {
    fake.importOperation = Ops.running("operations/i1", 0);
    operations.script("operations/i1", Ops.running("operations/i1", 0));

    client.datasets().importCsv("clouds", Path.of("data/../data/clouds.csv"));

    String expected = Path.of("data/clouds.csv").toAbsolutePath().toString();
    assertThat(fake.imports).singleElement().satisfies(request -> {
      assertThat(request.getName()).isEqualTo("datasets/clouds");
      assertThat(request.getInputConfig().getCsvUri()).isEqualTo(expected);
      assertThat(Path.of(request.getInputConfig().getCsvUri())).isAbsolute();
    });
  }

  @Test
  void importCsvContent_sendsTheBytesAndTheBaseUri() {
    fake.importOperation = Ops.succeeded("operations/i2", ImportDataResponse.getDefaultInstance());
    byte[] csv = "TRAIN,img/a.jpg,cirrus\n".getBytes(UTF_8);

    client.datasets().importCsvContent("datasets/clouds", csv, "/srv/images");

    assertThat(fake.imports).singleElement().extracting(r -> r.getInputConfig()).isEqualTo(InputConfig.newBuilder()
        .setCsvContent(ByteString.copyFrom(csv)).setBaseUri("/srv/images").build());
  }

  @Test
  void exportData_sendsTheDatasetAndFolder_andFollowsTheOperationToItsResponse() {
    ExportDataResponse response = ExportDataResponse.newBuilder().setOutputUri("/srv/exports/clouds")
        .setCsvUri("/srv/exports/clouds/image_classification_1.csv").setExportedCount(12).build();
    fake.exportOperation = Ops.running("operations/e1", 0);
    operations.script("operations/e1", Ops.running("operations/e1", 50), Ops.succeeded("operations/e1", response));

    OperationFuture<ExportDataResponse> export = client.datasets().exportData("clouds", "/srv/exports/clouds");

    assertThat(export.await()).isEqualTo(response);
    assertThat(fake.exports).singleElement().isEqualTo(ExportDataRequest.newBuilder().setName("datasets/clouds")
        .setOutputConfig(OutputConfig.newBuilder().setOutputUri("/srv/exports/clouds")).build());
  }

  @Test
  void delete_operationDoneWithoutAResponse_completesWithEmpty() {
    fake.deleteOperation = Operation.newBuilder().setName("operations/d1").setDone(true).build();

    assertThat(client.datasets().delete("clouds").await()).isEqualTo(Empty.getDefaultInstance());
  }

  @Test
  void readImage_assemblesTheChunksInOrder() {
    fake.imageChunks = List.of(firstChunk(9, "abc"), chunk("def"), chunk("ghi"));

    assertThat(client.datasets().readImage(EXAMPLE)).asString(UTF_8).isEqualTo("abcdefghi");
  }

  @Test
  void readImage_intoAStream_returnsTheMimeTypeAndSize() {
    fake.imageChunks = List.of(firstChunk(9, "abc"), chunk("def"), chunk("ghi"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    ImageInfo info = client.datasets().readImage(EXAMPLE, out);

    assertThat(info).isEqualTo(new ImageInfo("image/png", 9));
    assertThat(out.toString(UTF_8)).isEqualTo("abcdefghi");
  }

  @Test
  void readImage_fewerBytesThanAnnounced_throwsDataLoss() {
    fake.imageChunks = List.of(firstChunk(10, "abc"), chunk("def"), chunk("ghi"));

    assertThatThrownBy(() -> client.datasets().readImage(EXAMPLE))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DATA_LOSS);
          assertThat(e.getStatus().getDescription()).contains("received 9 bytes").contains("announced as 10");
        });
  }

  @Test
  void readImage_moreBytesThanAnnounced_throwsDataLoss() {
    fake.imageChunks = List.of(firstChunk(5, "abc"), chunk("def"), chunk("ghi"));

    assertThatThrownBy(() -> client.datasets().readImage(EXAMPLE))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DATA_LOSS));
  }

  @Test
  void readImage_notAnExampleName_throwsIllegalArgumentException() {
    assertThatThrownBy(() -> client.datasets().readImage("datasets/clouds"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected: a name like 'datasets/clouds/examples/{sha256}'");
  }

  @Test
  void getAsync_completesWithTheDataset() throws Exception {
    assertThat(client.datasets().getAsync("clouds").get(5, SECONDS).getExampleCount()).isEqualTo(42);
  }

  @Test
  void getAsync_failedCall_completesWithTheStatusAndItsDetails() {
    CompletableFuture<Dataset> future = client.datasets().getAsync("nope");

    assertThatThrownBy(() -> future.get(5, SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
          assertThat(StatusProto.fromThrowable(e).getDetails(0).is(ResourceInfo.class)).isTrue();
        });
  }

  @Test
  void asyncFuture_cancelled_cancelsTheCallOnTheServer() throws Exception {
    CompletableFuture<Dataset> future = client.datasets().getAsync(FakeDatasetService.SLOW);
    assertThat(fake.slowCallStarted.await(5, SECONDS)).isTrue();

    future.cancel(true);

    assertThat(fake.slowCallCancelled.await(5, SECONDS)).as("server saw the call cancelled").isTrue();
  }

  @Test
  void statsAsync_completesWithTheStats() throws Exception {
    fake.stats = DatasetStats.newBuilder().setDataset("datasets/clouds").setExampleCount(7).build();

    assertThat(client.datasets().statsAsync("clouds").get(5, SECONDS).getExampleCount()).isEqualTo(7);
    assertThat(fake.statsRequests).singleElement().extracting(r -> r.getDataset()).isEqualTo("datasets/clouds");
  }

  @Test
  void importDataAsync_completesWithAnOperationFutureThatFollowsTheImport() throws Exception {
    ImportDataResponse response = ImportDataResponse.newBuilder().setImportedCount(3).build();
    fake.importOperation = Ops.running("operations/i3", 0);
    operations.script("operations/i3", Ops.running("operations/i3", 60), Ops.succeeded("operations/i3", response));

    OperationFuture<ImportDataResponse> operation = client.datasets()
        .importDataAsync("clouds", InputConfig.newBuilder().setCsvUri("/data/clouds.csv").build())
        .get(5, SECONDS);

    assertThat(operation.name()).isEqualTo("operations/i3");
    assertThat(operation.get(5, SECONDS)).isEqualTo(response);
  }

  @Test
  void deleteExampleAsync_completesWithNull() throws Exception {
    assertThat(client.datasets().deleteExampleAsync(Names.example("clouds", SHA)).get(5, SECONDS)).isNull();
    assertThat(fake.deletedExamples).containsExactly(EXAMPLE);
  }
}
