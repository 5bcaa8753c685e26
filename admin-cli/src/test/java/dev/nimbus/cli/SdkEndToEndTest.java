package dev.nimbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.longrunning.Operation;
import dev.nimbus.client.NimbusClient;
import dev.nimbus.client.OperationFuture;
import dev.nimbus.client.OperationsClient;
import dev.nimbus.v1.ClassificationType;
import dev.nimbus.v1.DatasetStats;
import dev.nimbus.v1.Example;
import dev.nimbus.v1.ImportDataResponse;
import dev.nimbus.v1.ListExamplesRequest;
import dev.nimbus.v1.ListExamplesResponse;
import dev.nimbus.v1.OperationMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SDK the CLI is built on, end to end against the real Netty server: the calls the CLI relies on. */
class SdkEndToEndTest {
  @TempDir
  Path tmp;

  @Test
  void createImportStatsPageReadImageListOperations() throws Exception {
    Map<String, byte[]> bytesBySha = new HashMap<>();
    List<String> rows = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      String label = i % 3 == 0 ? "stratus" : "nimbus";
      String file = "img/" + i + (i % 2 == 0 ? ".png" : ".jpg");
      byte[] bytes = Images.write(tmp.resolve(file), 7000 + i);
      bytesBySha.put(Images.sha256(bytes), bytes);
      rows.add((i < 6 ? "TRAIN," : i == 6 ? "VALIDATION," : "TEST,") + file + "," + label);
    }
    Path csv = tmp.resolve("labels.csv");
    Files.write(csv, rows);

    try (TestServer server = TestServer.start(tmp.resolve("data"));
        NimbusClient nimbus = NimbusClient.builder().target(server.target())
            .operationPollInterval(Duration.ofMillis(100)).build()) {
      assertThat(nimbus.datasets().create("sky", ClassificationType.MULTICLASS).getName()).isEqualTo("datasets/sky");

      List<OperationMetadata> progress = new CopyOnWriteArrayList<>();
      OperationFuture<ImportDataResponse> running = nimbus.datasets().importCsv("sky", csv);
      running.onProgress(progress::add);
      ImportDataResponse imported = running.await();
      assertThat(imported.getImportedCount()).isEqualTo(9);
      assertThat(imported.getFailedCount()).isZero();
      assertThat(imported.getSplitCounts().getTrain()).isEqualTo(6);
      // Every callback ran before the future completed, the last with the finished counts.
      assertThat(progress).isNotEmpty();
      OperationMetadata last = progress.get(progress.size() - 1);
      assertThat(last.getState()).isEqualTo(OperationMetadata.State.SUCCEEDED);
      assertThat(last.getProgressPercent()).isEqualTo(100.0);
      assertThat(last.getImportDataDetails().getImportedCount()).isEqualTo(9);

      DatasetStats stats = nimbus.datasets().stats("datasets/sky");
      assertThat(stats.getExampleCount()).isEqualTo(9);
      assertThat(stats.getLabels(0).getDisplayName()).isEqualTo("nimbus");
      assertThat(stats.getLabels(0).getExampleCount()).isEqualTo(6);
      assertThat(stats.getLabels(1).getDisplayName()).isEqualTo("stratus");

      // Pages of 2: five pages, every example once, in import order.
      ListExamplesRequest pagesOfTwo = ListExamplesRequest.newBuilder().setParent("datasets/sky").setPageSize(2)
          .build();
      ListExamplesResponse firstPage = nimbus.datasets().listExamplesPage(pagesOfTwo);
      assertThat(firstPage.getExamplesList()).hasSize(2);
      assertThat(firstPage.getTotalSize()).isEqualTo(9);
      assertThat(firstPage.getNextPageToken()).isNotEmpty();
      List<Example> all = nimbus.datasets().listExamples(pagesOfTwo).stream().toList();
      assertThat(all).extracting(Example::getSourceUri).containsExactlyElementsOf(
          rows.stream().map(r -> r.split(",")[1]).toList());
      assertThat(nimbus.datasets().listExamples("sky", "label = \"stratus\" AND ml_use = TRAIN").stream())
          .extracting(Example::getSourceUri).containsExactly("img/0.png", "img/3.jpg");

      for (Example e : all) {
        assertThat(nimbus.datasets().readImage(e.getName())).isEqualTo(bytesBySha.get(e.getContentSha256()));
      }

      List<Operation> operations = nimbus.operations().list("kind = IMPORT_DATA").stream().toList();
      assertThat(operations).extracting(Operation::getName).contains(running.name());
      Operation op = nimbus.operations().get(running.name());
      assertThat(op.getDone()).isTrue();
      assertThat(OperationsClient.metadataOf(op).orElseThrow().getTarget()).isEqualTo("datasets/sky");
    }
  }
}
