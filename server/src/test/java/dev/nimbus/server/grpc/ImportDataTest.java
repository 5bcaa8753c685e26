package dev.nimbus.server.grpc;

import static dev.nimbus.server.testing.Statuses.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.longrunning.Operation;
import com.google.protobuf.ByteString;
import com.google.rpc.ErrorInfo;
import dev.nimbus.server.storage.BlobStore;
import dev.nimbus.server.testing.InProcessNimbus;
import dev.nimbus.server.testing.Statuses;
import dev.nimbus.server.testing.TestImages;
import dev.nimbus.v1.ClassificationType;
import dev.nimbus.v1.CreateDatasetRequest;
import dev.nimbus.v1.Dataset;
import dev.nimbus.v1.DatasetStats;
import dev.nimbus.v1.DeleteDatasetRequest;
import dev.nimbus.v1.Example;
import dev.nimbus.v1.GetDatasetRequest;
import dev.nimbus.v1.GetDatasetStatsRequest;
import dev.nimbus.v1.ImportDataRequest;
import dev.nimbus.v1.ImportDataResponse;
import dev.nimbus.v1.InputConfig;
import dev.nimbus.v1.ListExamplesRequest;
import dev.nimbus.v1.ListExamplesResponse;
import dev.nimbus.v1.MlUse;
import dev.nimbus.v1.MlUseSource;
import dev.nimbus.v1.OperationMetadata;
import dev.nimbus.v1.ReadExampleImageRequest;
import dev.nimbus.v1.ReadExampleImageResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportDataTest {
  @TempDir Path tmp;
  InProcessNimbus nimbus;
  Path images;

  @BeforeEach
  void setUp() {
    nimbus = new InProcessNimbus(tmp.resolve("data"));
    images = tmp.resolve("images");
  }

  @AfterEach
  void tearDown() {
    nimbus.close();
  }

  private Dataset create(String id, ClassificationType type) {
    return nimbus.datasets.createDataset(CreateDatasetRequest.newBuilder().setDatasetId(id)
        .setDataset(Dataset.newBuilder().setClassificationType(type)).build());
  }

  private Path csv(String name, String content) {
    return TestImages.write(images.resolve(name), content.getBytes(StandardCharsets.UTF_8));
  }

  private Operation importCsv(String dataset, Path csv) {
    return nimbus.datasets.importData(ImportDataRequest.newBuilder().setName("datasets/" + dataset)
        .setInputConfig(InputConfig.newBuilder().setCsvUri(csv.toString())).build());
  }

  private static ImportDataResponse response(Operation op) throws Exception {
    assertThat(op.hasError()).as("operation error: %s", op.getError()).isFalse();
    return op.getResponse().unpack(ImportDataResponse.class);
  }

  private static Map<Long, String> failuresByRow(Operation op) {
    return InProcessNimbus.metadata(op).getPartialFailuresList().stream().collect(Collectors.toMap(s -> {
      try {
        ErrorInfo info = s.getDetails(0).unpack(ErrorInfo.class);
        return Long.parseLong(info.getMetadataOrThrow("row"));
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }, s -> s.getMessage()));
  }

  private static String reasonOf(com.google.rpc.Status s) throws Exception {
    return s.getDetails(0).unpack(ErrorInfo.class).getReason();
  }

  @Test
  void importData_labCsv_importsEveryRowWithItsSplitAndLabel() throws Exception {
    create("clouds", ClassificationType.MULTICLASS);
    StringBuilder rows = new StringBuilder();
    String[] labels = {"cirrus", "cumulus", "cumulonimbus"};
    for (int i = 0; i < 30; i++) {
      TestImages.write(images.resolve("img/" + i + ".jpg"), TestImages.jpeg(64, 48, i));
      String set = i < 3 ? "TEST," : i < 6 ? "validation," : i < 12 ? "Train," : "";
      rows.append(set).append("img/").append(i).append(".jpg,").append(labels[i % 3]).append("\r\n");
    }
    Operation op = nimbus.await(importCsv("clouds", csv("clouds.csv", "\uFEFF" + rows)));

    ImportDataResponse r = response(op);
    assertThat(r.getImportedCount()).isEqualTo(30);
    assertThat(r.getFailedCount()).isZero();
    assertThat(r.getSplitCounts().getUnassigned()).isZero();
    assertThat(r.getSplitCounts().getTrain() + r.getSplitCounts().getValidation() + r.getSplitCounts().getTest())
        .isEqualTo(30);
    OperationMetadata m = InProcessNimbus.metadata(op);
    assertThat(m.getState()).isEqualTo(OperationMetadata.State.SUCCEEDED);
    assertThat(m.getProgressPercent()).isEqualTo(100.0);
    assertThat(m.getImportDataDetails().getTotalRowCount()).isEqualTo(30);

    List<Example> all = listAll("clouds", "");
    assertThat(all).hasSize(30);
    Example first = all.get(0);
    assertThat(first.getMlUse()).isEqualTo(MlUse.TEST);
    assertThat(first.getMlUseSource()).isEqualTo(MlUseSource.FROM_CSV);
    assertThat(first.getLabelsList()).containsExactly("cirrus");
    assertThat(first.getMimeType()).isEqualTo("image/jpeg");
    assertThat(first.getWidth()).isEqualTo(64);
    assertThat(first.getHeight()).isEqualTo(48);
    assertThat(all.get(3).getMlUse()).isEqualTo(MlUse.VALIDATION);
    assertThat(all.get(6).getMlUse()).isEqualTo(MlUse.TRAIN);
    assertThat(all.get(20).getMlUseSource()).isEqualTo(MlUseSource.AUTOMATIC);

    byte[] original = Files.readAllBytes(images.resolve("img/0.jpg"));
    assertThat(readImage(first.getName())).isEqualTo(original);
    assertThat(first.getContentSha256()).isEqualTo(BlobStore.sha256Hex(original));

    DatasetStats stats = nimbus.datasets.getDatasetStats(GetDatasetStatsRequest.newBuilder()
        .setDataset("datasets/clouds").build());
    assertThat(stats.getExampleCount()).isEqualTo(30);
    assertThat(stats.getLabelsList()).extracting(l -> l.getDisplayName() + "=" + l.getExampleCount())
        .containsExactlyInAnyOrder("cirrus=10", "cumulus=10", "cumulonimbus=10");
  }

  @Test
  void importData_badRows_areReportedWithRowUriAndReason_andGoodRowsCommitted() throws Exception {
    create("mixed", ClassificationType.MULTICLASS);
    TestImages.write(images.resolve("good1.jpg"), TestImages.jpeg(32, 32, 1));
    TestImages.write(images.resolve("good2.png"), TestImages.png(32, 32, 2));
    TestImages.write(images.resolve("empty.jpg"), new byte[0]);
    byte[] jpeg = TestImages.jpeg(200, 200, 3);
    TestImages.write(images.resolve("truncated.jpg"), Arrays.copyOf(jpeg, jpeg.length * 6 / 10));
    TestImages.write(images.resolve("text.jpg"), "hello, I am not an image".getBytes(StandardCharsets.UTF_8));
    try (RandomAccessFile f = new RandomAccessFile(images.resolve("huge.jpg").toFile(), "rw")) {
      f.setLength(31L * 1024 * 1024);
    }
    TestImages.write(images.resolve("bomb.png"), pngHeader(100_000, 100_000));
    Files.createDirectories(tmp.resolve("outside"));
    TestImages.write(tmp.resolve("outside/secret.jpg"), TestImages.jpeg(16, 16, 9));
    Files.createSymbolicLink(images.resolve("escape.jpg"), tmp.resolve("outside/secret.jpg"));
    String content = String.join("\n",
        "good1.jpg,cat",                   // 1
        "good2.png,dog",                   // 2
        "missing.jpg,cat",                 // 3
        "../../etc/passwd,cat",            // 4
        "escape.jpg,cat",                  // 5
        "empty.jpg,cat",                   // 6
        "truncated.jpg,cat",               // 7
        "text.jpg,cat",                    // 8
        "bomb.png,cat",                    // 9
        "huge.jpg,cat",                    // 10
        "good1.jpg",                       // 11 too few fields
        "good1.jpg,cat,dog",               // 12 two labels on MULTICLASS
        "good1.jpg,bad-label!",            // 13 invalid label
        "gs://bucket/a.jpg,cat",           // 14
        "s3://bucket/a.jpg,cat",           // 15
        "good1.jpg,dog",                   // 16 conflict: already cat
        "good1.jpg,cat",                   // 17 duplicate
        "http://example.com/a.jpg,cat",    // 18 http disabled
        "TEST,good2.png,dog",              // 19 explicit split overrides the automatic one
        "TRAIN,good2.png,dog",             // 20 conflict: already TEST from the CSV
        "\"good1.jpg\",\"cat\"");          // 21 quoted duplicate
    Operation op = nimbus.await(importCsv("mixed", csv("mixed.csv", content)));

    ImportDataResponse r = response(op);
    assertThat(r.getTotalRowCount()).isEqualTo(21);
    assertThat(r.getImportedCount()).isEqualTo(2);
    assertThat(r.getDuplicateCount()).isEqualTo(3);
    assertThat(r.getFailedCount()).isEqualTo(16);
    OperationMetadata m = InProcessNimbus.metadata(op);
    assertThat(m.getPartialFailureCount()).isEqualTo(16);
    Map<Long, String> failures = failuresByRow(op);
    assertThat(failures).containsOnlyKeys(3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L, 18L, 20L);
    assertThat(failures.get(3L)).startsWith("row 3 (missing.jpg): file not found");
    assertThat(failures.get(4L)).contains("outside the allowed import roots");
    assertThat(failures.get(5L)).contains("symbolic link");
    assertThat(failures.get(6L)).contains("empty");
    assertThat(failures.get(7L)).containsIgnoringCase("truncated");
    assertThat(failures.get(8L)).contains("not a supported image");
    assertThat(failures.get(9L)).contains("100000x100000");
    assertThat(failures.get(10L)).contains("31.0 MB").contains("30.0 MB");
    assertThat(failures.get(11L)).contains("too few fields");
    assertThat(failures.get(12L)).contains("MULTICLASS");
    assertThat(failures.get(13L)).contains("bad-label!");
    assertThat(failures.get(14L)).contains("bucket 'bucket' is not mapped on this server");
    assertThat(failures.get(15L)).contains("s3:// URIs are not supported yet");
    assertThat(failures.get(16L)).contains("already in the dataset labeled 'cat'");
    assertThat(failures.get(18L)).contains("disabled");
    assertThat(failures.get(20L)).contains("already in TEST");
    com.google.rpc.Status missing = m.getPartialFailuresList().get(0);
    assertThat(missing.getCode()).isEqualTo(Status.Code.NOT_FOUND.value());
    assertThat(reasonOf(missing)).isEqualTo("FILE_NOT_FOUND");
    ErrorInfo info = missing.getDetails(0).unpack(ErrorInfo.class);
    assertThat(info.getMetadataMap()).containsEntry("row", "3").containsEntry("uri", "missing.jpg");

    List<Example> all = listAll("mixed", "");
    assertThat(all).extracting(e -> e.getLabels(0)).containsExactly("cat", "dog");
    assertThat(all.get(1).getMlUse()).isEqualTo(MlUse.TEST);
    assertThat(all.get(1).getMlUseSource()).isEqualTo(MlUseSource.FROM_CSV);
  }

  @Test
  void importData_multilabel_addsLabelsToTheSameImage() throws Exception {
    create("tags", ClassificationType.MULTILABEL);
    TestImages.write(images.resolve("a.jpg"), TestImages.jpeg(20, 20, 1));
    TestImages.write(images.resolve("copy-of-a.jpg"), TestImages.jpeg(20, 20, 1));
    Operation op = nimbus.await(importCsv("tags", csv("t.csv", "a.jpg,sky,cloud\ncopy-of-a.jpg,blue\na.jpg,sky\n")));
    ImportDataResponse r = response(op);
    assertThat(r.getImportedCount()).isEqualTo(1);
    assertThat(r.getLabelsAddedCount()).isEqualTo(1);
    assertThat(r.getDuplicateCount()).isEqualTo(1);
    List<Example> all = listAll("tags", "");
    assertThat(all).hasSize(1);
    assertThat(all.get(0).getLabelsList()).containsExactly("blue", "cloud", "sky");
    assertThat(all.get(0).getSourceUri()).isEqualTo("a.jpg");
  }

  @Test
  void importData_sameImageInTwoDatasets_isStoredOnceAndSurvivesDeletingOne() throws Exception {
    create("one", ClassificationType.MULTICLASS);
    create("two", ClassificationType.MULTICLASS);
    TestImages.write(images.resolve("a.jpg"), TestImages.jpeg(20, 20, 1));
    TestImages.write(images.resolve("b.jpg"), TestImages.jpeg(20, 20, 2));
    Path c = csv("a.csv", "a.jpg,x\nb.jpg,y\n");
    nimbus.await(importCsv("one", c));
    nimbus.await(importCsv("two", csv("b.csv", "a.jpg,x\n")));
    Path blobs = tmp.resolve("data/blobs");
    assertThat(countBlobs(blobs)).isEqualTo(2);

    Operation del = nimbus.await(nimbus.datasets.deleteDataset(
        DeleteDatasetRequest.newBuilder().setName("datasets/one").build()));
    assertThat(del.hasError()).isFalse();
    assertThat(countBlobs(blobs)).as("a.jpg is still used by dataset two").isEqualTo(1);
    List<Example> two = listAll("two", "");
    assertThat(readImage(two.get(0).getName())).isEqualTo(Files.readAllBytes(images.resolve("a.jpg")));
    assertFails(Status.Code.NOT_FOUND, "datasets/one", () -> nimbus.datasets.getDataset(
        GetDatasetRequest.newBuilder().setName("datasets/one").build()));
  }

  @Test
  void importData_unknownDataset_isNotFound() {
    Path c = csv("a.csv", "a.jpg,x\n");
    assertFails(Status.Code.NOT_FOUND, "datasets/nope", () -> importCsv("nope", c));
  }

  @Test
  void importData_binaryGarbage_isInvalidArgument_andServerKeepsServing() {
    create("d", ClassificationType.MULTICLASS);
    byte[] garbage = new byte[4096];
    new Random(1).nextBytes(garbage);
    for (ByteString content : List.of(ByteString.copyFrom(garbage), ByteString.copyFrom(TestImages.jpeg(64, 64, 1)))) {
      assertFails(Status.Code.INVALID_ARGUMENT, "not", () -> nimbus.datasets.importData(ImportDataRequest.newBuilder()
          .setName("datasets/d").setInputConfig(InputConfig.newBuilder().setCsvContent(content)).build()));
    }
    assertThat(nimbus.datasets.getDataset(GetDatasetRequest.newBuilder().setName("datasets/d").build())
        .getName()).isEqualTo("datasets/d");
  }

  @Test
  void importData_uploadedCsvWithBaseUri_resolvesRelativePaths() throws Exception {
    create("d", ClassificationType.MULTICLASS);
    TestImages.write(images.resolve("a.jpg"), TestImages.jpeg(20, 20, 1));
    Operation op = nimbus.await(nimbus.datasets.importData(ImportDataRequest.newBuilder().setName("datasets/d")
        .setInputConfig(InputConfig.newBuilder()
            .setCsvContent(ByteString.copyFromUtf8("uri,label\na.jpg,x\n" + images.resolve("a.jpg") + ",x\n"))
            .setBaseUri(images.toString()))
        .build()));
    ImportDataResponse r = response(op);
    assertThat(r.getTotalRowCount()).as("the header row is skipped").isEqualTo(2);
    assertThat(r.getImportedCount()).isEqualTo(1);
    assertThat(r.getDuplicateCount()).isEqualTo(1);
  }

  @Test
  void importData_uploadedCsvWithoutBaseUri_failsRelativeRows() throws Exception {
    create("d", ClassificationType.MULTICLASS);
    Operation op = nimbus.await(nimbus.datasets.importData(ImportDataRequest.newBuilder().setName("datasets/d")
        .setInputConfig(InputConfig.newBuilder().setCsvContent(ByteString.copyFromUtf8("a.jpg,x\n"))).build()));
    assertThat(response(op).getFailedCount()).isEqualTo(1);
    assertThat(failuresByRow(op).get(1L)).contains("base_uri");
  }

  @Test
  void importData_csvUriThatIsNotACsvFile_isInvalidArgument() {
    create("d", ClassificationType.MULTICLASS);
    Path passwdLike = TestImages.write(images.resolve("accounts"), "root:x:0:0:root:/root:/bin/bash\n".getBytes(StandardCharsets.UTF_8));
    assertFails(Status.Code.INVALID_ARGUMENT, "is not a .csv", () -> importCsv("d", passwdLike));
    assertFails(Status.Code.INVALID_ARGUMENT, "file not found", () -> importCsv("d", images.resolve("missing.csv")));
    assertFails(Status.Code.INVALID_ARGUMENT, "relative", () -> nimbus.datasets.importData(ImportDataRequest.newBuilder()
        .setName("datasets/d").setInputConfig(InputConfig.newBuilder().setCsvUri("labels.csv")).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "s3:// is not supported yet", () -> nimbus.datasets.importData(
        ImportDataRequest.newBuilder().setName("datasets/d")
            .setInputConfig(InputConfig.newBuilder().setCsvUri("s3://bucket/labels.csv")).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "csv_uri", () -> nimbus.datasets.importData(ImportDataRequest.newBuilder()
        .setName("datasets/d").build()));
  }

  @Test
  void importData_configuredRootsConfineTheCsvAndItsImages() throws Exception {
    nimbus.close();
    Path allowed = Files.createDirectories(tmp.resolve("allowed"));
    nimbus = new InProcessNimbus(tmp.resolve("data2"), Map.of("import-roots", allowed.toString()));
    create("d", ClassificationType.MULTICLASS);
    TestImages.write(allowed.resolve("a.jpg"), TestImages.jpeg(16, 16, 1));
    TestImages.write(images.resolve("b.jpg"), TestImages.jpeg(16, 16, 2));
    Path outsideCsv = csv("outside.csv", "a.jpg,x\n");
    assertFails(Status.Code.INVALID_ARGUMENT, "outside the allowed import roots", () -> importCsv("d", outsideCsv));
    Path inside = TestImages.write(allowed.resolve("in.csv"),
        ("a.jpg,x\n" + images.resolve("b.jpg") + ",x\n").getBytes(StandardCharsets.UTF_8));
    Operation op = nimbus.await(importCsv("d", inside));
    assertThat(response(op).getImportedCount()).isEqualTo(1);
    assertThat(failuresByRow(op).get(2L)).contains("outside the allowed import roots");
  }

  /**
   * A server that imports only from its import root, with a bucket mapped to a folder elsewhere, as an AutoML user
   * would run it: the bucket's CSV and its rows (gs:// and relative) import; the bucket's folder counts as a root.
   */
  @Test
  void importData_gsCsvWithGsRows_throughABucketMapping() throws Exception {
    nimbus.close();
    Path allowed = Files.createDirectories(tmp.resolve("allowed"));
    Path bucket = Files.createDirectories(tmp.resolve("buckets/clouds-lab"));
    nimbus = new InProcessNimbus(tmp.resolve("data2"), Map.of("host", "0.0.0.0", "import-roots", allowed.toString(),
        "gcs-buckets", "clouds-lab=" + bucket));
    create("clouds", ClassificationType.MULTICLASS);
    String[] labels = {"cirrus", "cumulus", "cumulonimbus"};
    StringBuilder rows = new StringBuilder();
    for (int i = 0; i < 9; i++) {
      String object = "clouds/" + labels[i % 3] + "/" + i + ".jpg";
      TestImages.write(bucket.resolve(object), TestImages.jpeg(32, 24, 100 + i));
      // AutoML's form, and a path relative to the CSV's folder in the bucket, as for a local CSV.
      rows.append(i < 3 ? "TEST," : "").append(i % 2 == 0 ? "gs://clouds-lab/" + object : "../" + object)
          .append(',').append(labels[i % 3]).append('\n');
    }
    rows.append("gs://clouds-lab/clouds/missing.jpg,cirrus\n")        // 10
        .append("gs://clouds-lab/../outside/secret.jpg,cirrus\n")     // 11
        .append("gs://other-bucket/a.jpg,cirrus\n");                  // 12
    TestImages.write(bucket.resolve("csv/all_data.csv"), rows.toString().getBytes(StandardCharsets.UTF_8));

    Operation op = nimbus.await(nimbus.datasets.importData(ImportDataRequest.newBuilder().setName("datasets/clouds")
        .setInputConfig(InputConfig.newBuilder().setCsvUri("gs://clouds-lab/csv/all_data.csv")).build()));
    ImportDataResponse r = response(op);
    assertThat(r.getTotalRowCount()).isEqualTo(12);
    assertThat(r.getImportedCount()).isEqualTo(9);
    assertThat(r.getFailedCount()).isEqualTo(3);
    assertThat(r.getSplitCounts().getTest()).isGreaterThanOrEqualTo(3);
    Map<Long, String> failures = failuresByRow(op);
    assertThat(failures).containsOnlyKeys(10L, 11L, 12L);
    assertThat(failures.get(10L)).contains("file not found");
    assertThat(failures.get(11L)).contains("'..' segment, which could lead outside the bucket");
    com.google.rpc.Status unmapped = InProcessNimbus.metadata(op).getPartialFailuresList().get(2);
    assertThat(reasonOf(unmapped)).isEqualTo("BUCKET_NOT_MAPPED");
    assertThat(unmapped.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION.value());
    assertThat(unmapped.getMessage()).isEqualTo("row 12 (gs://other-bucket/a.jpg): bucket 'other-bucket' is not"
        + " mapped on this server: copy it to the server (gsutil -m cp -r gs://other-bucket DIR puts it in"
        + " DIR/other-bucket) and start the server with --gcs-bucket other-bucket=DIR/other-bucket (setting"
        + " gcs-buckets); mapped now: clouds-lab");
    assertThat(listAll("clouds", "")).hasSize(9);

    // An uploaded CSV may name the bucket as its base, and a local path inside the bucket is inside a root.
    create("again", ClassificationType.MULTICLASS);
    Operation based = nimbus.await(nimbus.datasets.importData(ImportDataRequest.newBuilder()
        .setName("datasets/again").setInputConfig(InputConfig.newBuilder().setBaseUri("gs://clouds-lab/")
            .setCsvContent(ByteString.copyFromUtf8("clouds/cirrus/0.jpg,cirrus\n" + bucket.resolve("clouds/cumulus/1.jpg")
                + ",cumulus\n"))).build()));
    assertThat(response(based).getImportedCount()).isEqualTo(2);
  }

  @Test
  void importData_gsCsvOfAnUnmappedBucket_isInvalidArgument_withTheAdvice() {
    create("d", ClassificationType.MULTICLASS);
    StatusRuntimeException e = assertFails(Status.Code.INVALID_ARGUMENT, "input_config.csv_uri: bucket 'foo' is not"
        + " mapped on this server: copy it to the server (gsutil -m cp -r gs://foo DIR puts it in DIR/foo) and start"
        + " the server with --gcs-bucket foo=DIR/foo (setting gcs-buckets)", () -> nimbus.datasets.importData(
            ImportDataRequest.newBuilder().setName("datasets/d")
                .setInputConfig(InputConfig.newBuilder().setCsvUri("gs://foo/labels.csv")).build()));
    assertThat(Statuses.badRequest(e).getFieldViolations(0).getField()).isEqualTo("input_config.csv_uri");
    assertFails(Status.Code.INVALID_ARGUMENT, "input_config.base_uri: not a valid gs:// URI", () ->
        nimbus.datasets.importData(ImportDataRequest.newBuilder().setName("datasets/d")
            .setInputConfig(InputConfig.newBuilder().setBaseUri("gs://foo/../x")
                .setCsvContent(ByteString.copyFromUtf8("a.jpg,x\n"))).build()));
  }

  @Test
  void importData_serverReachableFromOtherMachinesWithoutRoots_importsNoLocalFiles() {
    nimbus.close();
    nimbus = new InProcessNimbus(tmp.resolve("data3"), Map.of("host", "0.0.0.0"));
    create("d", ClassificationType.MULTICLASS);
    Path c = csv("a.csv", "a.jpg,x\n");
    assertFails(Status.Code.FAILED_PRECONDITION, "import-roots", () -> importCsv("d", c));
  }

  @Test
  void getOperation_neverReportsDoneWithoutTheResult() {
    create("d", ClassificationType.MULTICLASS);
    TestImages.write(images.resolve("a.jpg"), TestImages.jpeg(16, 16, 1));
    Path c = csv("a.csv", "a.jpg,x\n");
    for (int i = 0; i < 20; i++) {
      Operation op = importCsv("d", c);
      while (!op.getDone()) {
        op = nimbus.get(op.getName());
      }
      assertThat(op.hasResponse() || op.hasError()).as("done operation %s carries its result", op.getName()).isTrue();
      assertThat(InProcessNimbus.metadata(op).getState()).isEqualTo(OperationMetadata.State.SUCCEEDED);
    }
  }

  private List<Example> listAll(String dataset, String filter) {
    List<Example> out = new ArrayList<>();
    String token = "";
    do {
      ListExamplesResponse page = nimbus.datasets.listExamples(ListExamplesRequest.newBuilder()
          .setParent("datasets/" + dataset).setFilter(filter).setPageSize(7).setPageToken(token).build());
      out.addAll(page.getExamplesList());
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return out;
  }

  private byte[] readImage(String name) throws Exception {
    Iterator<ReadExampleImageResponse> it = nimbus.datasets.readExampleImage(
        ReadExampleImageRequest.newBuilder().setName(name).build());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (it.hasNext()) {
      it.next().getData().writeTo(out);
    }
    return out.toByteArray();
  }

  private static long countBlobs(Path blobs) throws Exception {
    try (var s = Files.walk(blobs)) {
      return s.filter(Files::isRegularFile).filter(p -> !p.toString().contains(".tmp")).count();
    }
  }

  /** A PNG signature and a valid IHDR chunk declaring {@code w} x {@code h}, then nothing. */
  static byte[] pngHeader(int w, int h) {
    ByteBuffer ihdr = ByteBuffer.allocate(17);
    ihdr.put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(w).putInt(h)
        .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
    CRC32 crc = new CRC32();
    crc.update(ihdr.array());
    ByteBuffer png = ByteBuffer.allocate(8 + 4 + 17 + 4);
    png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}).putInt(13).put(ihdr.array())
        .putInt((int) crc.getValue());
    return png.array();
  }
}
