package dev.nimbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.longrunning.Operation;
import com.google.rpc.ErrorInfo;
import dev.nimbus.v1.ImportDataResponse;
import dev.nimbus.v1.OperationMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An import with bad rows: the import succeeds (exit 0) and tells, row by row, what the server refused and why,
 * in a table for people and in the operation's JSON for programs.
 */
class ImportFailuresTest {
  @TempDir
  static Path tmp;

  private static TestServer server;
  private static Path csv;

  @BeforeAll
  static void start() throws IOException {
    server = TestServer.start(tmp.resolve("data"));
    Path folder = tmp.resolve("import");
    Images.write(folder.resolve("img/good1.png"), 1);
    Images.write(folder.resolve("img/good2.jpg"), 2);
    Files.writeString(folder.resolve("img/notes.jpg"), "these are my notes, not a picture\n");
    csv = folder.resolve("rows.csv");
    Files.write(csv, List.of(
        "TRAIN,img/good1.png,cirrus",       // line 1
        "TRAIN,img/missing.jpg,cirrus",     // line 2: no such file
        "TEST,img/notes.jpg,cumulus",       // line 3: text named .jpg
        "VALIDATION,img/good2.jpg,cirrus,cumulus", // line 4: two labels in a MULTICLASS dataset
        "../../etc/passwd,cirrus",          // line 5: outside the import root
        "img/good2.jpg,cumulus"));          // line 6
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static Cli.Result nimbus(String... args) {
    return Cli.run(Stream.concat(Stream.of(args), Stream.of("--target", server.target())).toArray(String[]::new));
  }

  @Test
  void import_listsEachFailedRowWithItsNumberAndReason_andExitsZero() {
    Cli.succeeded(nimbus("datasets", "create", "mixed"));
    Cli.Result imported = nimbus("datasets", "import", "mixed", csv.toString());
    assertThat(imported.exitCode()).as(imported.toString()).isZero();
    assertThat(imported.out())
        .containsPattern("(?m)^rows:\\s+6$")
        .containsPattern("(?m)^imported:\\s+2$")
        .containsPattern("(?m)^failed:\\s+4$")
        .contains("\n4 rows failed:\n");
    List<String> lines = imported.outLines();
    int header = lines.indexOf(lines.stream().filter(l -> l.matches("ROW\\s+URI\\s+REASON\\s+MESSAGE"))
        .findFirst().orElseThrow());
    assertThat(lines.subList(header + 1, lines.size())).hasSize(4).satisfiesExactly(
        row -> assertThat(row).matches(" *2\\s+img/missing\\.jpg\\s+FILE_NOT_FOUND\\s+file not found: .*"),
        row -> assertThat(row).matches(" *3\\s+img/notes\\.jpg\\s+UNSUPPORTED_FORMAT\\s+\\S.*"),
        row -> assertThat(row).matches(" *4\\s+img/good2\\.jpg\\s+TOO_MANY_LABELS\\s+.*MULTICLASS.*2 labels.*"),
        row -> assertThat(row).matches(" *5\\s+\\.\\./\\.\\./etc/passwd\\s+OUTSIDE_IMPORT_ROOTS\\s+.*outside.*"));
    assertThat(imported.err()).isEmpty();
  }

  @Test
  void importJson_isTheFinalOperation_withEveryFieldAndTheFailures() throws Exception {
    Cli.succeeded(nimbus("datasets", "create", "mixed-json"));
    // Only the CSV is sent; the server reads the images from its own folder, as without --upload.
    Cli.Result imported = nimbus("datasets", "import", "mixed-json", csv.toString(), "--upload", "--base-uri",
        csv.getParent().toString(), "--format", "json");
    assertThat(imported.exitCode()).as(imported.toString()).isZero();
    // Stable proto field names, and zero counts printed rather than left out.
    assertThat(imported.out()).contains("\"imported_count\": \"2\"").contains("\"duplicate_count\": \"0\"")
        .contains("\"labels_added_count\": \"0\"").contains("\"partial_failure_count\": \"4\"")
        .doesNotContain("importedCount");

    Operation.Builder parsed = Operation.newBuilder();
    Json.parser().merge(imported.out(), parsed); // The whole of stdout is one JSON document.
    Operation op = parsed.build();
    assertThat(op.getDone()).isTrue();
    OperationMetadata metadata = op.getMetadata().unpack(OperationMetadata.class);
    assertThat(metadata.getState()).isEqualTo(OperationMetadata.State.SUCCEEDED);
    assertThat(metadata.getPartialFailuresList()).hasSize(4);
    ErrorInfo first = metadata.getPartialFailures(0).getDetails(0).unpack(ErrorInfo.class);
    assertThat(first.getReason()).isEqualTo("FILE_NOT_FOUND");
    assertThat(first.getMetadataMap()).containsEntry("row", "2").containsEntry("uri", "img/missing.jpg");
    ImportDataResponse response = op.getResponse().unpack(ImportDataResponse.class);
    assertThat(response.getImportedCount()).isEqualTo(2);
    assertThat(response.getFailedCount()).isEqualTo(4);
  }

  @Test
  void importAgain_countsDuplicates() {
    Cli.succeeded(nimbus("datasets", "create", "twice"));
    Cli.succeeded(nimbus("datasets", "import", "twice", csv.toString()));
    Cli.Result again = nimbus("datasets", "import", "twice", csv.toString(), "--upload");
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(again.out()).containsPattern("(?m)^imported:\\s+0$").containsPattern("(?m)^duplicates:\\s+2$");
  }

  @Test
  void importNoWait_printsTheOperation_thenGetShowsTheFailedRows() throws Exception {
    Cli.succeeded(nimbus("datasets", "create", "later"));
    Cli.Result started = nimbus("datasets", "import", "later", csv.toString(), "--no-wait");
    assertThat(started.exitCode()).as(started.toString()).isZero();
    assertThat(started.out()).matches("operations/[a-z0-9-]+\n");
    String name = started.out().strip();

    Cli.Result waited = nimbus("operations", "wait", name);
    assertThat(waited.exitCode()).as(waited.toString()).isZero();
    assertThat(waited.out()).containsPattern("(?m)^state:\\s+SUCCEEDED$")
        .containsPattern("(?m)^imported:\\s+2$");

    // By id alone, as people copy it.
    Cli.Result got = nimbus("operations", "get", name.substring("operations/".length()));
    assertThat(got.exitCode()).as(got.toString()).isZero();
    assertThat(got.out()).containsPattern("(?m)^kind:\\s+IMPORT_DATA$")
        .containsPattern("(?m)^target:\\s+datasets/later$")
        .contains("4 rows failed:")
        .containsPattern("(?m)^ *2\\s+img/missing\\.jpg\\s+FILE_NOT_FOUND");

    Cli.Result startedJson = nimbus("datasets", "import", "later", csv.toString(), "--no-wait", "--format", "json");
    Operation.Builder op = Operation.newBuilder();
    Json.parser().merge(startedJson.out(), op);
    assertThat(op.getName()).startsWith("operations/");
    assertThat(op.getMetadata().unpack(OperationMetadata.class).getKind())
        .isEqualTo(OperationMetadata.Kind.IMPORT_DATA);
  }
}
