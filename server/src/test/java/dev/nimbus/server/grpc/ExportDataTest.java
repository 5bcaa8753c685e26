package dev.nimbus.server.grpc;

import static dev.nimbus.server.testing.Statuses.assertFails;
import static dev.nimbus.server.testing.Statuses.badRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.longrunning.CancelOperationRequest;
import com.google.longrunning.Operation;
import dev.nimbus.server.storage.BlobStore;
import dev.nimbus.server.testing.InProcessNimbus;
import dev.nimbus.server.testing.TestImages;
import dev.nimbus.v1.ClassificationType;
import dev.nimbus.v1.CreateDatasetRequest;
import dev.nimbus.v1.Dataset;
import dev.nimbus.v1.Example;
import dev.nimbus.v1.ExportDataDetails;
import dev.nimbus.v1.ExportDataRequest;
import dev.nimbus.v1.ExportDataResponse;
import dev.nimbus.v1.ImportDataRequest;
import dev.nimbus.v1.ImportDataResponse;
import dev.nimbus.v1.InputConfig;
import dev.nimbus.v1.ListExamplesRequest;
import dev.nimbus.v1.MlUse;
import dev.nimbus.v1.OperationMetadata;
import dev.nimbus.v1.OutputConfig;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ExportData: AutoML's layout, the images' bytes, the CSV ImportData reads back, and the refused requests. */
class ExportDataTest {
  @TempDir Path tmp;
  InProcessNimbus nimbus;
  Path exports;

  @BeforeEach
  void setUp() throws Exception {
    exports = Files.createDirectories(tmp.resolve("exports"));
    nimbus = new InProcessNimbus(tmp.resolve("data"), Map.of("export-roots", exports.toString()));
  }

  @AfterEach
  void tearDown() {
    nimbus.close();
  }

  /** One imported image, as the test wrote it. */
  record Source(byte[] bytes, String ext, MlUse use, List<String> labels) {}

  /** A MULTILABEL dataset of JPEGs and PNGs with explicit splits, some images with two labels. */
  private Map<String, Source> importFlowers(String id, int n) {
    nimbus.datasets.createDataset(CreateDatasetRequest.newBuilder().setDatasetId(id)
        .setDataset(Dataset.newBuilder().setClassificationType(ClassificationType.MULTILABEL)).build());
    MlUse[] uses = {MlUse.TRAIN, MlUse.VALIDATION, MlUse.TEST};
    Map<String, Source> bySha = new HashMap<>();
    StringBuilder csv = new StringBuilder();
    for (int i = 0; i < n; i++) {
      boolean png = i % 2 == 0;
      byte[] bytes = png ? TestImages.png(24, 20, 7000 + i) : TestImages.jpeg(24, 20, 7000 + i);
      Path p = TestImages.write(tmp.resolve("src/" + id + "/" + i + (png ? ".png" : ".jpg")), bytes);
      List<String> labels = i % 3 == 0 ? List.of("daisy", "tulip") : List.of(i % 3 == 1 ? "rose" : "tulip");
      MlUse use = uses[i % 3];
      csv.append(use).append(',').append(p).append(',').append(String.join(",", labels)).append('\n');
      bySha.put(BlobStore.sha256Hex(bytes), new Source(bytes, png ? "png" : "jpg", use, labels));
    }
    Operation op = nimbus.await(nimbus.datasets.importData(ImportDataRequest.newBuilder()
        .setName("datasets/" + id).setInputConfig(InputConfig.newBuilder()
            .setCsvContent(com.google.protobuf.ByteString.copyFromUtf8(csv.toString()))
            .setBaseUri(tmp.resolve("src/" + id).toString())).build()), java.time.Duration.ofMinutes(2));
    assertThat(op.hasError()).as("%s", op.getError()).isFalse();
    assertThat(InProcessNimbus.metadata(op).getImportDataDetails().getImportedCount()).as("%s",
        InProcessNimbus.metadata(op).getPartialFailuresList()).isEqualTo(n);
    return bySha;
  }

  private Operation export(String dataset, Path out, String prefix) {
    return nimbus.datasets.exportData(ExportDataRequest.newBuilder().setName(dataset)
        .setOutputConfig(OutputConfig.newBuilder().setOutputUri(out.toString())).setImageUriPrefix(prefix).build());
  }

  private static ExportDataResponse response(Operation op) throws Exception {
    assertThat(op.hasError()).as("operation error: %s", op.getError()).isFalse();
    return op.getResponse().unpack(ExportDataResponse.class);
  }

  private static List<String> listing(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private Map<String, Example> examples(String dataset) {
    return nimbus.datasets.listExamples(ListExamplesRequest.newBuilder().setParent(dataset).setPageSize(1000)
        .build()).getExamplesList().stream().collect(Collectors.toMap(e -> e.getName()
            .substring(e.getName().lastIndexOf('/') + 1), e -> e));
  }

  @Test
  void exportData_writesAutoMlLayout_withTheImagesBytesAndOneRowPerExample() throws Exception {
    Map<String, Source> sources = importFlowers("flowers", 12);
    Path out = exports.resolve("flowers-export");
    Operation op = nimbus.await(export("datasets/flowers", out, ""));

    ExportDataResponse r = response(op);
    assertThat(r.getOutputUri()).isEqualTo(out.toString());
    assertThat(r.getCsvUri()).isEqualTo(out.resolve("image_classification_1.csv").toString());
    assertThat(r.getExportedCount()).isEqualTo(12);
    OperationMetadata m = InProcessNimbus.metadata(op);
    assertThat(m.getKind()).isEqualTo(OperationMetadata.Kind.EXPORT_DATA);
    assertThat(m.getProgressPercent()).isEqualTo(100.0);
    assertThat(m.getExportDataDetails()).isEqualTo(ExportDataDetails.newBuilder().setOutputUri(out.toString())
        .setExportedCount(12).setTotalCount(12).build());
    assertThat(listing(out)).containsExactly("image_classification_1.csv", "images");
    assertThat(listing(exports)).as("no partial folder is left beside the export").containsExactly("flowers-export");

    List<String> rows = Files.readAllLines(out.resolve("image_classification_1.csv"));
    assertThat(rows).hasSize(12);
    for (String row : rows) {
      String[] f = row.split(",");
      String file = f[1];
      assertThat(file).matches("images/[0-9a-f]{64}\\.(png|jpg)");
      String sha = file.substring("images/".length(), file.lastIndexOf('.'));
      Source s = sources.get(sha);
      assertThat(s).as("row %s names an imported image", row).isNotNull();
      assertThat(f[0]).isEqualTo(s.use().name());
      assertThat(file).endsWith("." + s.ext());
      assertThat(List.of(f).subList(2, f.length)).as("labels of %s", row).containsExactlyElementsOf(s.labels());
      assertThat(Files.readAllBytes(out.resolve(file))).isEqualTo(s.bytes());
    }
    assertThat(listing(out.resolve("images"))).hasSize(12);
    assertThat(rows).anySatisfy(row -> assertThat(row).endsWith(",daisy,tulip"));
  }

  @Test
  void exportData_thenImportTheCsv_givesTheSameExamplesLabelsAndSplits() throws Exception {
    importFlowers("flowers", 9);
    ExportDataResponse r = response(nimbus.await(export("datasets/flowers", exports.resolve("copy"), "")));
    nimbus.datasets.createDataset(CreateDatasetRequest.newBuilder().setDatasetId("again")
        .setDataset(Dataset.newBuilder().setClassificationType(ClassificationType.MULTILABEL)).build());
    Operation imported = nimbus.await(nimbus.datasets.importData(ImportDataRequest.newBuilder()
        .setName("datasets/again").setInputConfig(InputConfig.newBuilder().setCsvUri(r.getCsvUri())).build()));
    assertThat(imported.hasError()).as("%s", imported.getError()).isFalse();
    ImportDataResponse ir = imported.getResponse().unpack(ImportDataResponse.class);
    assertThat(ir.getImportedCount()).isEqualTo(9);
    assertThat(ir.getFailedCount()).isZero();

    Map<String, Example> before = examples("datasets/flowers");
    Map<String, Example> after = examples("datasets/again");
    assertThat(after.keySet()).isEqualTo(before.keySet());
    for (String sha : before.keySet()) {
      assertThat(after.get(sha).getLabelsList()).isEqualTo(before.get(sha).getLabelsList());
      assertThat(after.get(sha).getMlUse()).isEqualTo(before.get(sha).getMlUse());
    }
  }

  @Test
  void exportData_withImageUriPrefix_writesThePrefixedUris_andAnEmptyFolderIsAccepted() throws Exception {
    importFlowers("flowers", 3);
    Path out = Files.createDirectories(exports.resolve("empty"));
    response(nimbus.await(export("datasets/flowers", out, "gs://bucket/flowers/")));
    assertThat(Files.readAllLines(out.resolve("image_classification_1.csv")))
        .hasSize(3).allSatisfy(row -> assertThat(row).matches("(TRAIN|VALIDATION|TEST),gs://bucket/flowers/images/"
            + "[0-9a-f]{64}\\.(png|jpg),.+"));
  }

  @Test
  void exportData_refusesOutputsItMustNotWrite_andBadPrefixes() throws Exception {
    importFlowers("flowers", 1);
    Path full = Files.createDirectories(exports.resolve("full"));
    Files.writeString(full.resolve("keep.txt"), "mine");
    assertFails(Status.Code.ALREADY_EXISTS, "never overwrites", () -> export("datasets/flowers", full, ""));
    assertThat(Files.readString(full.resolve("keep.txt"))).isEqualTo("mine");
    assertThat(badRequest(assertFails(Status.Code.INVALID_ARGUMENT, "outside the export roots",
        () -> export("datasets/flowers", tmp.resolve("elsewhere"), ""))).getFieldViolations(0).getField())
        .isEqualTo("output_config.output_uri");
    assertFails(Status.Code.INVALID_ARGUMENT, "does not exist",
        () -> export("datasets/flowers", exports.resolve("no/such/parent"), ""));
    assertFails(Status.Code.INVALID_ARGUMENT, "output_config", () -> nimbus.datasets.exportData(
        ExportDataRequest.newBuilder().setName("datasets/flowers").build()));
    assertThat(badRequest(assertFails(Status.Code.INVALID_ARGUMENT, "must end with '/'",
        () -> export("datasets/flowers", exports.resolve("p"), "gs://bucket/x"))).getFieldViolations(0).getField())
        .isEqualTo("image_uri_prefix");
    assertFails(Status.Code.NOT_FOUND, "datasets/nope does not exist",
        () -> export("datasets/nope", exports.resolve("nope"), ""));
    assertThat(listing(exports)).containsExactly("full");
  }

  @Test
  void exportData_cancelled_leavesNothingBehind() throws Exception {
    importFlowers("many", 300);
    Path out = exports.resolve("cancelled");
    Operation op = export("datasets/many", out, "");
    nimbus.operations.cancelOperation(CancelOperationRequest.newBuilder().setName(op.getName()).build());
    Operation done = nimbus.await(op);
    assumeTrue(done.hasError(), "the export of 300 images finished before the cancel arrived");
    assertThat(done.getError().getCode()).isEqualTo(com.google.rpc.Code.CANCELLED_VALUE);
    assertThat(InProcessNimbus.metadata(done).getState()).isEqualTo(OperationMetadata.State.CANCELLED);
    assertThat(listing(exports)).as("neither the output nor a partial folder").isEmpty();
  }
}
