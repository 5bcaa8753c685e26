package dev.nimbus.client;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import dev.nimbus.v1.ImportDataResponse;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.OperationMetadata;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OperationFutureTest {
  private static final String OP = "operations/import-1";
  private static final Duration POLL_INTERVAL = Duration.ofMillis(20);
  private static final ImportDataResponse RESPONSE = ImportDataResponse.newBuilder()
      .setDataset("datasets/clouds").setTotalRowCount(100).setImportedCount(97).setFailedCount(3).build();

  private final FakeDatasetService datasets = new FakeDatasetService();
  private final FakeOperations operations = new FakeOperations();
  private InProcessServer server;
  private NimbusClient client;

  @BeforeEach
  void setUp() throws Exception {
    server = InProcessServer.start(datasets, operations);
    client = NimbusClient.forChannel(server.channel(),
        ClientOptions.defaults().withOperationPollInterval(POLL_INTERVAL));
    datasets.importOperation = Ops.running(OP, 0);
  }

  @AfterEach
  void tearDown() throws Exception {
    client.close();
    server.close();
  }

  private OperationFuture<ImportDataResponse> startImport() {
    return client.datasets().importCsv("clouds", Path.of("/data/clouds.csv"));
  }

  @Test
  void onProgress_receivesEveryNewMetadataInOrder_onThePollingThread() throws Exception {
    operations.script(OP, Ops.running(OP, 10), Ops.running(OP, 50), Ops.running(OP, 50), Ops.running(OP, 90),
        Ops.succeeded(OP, RESPONSE));
    operations.hold();
    OperationFuture<ImportDataResponse> future = startImport();
    List<Double> progress = new CopyOnWriteArrayList<>();
    List<String> threads = new CopyOnWriteArrayList<>();
    future.onProgress(metadata -> {
      progress.add(metadata.getProgressPercent());
      threads.add(Thread.currentThread().getName());
    });
    operations.release();

    future.get(5, SECONDS);

    // 0 is the metadata the import call returned; the repeated 50 is not new, so it is not reported twice.
    assertThat(progress).containsExactly(0.0, 10.0, 50.0, 90.0, 100.0);
    assertThat(threads).allMatch(name -> name.startsWith("nimbus-operations-"), "a nimbus polling thread");
  }

  @Test
  void metadata_isKnownAsSoonAsTheStartingCallReturns() {
    operations.script(OP, Ops.running(OP, 0));

    OperationFuture<ImportDataResponse> future = startImport();

    assertThat(future.name()).isEqualTo(OP);
    assertThat(future.metadata()).map(OperationMetadata::getState).contains(OperationMetadata.State.RUNNING);
  }

  @Test
  void get_returnsTheUnpackedResponse_polledWithWaitOperationForOneInterval() throws Exception {
    operations.script(OP, Ops.running(OP, 30), Ops.succeeded(OP, RESPONSE));

    OperationFuture<ImportDataResponse> future = startImport();

    assertThat(future.get(5, SECONDS)).isEqualTo(RESPONSE);
    assertThat(future.isDone()).isTrue();
    assertThat(future.isCancelled()).isFalse();
    assertThat(future.metadata()).map(OperationMetadata::getProgressPercent).contains(100.0);
    assertThat(operations.waits).hasSize(2).allSatisfy(wait -> {
      assertThat(wait.getName()).isEqualTo(OP);
      assertThat(wait.getTimeout()).isEqualTo(com.google.protobuf.Duration.newBuilder().setNanos(20_000_000).build());
    });
  }

  @Test
  void get_failedOperation_throwsItsStatusWithDetails() {
    com.google.rpc.Status error = com.google.rpc.Status.newBuilder()
        .setCode(Status.Code.FAILED_PRECONDITION.value())
        .setMessage("dataset 'clouds' is being deleted")
        .addDetails(Any.pack(ErrorInfo.newBuilder().setReason("DATASET_DELETING").setDomain("nimbus.dev").build()))
        .build();
    operations.script(OP, Ops.failed(OP, error));

    OperationFuture<ImportDataResponse> future = startImport();

    assertThatThrownBy(() -> future.get(5, SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.getStatus().getDescription()).isEqualTo("dataset 'clouds' is being deleted");
          assertThat(StatusProto.fromThrowable(e)).isEqualTo(error);
        });
    // await() throws the same status unwrapped, as a blocking call would.
    assertThatThrownBy(future::await)
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
  }

  @Test
  void getWithTimeout_operationStillRunning_throwsTimeoutException_andPollingGoesOn() throws Exception {
    operations.script(OP, Ops.running(OP, 10));
    OperationFuture<ImportDataResponse> future = startImport();

    assertThatThrownBy(() -> future.get(100, MILLISECONDS)).isInstanceOf(TimeoutException.class);

    assertThat(future.isDone()).isFalse();
    operations.waitCount.drainPermits();
    assertThat(operations.waitCount.tryAcquire(5, SECONDS)).as("another poll after the timeout").isTrue();
    assertThat(operations.cancels).isEmpty();
  }

  @Test
  void cancel_sendsCancelOperation_andCompletesWhenTheServerReportsTheOperationDone() {
    operations.script(OP, Ops.running(OP, 10));
    OperationFuture<ImportDataResponse> future = startImport();

    assertThat(future.cancel(true)).isTrue();

    assertThat(operations.cancels).containsExactly(OP);
    assertThatThrownBy(() -> future.get(5, SECONDS))
        .cause()
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.CANCELLED));
    assertThat(future.isCancelled()).isTrue();
    assertThat(future.cancel(true)).as("cancel once done").isFalse();
    assertThat(operations.cancels).hasSize(1);
  }

  @Test
  void cancel_rejectedByTheServer_returnsFalse_andTheOperationGoesOn() {
    operations.script(OP, Ops.running(OP, 10));
    operations.rejectCancel = Status.FAILED_PRECONDITION.withDescription("too late to cancel");
    OperationFuture<ImportDataResponse> future = startImport();

    assertThat(future.cancel(false)).isFalse();

    assertThat(operations.cancels).containsExactly(OP);
    assertThat(future.isDone()).isFalse();
  }

  @Test
  void transientPollFailures_areRetriedUntilTheOperationCompletes() throws Exception {
    operations.script(OP, Status.UNAVAILABLE.withDescription("server restarting"),
        Status.UNAVAILABLE.withDescription("server restarting"), Status.DEADLINE_EXCEEDED,
        Ops.succeeded(OP, RESPONSE));

    OperationFuture<ImportDataResponse> future = startImport();

    assertThat(future.get(5, SECONDS)).isEqualTo(RESPONSE);
    assertThat(operations.waits).hasSize(4);
  }

  @Test
  void transientPollFailures_thatGoOnGiveUpWithUnavailable_sayingTheOperationMayStillRun() {
    Object[] steps = new Object[OperationPoller.MAX_TRANSIENT_FAILURES];
    Arrays.fill(steps, Status.UNAVAILABLE.withDescription("connection refused"));
    operations.script(OP, steps);

    OperationFuture<ImportDataResponse> future = startImport();

    assertThatThrownBy(() -> future.get(30, SECONDS))
        .cause()
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
          assertThat(e.getStatus().getDescription()).contains("lost contact").contains(OP)
              .contains("may still be running");
        });
    assertThat(operations.waits).hasSize(OperationPoller.MAX_TRANSIENT_FAILURES);
  }

  @Test
  void otherPollFailures_failTheFutureWithoutRetrying() {
    operations.script(OP, Status.PERMISSION_DENIED.withDescription("api key may not read operations"));

    OperationFuture<ImportDataResponse> future = startImport();

    assertThatThrownBy(() -> future.get(5, SECONDS))
        .cause()
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    assertThat(operations.waits).hasSize(1);
  }

  @Test
  void get_responseOfAnotherType_failsWithIllegalStateExceptionNamingBothTypes() {
    operations.script(OP, Ops.succeeded(OP, Model.newBuilder().setName("models/oops").build()));

    OperationFuture<ImportDataResponse> future = startImport();

    assertThatThrownBy(() -> future.get(5, SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("nimbus.v1.Model")
        .hasMessageContaining("expected: nimbus.v1.ImportDataResponse");
  }

  @Test
  void alreadyDoneOperation_completesAtOnceWithoutPolling() {
    datasets.importOperation = Ops.succeeded(OP, RESPONSE);

    OperationFuture<ImportDataResponse> future = startImport();

    assertThat(future.isDone()).isTrue();
    assertThat(future.await()).isEqualTo(RESPONSE);
    assertThat(operations.waits).isEmpty();
  }

  @Test
  void onProgress_afterCompletion_isCalledWithTheLatestMetadata() throws Exception {
    operations.script(OP, Ops.succeeded(OP, RESPONSE));
    OperationFuture<ImportDataResponse> future = startImport();
    future.get(5, SECONDS);

    CompletableFuture<OperationMetadata> seen = new CompletableFuture<>();
    future.onProgress(seen::complete);

    assertThat(seen.get(5, SECONDS).getState()).isEqualTo(OperationMetadata.State.SUCCEEDED);
  }

  @Test
  void onProgress_callbackThatThrows_doesNotStopUpdatesOrCompletion() throws Exception {
    operations.script(OP, Ops.running(OP, 50), Ops.succeeded(OP, RESPONSE));
    operations.hold();
    OperationFuture<ImportDataResponse> future = startImport();
    List<Double> progress = new CopyOnWriteArrayList<>();
    future.onProgress(metadata -> {
      throw new IllegalArgumentException("a buggy progress bar");
    });
    future.onProgress(metadata -> progress.add(metadata.getProgressPercent()));
    operations.release();

    assertThat(future.get(5, SECONDS)).isEqualTo(RESPONSE);
    assertThat(progress).containsExactly(0.0, 50.0, 100.0);
  }

  @Test
  void operationsFuture_attachesToAnExistingOperationByName() throws Exception {
    operations.script("operations/older", Ops.running("operations/older", 70),
        Ops.succeeded("operations/older", RESPONSE));

    OperationFuture<ImportDataResponse> future = client.operations().future("older", ImportDataResponse.class);

    assertThat(future.name()).isEqualTo("operations/older");
    assertThat(future.get(5, SECONDS)).isEqualTo(RESPONSE);
  }

  @Test
  void serverWithoutWaitOperation_isPolledWithGetOperation() throws Exception {
    operations.waitUnimplemented = true;
    operations.script(OP, Ops.running(OP, 50), Ops.succeeded(OP, RESPONSE));

    OperationFuture<ImportDataResponse> future = startImport();

    assertThat(future.get(5, SECONDS)).isEqualTo(RESPONSE);
    assertThat(operations.gets).containsExactly(OP, OP);
  }

  @Test
  void polls_areAnIntervalApart_evenWhenTheServerAnswersAtOnce() throws Exception {
    // The client's clock stands still, so an answer that came at once leaves the whole interval to wait; the
    // scheduler records each delay asked for and runs the poll at once.
    List<Long> delays = new CopyOnWriteArrayList<>();
    ScheduledThreadPoolExecutor recording = new ScheduledThreadPoolExecutor(1) {
      @Override
      public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        delays.add(unit.toNanos(delay));
        return super.schedule(command, 0, unit);
      }

      @Override
      public void execute(Runnable command) {
        super.schedule(command, 0, TimeUnit.NANOSECONDS); // a hand-off, not a delay the poller chose
      }
    };
    Deadline.Ticker stopped = new Deadline.Ticker() {
      @Override
      public long nanoTime() {
        return 0;
      }
    };
    client.close();
    client = NimbusClient.forChannel(server.channel(),
        ClientOptions.defaults().withOperationPollInterval(POLL_INTERVAL), stopped, recording);
    operations.script(OP, Ops.running(OP, 10)); // This fake answers at once, ignoring the wait timeout.
    startImport();

    for (int i = 0; i < 5; i++) {
      assertThat(operations.waitCount.tryAcquire(5, SECONDS)).as("poll " + i).isTrue();
    }
    // Back-to-back polls would ask for no delay; each waits out the interval.
    assertThat(delays).hasSizeGreaterThanOrEqualTo(4).allSatisfy(d -> assertThat(d).isEqualTo(
        POLL_INTERVAL.toNanos()));
  }

  @Test
  void close_failsPendingFutures_withoutCancellingTheOperation() {
    operations.script(OP, Ops.running(OP, 10));
    OperationFuture<ImportDataResponse> future = startImport();

    client.close();

    assertThatThrownBy(() -> future.get(5, SECONDS))
        .cause()
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.CANCELLED);
          assertThat(e.getStatus().getDescription()).contains("closed").contains(OP);
        });
    assertThat(operations.cancels).isEmpty();
  }

  @Test
  void toCompletableFuture_completesWithTheOperation_butCancellingItLeavesTheOperationAlone() throws Exception {
    operations.script(OP, Ops.running(OP, 10));
    operations.hold();
    OperationFuture<ImportDataResponse> future = startImport();

    CompletableFuture<ImportDataResponse> copy = future.toCompletableFuture();
    copy.cancel(true);
    CompletableFuture<ImportDataResponse> second = future.toCompletableFuture();
    operations.script(OP, Ops.succeeded(OP, RESPONSE));
    operations.release();

    assertThat(second.get(5, SECONDS)).isEqualTo(RESPONSE);
    assertThat(future.isDone()).isTrue();
    assertThat(operations.cancels).isEmpty();
  }
}
