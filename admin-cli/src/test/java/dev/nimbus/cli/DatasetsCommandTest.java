package dev.nimbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nimbus.v1.DatasetStats;
import dev.nimbus.v1.Example;
import dev.nimbus.v1.ListDatasetsResponse;
import dev.nimbus.v1.ListExamplesResponse;
import dev.nimbus.v1.MlUse;
import dev.nimbus.v1.MlUseSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The import step of the AutoML Vision lab, walked through the CLI against a real server: create the dataset,
 * import a CSV whose rows carry TRAIN, VALIDATION, TEST or no split, read the label statistics, list examples by
 * label and split, download them, and read the dataset back.
 */
class DatasetsCommandTest {
  private static final List<String> LABELS = List.of("cirrus", "cumulus");

  @TempDir
  static Path tmp;

  private static TestServer server;
  /** SHA-256 of each image file written, to the bytes written. */
  private static final Map<String, byte[]> written = new HashMap<>();
  private static Path csv;

  @BeforeAll
  static void startServerAndWriteLabData() throws IOException {
    server = TestServer.start(tmp.resolve("data"));
    // Per label: three TRAIN, one VALIDATION, one TEST, one with an empty ML_USE column and one with none.
    List<String> rows = new ArrayList<>(List.of("set,image,label"));
    int seed = 0;
    for (String label : LABELS) {
      String[] splits = {"TRAIN", "TRAIN", "TRAIN", "VALIDATION", "TEST", "", null};
      for (String split : splits) {
        String file = "images/" + label + "_" + seed + (seed % 2 == 0 ? ".png" : ".jpg");
        byte[] bytes = Images.write(tmp.resolve("lab").resolve(file), seed++);
        written.put(Images.sha256(bytes), bytes);
        rows.add(split == null ? file + "," + label : split + "," + file + "," + label);
      }
    }
    csv = tmp.resolve("lab").resolve("clouds.csv");
    Files.write(csv, rows, StandardCharsets.UTF_8);
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  private static Cli.Result nimbus(String... args) {
    return Cli.run(Stream.concat(Stream.of(args), Stream.of("--target", server.target())).toArray(String[]::new));
  }

  @Test
  void labImportStep_createImportStatsExamplesDownloadGet() throws Exception {
    Cli.Result created = nimbus("datasets", "create", "clouds", "--display-name", "Cloud types");
    assertThat(created.exitCode()).as(created.toString()).isZero();
    assertThat(created.out()).isEqualTo("Created datasets/clouds (MULTICLASS)\n");

    // Path mode: the server reads the CSV itself and resolves the images against the CSV's folder.
    Cli.Result imported = nimbus("datasets", "import", "clouds", csv.toString());
    assertThat(imported.exitCode()).as(imported.toString()).isZero();
    assertThat(imported.out())
        .startsWith("Imported " + csv + " into datasets/clouds (operations/")
        .containsPattern("(?m)^rows:\\s+14$")
        .containsPattern("(?m)^imported:\\s+14$")
        .containsPattern("(?m)^duplicates:\\s+0$")
        .containsPattern("(?m)^failed:\\s+0$")
        .doesNotContain("rows failed");
    assertThat(imported.err()).isEmpty();

    Cli.Result stats = nimbus("datasets", "stats", "clouds");
    assertThat(stats.exitCode()).as(stats.toString()).isZero();
    List<String> lines = stats.outLines();
    assertThat(lines.get(0)).matches("LABEL\\s+IMAGES\\s+TRAIN\\s+VALIDATION\\s+TEST");
    // Each label has 7 images: its 3 TRAIN, 1 VALIDATION and 1 TEST rows plus 2 split automatically.
    for (String label : LABELS) {
      String row = lines.stream().filter(l -> l.startsWith(label + " ")).findFirst().orElseThrow();
      long[] n = numbers(row);
      assertThat(n[0]).as(row).isEqualTo(7);
      assertThat(n[1] + n[2] + n[3]).as(row).isEqualTo(7);
      assertThat(n[1]).as(row).isGreaterThanOrEqualTo(3);
      assertThat(n[2]).as(row).isGreaterThanOrEqualTo(1);
      assertThat(n[3]).as(row).isGreaterThanOrEqualTo(1);
    }
    String total = lines.stream().filter(l -> l.startsWith("TOTAL ")).findFirst().orElseThrow();
    assertThat(numbers(total)[0]).isEqualTo(14);
    // Seven images per label is under AutoML's recommended minimum: the CLI passes the server's warning on.
    assertThat(stats.out()).containsPattern("(?m)^warning: label 'cirrus' has 7 images");

    Cli.Result statsJson = nimbus("datasets", "stats", "datasets/clouds", "--format", "json");
    DatasetStats.Builder parsed = DatasetStats.newBuilder();
    Json.parser().merge(statsJson.out(), parsed);
    assertThat(parsed.getExampleCount()).isEqualTo(14);
    assertThat(parsed.getLabelsList()).extracting(l -> l.getDisplayName()).containsExactlyInAnyOrder("cirrus",
        "cumulus");

    // Filters: only the TEST images of cirrus, among them the one the CSV put in TEST.
    Cli.Result testCirrus = nimbus("datasets", "examples", "clouds", "--label", "cirrus", "--split", "test",
        "--format", "json");
    assertThat(testCirrus.exitCode()).as(testCirrus.toString()).isZero();
    ListExamplesResponse.Builder page = ListExamplesResponse.newBuilder();
    Json.parser().merge(testCirrus.out(), page);
    assertThat(page.getExamplesList()).isNotEmpty().allSatisfy(e -> {
      assertThat(e.getLabelsList()).containsExactly("cirrus");
      assertThat(e.getMlUse()).isEqualTo(MlUse.TEST);
    });
    assertThat(page.getTotalSize()).isEqualTo(page.getExamplesCount());
    assertThat(page.getExamplesList()).anySatisfy(e -> {
      assertThat(e.getSourceUri()).isEqualTo("images/cirrus_4.png");
      assertThat(e.getMlUseSource()).isEqualTo(MlUseSource.FROM_CSV);
    });

    Cli.Result firstThree = nimbus("datasets", "examples", "clouds", "--limit", "3");
    assertThat(firstThree.exitCode()).as(firstThree.toString()).isZero();
    assertThat(firstThree.outLines().get(0)).matches("EXAMPLE\\s+LABELS\\s+SPLIT\\s+SIZE\\s+SOURCE");
    assertThat(firstThree.outLines()).filteredOn(l -> l.startsWith("datasets/clouds/examples/")).hasSize(3);
    // Import order: the first three rows of the CSV.
    assertThat(firstThree.outLines().get(1)).contains("cirrus").contains("TRAIN").contains("24x16")
        .endsWith("images/cirrus_0.png");
    assertThat(firstThree.out()).contains("Listed 3 of 14 examples.");

    // Download: one file per listed example, named by its SHA-256, holding exactly the imported bytes.
    Path downloads = tmp.resolve("downloads");
    Cli.Result cumulus = nimbus("datasets", "examples", "clouds", "--label", "cumulus", "--download",
        downloads.toString());
    assertThat(cumulus.exitCode()).as(cumulus.toString()).isZero();
    assertThat(cumulus.out()).contains("Downloaded 7 images to " + downloads);
    List<Path> files;
    try (Stream<Path> listing = Files.list(downloads)) {
      files = listing.sorted().toList();
    }
    ListExamplesResponse.Builder listed = ListExamplesResponse.newBuilder();
    Json.parser().merge(nimbus("datasets", "examples", "clouds", "--label", "cumulus", "--format", "json").out(),
        listed);
    assertThat(listed.getExamplesList()).hasSize(7);
    for (Example e : listed.getExamplesList()) {
      // Named after the content and the MIME type the server recorded, holding exactly the bytes imported.
      Path file = downloads.resolve(e.getContentSha256() + "." + DatasetExamples.extension(e.getMimeType()));
      assertThat(files).contains(file);
      byte[] bytes = written.get(e.getContentSha256());
      assertThat(Files.readAllBytes(file)).isEqualTo(bytes);
      boolean png = bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G';
      assertThat(file.getFileName().toString()).endsWith(png ? ".png" : ".jpg");
    }
    assertThat(files).hasSize(7);

    Cli.Result get = nimbus("datasets", "get", "clouds");
    assertThat(get.exitCode()).as(get.toString()).isZero();
    assertThat(get.out())
        .containsPattern("(?m)^name:\\s+datasets/clouds$")
        .containsPattern("(?m)^display name:\\s+Cloud types$")
        .containsPattern("(?m)^type:\\s+MULTICLASS$")
        .containsPattern("(?m)^examples:\\s+14$")
        .containsPattern("(?m)^labels:\\s+2$");

    Cli.Result list = nimbus("datasets", "list", "--format", "json");
    ListDatasetsResponse.Builder datasets = ListDatasetsResponse.newBuilder();
    Json.parser().merge(list.out(), datasets);
    assertThat(datasets.getDatasetsList()).anySatisfy(d -> {
      assertThat(d.getName()).isEqualTo("datasets/clouds");
      assertThat(d.getExampleCount()).isEqualTo(14);
    });
  }

  @Test
  void image_writesTheExampleBytesToTheFile() throws Exception {
    Cli.Result created = nimbus("datasets", "create", "single");
    assertThat(created.exitCode()).as(created.toString()).isZero();
    Path folder = tmp.resolve("single");
    byte[] bytes = Images.write(folder.resolve("a.jpg"), 500);
    Files.writeString(folder.resolve("one.csv"), "TEST,a.jpg,stratus\n");
    Cli.succeeded(nimbus("datasets", "import", "single", folder.resolve("one.csv").toString()));

    String name = "datasets/single/examples/" + Images.sha256(bytes);
    Path out = folder.resolve("copy.jpg");
    Cli.Result image = nimbus("datasets", "image", name, "--out", out.toString());
    assertThat(image.exitCode()).as(image.toString()).isZero();
    assertThat(image.out()).isEqualTo("Wrote " + out + " (image/jpeg, " + bytes.length + " bytes)\n");
    assertThat(Files.readAllBytes(out)).isEqualTo(bytes);
    assertThat(folder.resolve("copy.jpg.part")).doesNotExist();
  }

  @Test
  void export_writesAutoMlsLayout_thatImportReadsBack_andNeverOverwrites() throws Exception {
    Cli.succeeded(nimbus("datasets", "create", "shipped"));
    Cli.succeeded(nimbus("datasets", "import", "shipped", csv.toString()));
    Path out = tmp.resolve("shipped-export");
    Cli.Result exported = nimbus("datasets", "export", "shipped", out.toString());
    assertThat(exported.exitCode()).as(exported.toString()).isZero();
    assertThat(exported.out()).isEqualTo("Exported " + written.size() + " examples of datasets/shipped to " + out
        + "\n");
    List<String> rows = Files.readAllLines(out.resolve("image_classification_1.csv"));
    assertThat(rows).hasSize(written.size()).allSatisfy(row -> assertThat(row)
        .matches("(TRAIN|VALIDATION|TEST),images/[0-9a-f]{64}\\.(png|jpg),[a-z]+"));
    for (String row : rows) {
      String file = row.split(",")[1];
      String sha = file.substring("images/".length(), file.indexOf('.'));
      assertThat(Files.readAllBytes(out.resolve(file))).isEqualTo(written.get(sha));
    }

    Cli.succeeded(nimbus("datasets", "create", "received"));
    Cli.Result imported = nimbus("datasets", "import", "received",
        out.resolve("image_classification_1.csv").toString());
    assertThat(imported.exitCode()).as(imported.toString()).isZero();
    assertThat(Cli.succeeded(nimbus("datasets", "get", "received")).out())
        .containsPattern("(?m)^examples:\\s+" + written.size() + "$");

    Cli.Result again = nimbus("datasets", "export", "shipped", out.toString());
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err()).contains("ALREADY_EXISTS").contains("never overwrites");
  }

  @Test
  void delete_waitsUntilTheDatasetIsGone() {
    Cli.succeeded(nimbus("datasets", "create", "doomed"));
    Cli.Result deleted = nimbus("datasets", "delete", "doomed");
    assertThat(deleted.exitCode()).as(deleted.toString()).isZero();
    assertThat(deleted.out()).isEqualTo("Deleted datasets/doomed\n");
    Cli.Result get = nimbus("datasets", "get", "doomed");
    assertThat(get.exitCode()).isEqualTo(1);
    assertThat(get.err()).startsWith("nimbus: NOT_FOUND: dataset datasets/doomed does not exist");
  }

  @Test
  void deleteNoWait_printsTheOperationName() {
    Cli.succeeded(nimbus("datasets", "create", "doomed-too"));
    Cli.Result deleted = nimbus("datasets", "delete", "datasets/doomed-too", "--no-wait");
    assertThat(deleted.exitCode()).as(deleted.toString()).isZero();
    assertThat(deleted.out()).matches("operations/[a-z0-9-]+\n");
    Cli.Result waited = nimbus("operations", "wait", deleted.out().strip());
    assertThat(waited.exitCode()).as(waited.toString()).isZero();
    assertThat(waited.out()).containsPattern("(?m)^kind:\\s+DELETE_DATASET$")
        .containsPattern("(?m)^state:\\s+SUCCEEDED$");
  }

  @Test
  void import_onATerminal_drawsProgressOnStderrOnly() throws Exception {
    Cli.succeeded(nimbus("datasets", "create", "watched"));
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    Cli.Result imported = Cli.run(Cli.terminal(progress), "datasets", "import", "watched", csv.toString(),
        "--target", server.target());
    assertThat(imported.exitCode()).as(imported.toString()).isZero();
    String bar = progress.toString(StandardCharsets.UTF_8);
    // The last drawing of the bar: all rows done, with the counts.
    assertThat(bar).contains("Importing 100%").contains("14/14").contains("imported 14, duplicates 0, failed 0");
    assertThat(imported.err()).startsWith("Waiting for operations/");
    assertThat(imported.out()).doesNotContain("Importing 100%").contains("imported:");
  }

  @Test
  void import_withoutATerminal_drawsNoProgress() throws Exception {
    Cli.succeeded(nimbus("datasets", "create", "piped"));
    Cli.Result imported = nimbus("datasets", "import", "piped", csv.toString());
    assertThat(imported.exitCode()).as(imported.toString()).isZero();
    assertThat(imported.err()).isEmpty();
    assertThat(imported.out()).doesNotContain("%").doesNotContain("\r");
  }

  /** The numbers of a table row, left to right. */
  private static long[] numbers(String row) {
    return Stream.of(row.trim().split("\\s+")).skip(1).mapToLong(Long::parseLong).toArray();
  }

}
