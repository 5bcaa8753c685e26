package dev.nimbus.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.longrunning.GetOperationRequest;
import com.google.longrunning.Operation;
import com.google.longrunning.OperationsGrpc;
import com.google.longrunning.WaitOperationRequest;
import com.google.protobuf.Duration;
import dev.nimbus.server.storage.BlobStore;
import dev.nimbus.server.testing.InProcessNimbus;
import dev.nimbus.server.testing.ServerProcess;
import dev.nimbus.server.testing.TestImages;
import dev.nimbus.v1.CreateDatasetRequest;
import dev.nimbus.v1.DatasetServiceGrpc;
import dev.nimbus.v1.Example;
import dev.nimbus.v1.ImportDataRequest;
import dev.nimbus.v1.ImportDataResponse;
import dev.nimbus.v1.InputConfig;
import dev.nimbus.v1.ListExamplesRequest;
import dev.nimbus.v1.ListExamplesResponse;
import dev.nimbus.v1.OperationMetadata;
import dev.nimbus.v1.ReadExampleImageRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server as a separate process, killed with SIGKILL in the middle of an import and restarted on the same
 * data directory: every row it had reported imported is there with its image, and the import resumes and
 * finishes without importing anything twice.
 */
class CrashRecoveryTest {
  static final int ROWS = 1500;

  @TempDir Path tmp;

  @Test
  void killDashNine_duringImport_losesNothingAcknowledged_andTheImportResumes() throws Exception {
    Path data = tmp.resolve("data");
    Path log = tmp.resolve("server.log");
    Map<String, String> shaOfFile = new HashMap<>();
    StringBuilder csv = new StringBuilder();
    for (int i = 0; i < ROWS; i++) {
      byte[] jpeg = TestImages.jpeg(96, 96, i);
      Path p = TestImages.write(tmp.resolve("images/" + i + ".jpg"), jpeg);
      shaOfFile.put(p.getFileName().toString(), BlobStore.sha256Hex(jpeg));
      csv.append("images/").append(i).append(".jpg,").append(i % 2 == 0 ? "even" : "odd").append('\n');
    }
    Files.writeString(tmp.resolve("data.csv"), csv);

    String opName;
    long acknowledged;
    try (ServerProcess server = ServerProcess.start(data, log, "--import-threads=1")) {
      ManagedChannel channel = ManagedChannelBuilder.forTarget(server.target()).usePlaintext().build();
      try {
        DatasetServiceGrpc.DatasetServiceBlockingStub datasets = DatasetServiceGrpc.newBlockingStub(channel);
        OperationsGrpc.OperationsBlockingStub ops = OperationsGrpc.newBlockingStub(channel);
        datasets.createDataset(CreateDatasetRequest.newBuilder().setDatasetId("crash").build());
        Operation op = datasets.importData(ImportDataRequest.newBuilder().setName("datasets/crash")
            .setInputConfig(InputConfig.newBuilder().setCsvUri(tmp.resolve("data.csv").toString())).build());
        opName = op.getName();
        long seen = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Operation now = op;
        while (seen < ROWS / 5 && System.nanoTime() < deadline) {
          now = ops.getOperation(GetOperationRequest.newBuilder().setName(opName).build());
          seen = InProcessNimbus.metadata(now).getImportDataDetails().getImportedCount();
          Thread.sleep(5);
        }
        assertThat(now.getDone()).as("the import must still be running when the server is killed").isFalse();
        acknowledged = seen;
        server.kill9();
      } finally {
        channel.shutdownNow();
      }
    }
    assertThat(acknowledged).isBetween((long) ROWS / 5, (long) ROWS - 1);

    try (ServerProcess server = ServerProcess.start(data, log)) {
      ManagedChannel channel = ManagedChannelBuilder.forTarget(server.target()).usePlaintext()
          .maxInboundMessageSize(64 << 20).build();
      try {
        DatasetServiceGrpc.DatasetServiceBlockingStub datasets = DatasetServiceGrpc.newBlockingStub(channel);
        OperationsGrpc.OperationsBlockingStub ops = OperationsGrpc.newBlockingStub(channel);
        // Right after the restart: at least what was acknowledged is there.
        long afterRestart = datasets.listExamples(ListExamplesRequest.newBuilder().setParent("datasets/crash")
            .setPageSize(1).build()).getTotalSize();
        assertThat(afterRestart).isGreaterThanOrEqualTo(acknowledged);

        Operation done = ops.getOperation(GetOperationRequest.newBuilder().setName(opName).build());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!done.getDone() && System.nanoTime() < deadline) {
          done = ops.waitOperation(WaitOperationRequest.newBuilder().setName(opName)
              .setTimeout(Duration.newBuilder().setSeconds(5)).build());
        }
        assertThat(done.getDone()).as("resumed import finished").isTrue();
        OperationMetadata m = InProcessNimbus.metadata(done);
        assertThat(m.getResumeCount()).isEqualTo(1);
        ImportDataResponse r = done.getResponse().unpack(ImportDataResponse.class);
        assertThat(r.getImportedCount()).isEqualTo(ROWS);
        assertThat(r.getFailedCount()).isZero();
        assertThat(r.getDuplicateCount()).as("no row was imported twice").isZero();

        List<Example> all = new ArrayList<>();
        String token = "";
        do {
          ListExamplesResponse page = datasets.listExamples(ListExamplesRequest.newBuilder().setParent("datasets/crash")
              .setPageSize(1000).setPageToken(token).build());
          all.addAll(page.getExamplesList());
          token = page.getNextPageToken();
        } while (!token.isEmpty());
        assertThat(all).hasSize(ROWS);
        for (Example e : all) {
          String file = Path.of(e.getSourceUri()).getFileName().toString();
          assertThat(e.getContentSha256()).isEqualTo(shaOfFile.get(file));
          ByteArrayOutputStream bytes = new ByteArrayOutputStream();
          datasets.readExampleImage(ReadExampleImageRequest.newBuilder().setName(e.getName()).build())
              .forEachRemaining(chunk -> bytes.writeBytes(chunk.getData().toByteArray()));
          assertThat(BlobStore.sha256Hex(bytes.toByteArray())).isEqualTo(e.getContentSha256());
        }
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void operationOfAKindThatCannotResume_isMarkedFailedAtRestart() throws Exception {
    Path data = tmp.resolve("data");
    try (InProcessNimbus nimbus = new InProcessNimbus(data)) {
      nimbus.datasets.createDataset(CreateDatasetRequest.newBuilder().setDatasetId("d").build());
    }
    // An operation of a kind this release does not know (a newer Nimbus wrote it), left running.
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("nimbus.db"));
         PreparedStatement ps = c.prepareStatement("INSERT INTO operations(id, kind, target, state, create_time,"
             + " update_time, metadata) VALUES ('left-1', ?, 'models/m', ?, 1, 1, ?)")) {
      ps.setInt(1, 99);
      ps.setInt(2, OperationMetadata.State.RUNNING_VALUE);
      ps.setBytes(3, OperationMetadata.newBuilder().setKindValue(99)
          .setState(OperationMetadata.State.RUNNING).setTarget("models/m").build().toByteArray());
      ps.executeUpdate();
    }
    try (InProcessNimbus nimbus = new InProcessNimbus(data)) {
      Operation op = nimbus.get("operations/left-1");
      assertThat(op.getDone()).isTrue();
      assertThat(op.getError().getCode()).isEqualTo(Status.Code.ABORTED.value());
      assertThat(op.getError().getMessage()).contains("the server stopped while this operation was running");
      assertThat(InProcessNimbus.metadata(op).getState()).isEqualTo(OperationMetadata.State.FAILED);
    }
  }

}
