package dev.nimbus.server.grpc;

import static dev.nimbus.server.testing.Statuses.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.longrunning.CancelOperationRequest;
import com.google.longrunning.DeleteOperationRequest;
import com.google.longrunning.GetOperationRequest;
import com.google.longrunning.ListOperationsRequest;
import com.google.longrunning.ListOperationsResponse;
import com.google.longrunning.Operation;
import com.google.longrunning.WaitOperationRequest;
import com.google.protobuf.ByteString;
import com.google.protobuf.Duration;
import dev.nimbus.server.testing.InProcessNimbus;
import dev.nimbus.server.testing.LoopbackHttp;
import dev.nimbus.server.testing.TestImages;
import dev.nimbus.v1.CreateDatasetRequest;
import dev.nimbus.v1.GetDatasetRequest;
import dev.nimbus.v1.ImportDataRequest;
import dev.nimbus.v1.InputConfig;
import dev.nimbus.v1.OperationMetadata;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OperationsServiceTest {
  @TempDir Path tmp;
  InProcessNimbus nimbus;
  LoopbackHttp http;

  @BeforeEach
  void setUp() {
    http = new LoopbackHttp();
    nimbus = new InProcessNimbus(tmp.resolve("data"), Map.of("http-import-enabled", "true",
        "http-import-allowed-hosts", http.hostPort(), "import-threads", "2"));
    nimbus.datasets.createDataset(CreateDatasetRequest.newBuilder().setDatasetId("d").build());
  }

  @AfterEach
  void tearDown() {
    http.close();
    nimbus.close();
  }

  /** An import of {@code rows} rows whose row {@code blockedRow} (1-based) waits on the HTTP gate. */
  private Operation startBlockedImport(int rows, int blockedRow) {
    StringBuilder csv = new StringBuilder();
    for (int i = 1; i <= rows; i++) {
      if (i == blockedRow) {
        http.serve("/slow.jpg", TestImages.jpeg(16, 16, 10_000));
        http.block("/slow.jpg");
        csv.append(http.url("/slow.jpg")).append(",x\n");
      } else {
        Path p = TestImages.write(tmp.resolve("img/" + i + ".png"), TestImages.png(8, 8, i));
        csv.append(p).append(",x\n");
      }
    }
    return nimbus.datasets.importData(ImportDataRequest.newBuilder().setName("datasets/d")
        .setInputConfig(InputConfig.newBuilder().setCsvContent(ByteString.copyFromUtf8(csv.toString()))
            .setBaseUri(tmp.toString())).build());
  }

  @Test
  void cancelOperation_stopsBetweenBatches_andKeepsWhatWasCommitted() throws Exception {
    Operation op = startBlockedImport(200, 5);
    assertThat(op.getDone()).isFalse();
    assertThat(op.getName()).startsWith("operations/");
    assertThat(http.awaitBlockedRequest(30)).isTrue();

    nimbus.operations.cancelOperation(CancelOperationRequest.newBuilder().setName(op.getName()).build());
    assertThat(InProcessNimbus.metadata(nimbus.get(op.getName())).getCancelRequested()).isTrue();
    http.release("/slow.jpg");
    Operation done = nimbus.await(op);

    assertThat(done.getError().getCode()).isEqualTo(Status.Code.CANCELLED.value());
    OperationMetadata m = InProcessNimbus.metadata(done);
    assertThat(m.getState()).isEqualTo(OperationMetadata.State.CANCELLED);
    assertThat(m.getCancelRequested()).isTrue();
    long imported = m.getImportDataDetails().getImportedCount();
    assertThat(imported).as("the batch in flight is committed, the rest is not read").isPositive().isLessThan(200);
    assertThat(done.getError().getMessage()).contains("cancelled after " + m.getImportDataDetails().getProcessedRowCount()
        + " of 200 rows");
    assertThat(nimbus.datasets.getDataset(GetDatasetRequest.newBuilder().setName("datasets/d").build())
        .getExampleCount()).isEqualTo(imported);
  }

  @Test
  void waitOperation_returnsTheRunningOperationWhenTheTimeoutPasses() {
    Operation op = startBlockedImport(3, 1);
    Operation waited = nimbus.operations.waitOperation(WaitOperationRequest.newBuilder().setName(op.getName())
        .setTimeout(Duration.newBuilder().setNanos(200_000_000)).build());
    assertThat(waited.getDone()).isFalse();
    assertThat(InProcessNimbus.metadata(waited).getState()).isEqualTo(OperationMetadata.State.RUNNING);
    http.release("/slow.jpg");
    Operation done = nimbus.operations.waitOperation(WaitOperationRequest.newBuilder().setName(op.getName())
        .setTimeout(Duration.newBuilder().setSeconds(30)).build());
    assertThat(done.getDone()).isTrue();
    assertThat(done.hasResponse()).isTrue();
  }

  @Test
  void deleteOperation_refusesRunning_thenDeletesDone() {
    Operation op = startBlockedImport(3, 1);
    assertFails(Status.Code.FAILED_PRECONDITION, "still running", () -> nimbus.operations.deleteOperation(
        DeleteOperationRequest.newBuilder().setName(op.getName()).build()));
    http.release("/slow.jpg");
    nimbus.await(op);
    nimbus.operations.deleteOperation(DeleteOperationRequest.newBuilder().setName(op.getName()).build());
    assertFails(Status.Code.NOT_FOUND, op.getName(), () -> nimbus.get(op.getName()));
  }

  @Test
  void listOperations_filtersAndPages() {
    Operation a = nimbus.await(startQuickImport());
    Operation b = nimbus.await(startQuickImport());
    Operation running = startBlockedImport(2, 1);
    ListOperationsResponse all = nimbus.operations.listOperations(ListOperationsRequest.newBuilder().setPageSize(2).build());
    assertThat(all.getOperationsList()).extracting(Operation::getName).containsExactly(running.getName(), b.getName());
    ListOperationsResponse rest = nimbus.operations.listOperations(ListOperationsRequest.newBuilder().setPageSize(2)
        .setPageToken(all.getNextPageToken()).build());
    assertThat(rest.getOperationsList()).extracting(Operation::getName).containsExactly(a.getName());
    assertThat(rest.getNextPageToken()).isEmpty();

    assertThat(names("state = RUNNING")).containsExactly(running.getName());
    assertThat(names("done = true AND kind = IMPORT_DATA")).containsExactly(b.getName(), a.getName());
    assertThat(names("kind = delete_dataset")).isEmpty();
    assertThat(names("target = \"datasets/d\" AND state = SUCCEEDED")).containsExactly(b.getName(), a.getName());
    http.release("/slow.jpg");
    nimbus.await(running);
  }

  private Operation startQuickImport() {
    Path p = TestImages.write(tmp.resolve("one.png"), TestImages.png(8, 8, 1));
    return nimbus.datasets.importData(ImportDataRequest.newBuilder().setName("datasets/d")
        .setInputConfig(InputConfig.newBuilder().setCsvContent(ByteString.copyFromUtf8(p + ",x\n"))).build());
  }

  private List<String> names(String filter) {
    return nimbus.operations.listOperations(ListOperationsRequest.newBuilder().setFilter(filter).build())
        .getOperationsList().stream().map(Operation::getName).toList();
  }

  @Test
  void operations_badNamesAndFilters() {
    assertFails(Status.Code.NOT_FOUND, "operations/nope", () -> nimbus.get("operations/nope"));
    assertFails(Status.Code.INVALID_ARGUMENT, "not an operation name", () -> nimbus.get("nope"));
    assertFails(Status.Code.INVALID_ARGUMENT, "not an operation name", () -> nimbus.operations.getOperation(
        GetOperationRequest.newBuilder().setName("operations/../../x").build()));
    assertFails(Status.Code.NOT_FOUND, "operations/nope", () -> nimbus.operations.cancelOperation(
        CancelOperationRequest.newBuilder().setName("operations/nope").build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "kind", () -> nimbus.operations.listOperations(
        ListOperationsRequest.newBuilder().setFilter("kind = TRAINING_THINGS").build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "unknown field", () -> nimbus.operations.listOperations(
        ListOperationsRequest.newBuilder().setFilter("owner = me").build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "page_size", () -> nimbus.operations.listOperations(
        ListOperationsRequest.newBuilder().setPageSize(-5).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "timeout", () -> nimbus.operations.waitOperation(
        WaitOperationRequest.newBuilder().setName("operations/abc")
            .setTimeout(Duration.newBuilder().setSeconds(-1)).build()));
  }
}
