package dev.nimbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.longrunning.ListOperationsResponse;
import com.google.longrunning.Operation;
import com.sun.net.httpserver.HttpServer;
import dev.nimbus.v1.OperationMetadata;
import io.grpc.Status;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nimbus operations list/get/wait/cancel} on a real import. To hold an import in the middle
 * deterministically, its first row is an http:// image served from this test, which answers only once the test
 * releases it; the rows after it come in a second batch, so a cancel requested meanwhile stops the import there.
 */
class OperationsCommandTest {
  /** More rows than one import batch (16 with one import thread), so that a second batch exists to be skipped. */
  private static final int LOCAL_ROWS = 29;

  @TempDir
  static Path tmp;

  private static HttpServer images;
  private static TestServer server;
  private static volatile CountDownLatch requested;
  private static volatile CountDownLatch release;

  @BeforeAll
  static void start() throws IOException {
    images = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    byte[] slowImage = Images.encode(9999, "png");
    images.createContext("/slow.png", exchange -> {
      requested.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.sendResponseHeaders(200, slowImage.length);
      try (OutputStream body = exchange.getResponseBody()) {
        body.write(slowImage);
      }
    });
    images.start();
    server = TestServer.start(tmp.resolve("data"), Map.of(
        "http-import-enabled", "true",
        "http-import-allowed-hosts", "127.0.0.1:" + images.getAddress().getPort(),
        "import-threads", "1"));
  }

  @AfterEach
  void releaseTheSlowImage() {
    if (release != null) {
      release.countDown(); // Never leave a server thread blocked, whatever the test did.
    }
  }

  @AfterAll
  static void stop() {
    server.close();
    images.stop(0);
  }

  private static Cli.Result nimbus(String... args) {
    return Cli.run(Stream.concat(Stream.of(args), Stream.of("--target", server.target())).toArray(String[]::new));
  }

  /** Starts an import that blocks on its first row until {@link #release} is counted down; returns its name. */
  private static String startSlowImport(String dataset) throws Exception {
    requested = new CountDownLatch(1);
    release = new CountDownLatch(1);
    Path folder = tmp.resolve(dataset);
    List<String> rows = new ArrayList<>();
    rows.add("TRAIN,http://127.0.0.1:" + images.getAddress().getPort() + "/slow.png,cirrus");
    for (int i = 0; i < LOCAL_ROWS; i++) {
      Images.write(folder.resolve("img/" + i + ".png"), dataset.hashCode() + i);
      rows.add("TRAIN,img/" + i + ".png,cirrus");
    }
    Files.write(folder.resolve("rows.csv"), rows);
    Cli.succeeded(nimbus("datasets", "create", dataset));
    Cli.Result started = Cli.succeeded(nimbus("datasets", "import", dataset, folder.resolve("rows.csv").toString(),
        "--upload", "--no-wait"));
    assertThat(started.out()).matches("operations/[a-z0-9-]+\n");
    assertThat(requested.await(20, TimeUnit.SECONDS)).as("the server fetched the slow image").isTrue();
    return started.out().strip();
  }

  @Test
  void runningImport_listGetWaitCancel() throws Exception {
    String name = startSlowImport("slow");

    Cli.Result running = Cli.succeeded(nimbus("operations", "list", "--state", "running"));
    assertThat(running.outLines().get(0)).matches("NAME\\s+KIND\\s+TARGET\\s+STATE\\s+PROGRESS\\s+CREATED\\s+STATUS");
    assertThat(running.outLines()).anyMatch(l -> l.matches(name + "\\s+IMPORT_DATA\\s+datasets/slow\\s+RUNNING\\s.*"));

    Cli.Result got = Cli.succeeded(nimbus("operations", "get", name));
    assertThat(got.out()).containsPattern("(?m)^state:\\s+RUNNING \\(not done\\)$")
        .containsPattern("(?m)^rows:\\s+0 of 30 processed$");

    // A wait that gives up: exit 1, the operation shown as it is, and it goes on.
    Cli.Result gaveUp = nimbus("operations", "wait", name, "--timeout", "0.3");
    assertThat(gaveUp.exitCode()).as(gaveUp.toString()).isEqualTo(1);
    assertThat(gaveUp.out()).containsPattern("(?m)^state:\\s+RUNNING \\(not done\\)$");
    assertThat(gaveUp.err()).isEqualTo("nimbus: gave up waiting after 0.3 s: " + name
        + " is still RUNNING (0%); it goes on on the server\n");

    Cli.Result cancel = Cli.succeeded(nimbus("operations", "cancel", name.substring("operations/".length())));
    assertThat(cancel.out()).startsWith("Cancel requested for " + name + " (IMPORT_DATA datasets/slow)");

    release.countDown();
    Cli.Result waited = nimbus("operations", "wait", name);
    assertThat(waited.exitCode()).as(waited.toString()).isEqualTo(1);
    assertThat(waited.out()).containsPattern("(?m)^state:\\s+CANCELLED$");
    // The first batch ran (the slow row and those beside it); the rows after it never did.
    Matcher stopped = Pattern.compile("nimbus: " + name + " \\(IMPORT_DATA"
        + " datasets/slow\\) was cancelled: cancelled after (\\d+) of 30 rows; the (\\d+) imported images are"
        + " kept\n").matcher(waited.err());
    assertThat(stopped.matches()).as(waited.err()).isTrue();
    long processed = Long.parseLong(stopped.group(1));
    assertThat(processed).isBetween(1L, 29L);

    Operation.Builder op = Operation.newBuilder();
    Json.parser().merge(Cli.succeeded(nimbus("operations", "get", name, "--format", "json")).out(), op);
    assertThat(op.getDone()).isTrue();
    assertThat(op.getError().getCode()).isEqualTo(Status.Code.CANCELLED.value());
    OperationMetadata metadata = op.getMetadata().unpack(OperationMetadata.class);
    assertThat(metadata.getState()).isEqualTo(OperationMetadata.State.CANCELLED);
    assertThat(metadata.getImportDataDetails().getImportedCount()).isEqualTo(processed);

    ListOperationsResponse.Builder cancelled = ListOperationsResponse.newBuilder();
    Json.parser().merge(Cli.succeeded(nimbus("operations", "list", "--kind", "import_data", "--state", "CANCELLED",
        "--format", "json")).out(), cancelled);
    assertThat(cancelled.getOperationsList()).extracting(Operation::getName).contains(name);
    assertThat(cancelled.getOperationsList()).allSatisfy(o -> assertThat(
        o.getMetadata().unpack(OperationMetadata.class).getState()).isEqualTo(OperationMetadata.State.CANCELLED));
  }

  @Test
  void cancelOfAFinishedOperation_saysSoAndExitsZero() throws Exception {
    String name = startSlowImport("quick");
    release.countDown();
    Cli.succeeded(nimbus("operations", "wait", name));
    Cli.Result cancel = Cli.succeeded(nimbus("operations", "cancel", name));
    assertThat(cancel.out()).isEqualTo(name + " had already finished (SUCCEEDED); nothing to cancel.\n");
  }

  @Test
  void list_filtersAndLimits() throws Exception {
    String name = startSlowImport("listed");
    release.countDown();
    Cli.succeeded(nimbus("operations", "wait", name));

    Cli.Result one = Cli.succeeded(nimbus("operations", "list", "--limit", "1", "--format", "json"));
    ListOperationsResponse.Builder newest = ListOperationsResponse.newBuilder();
    Json.parser().merge(one.out(), newest);
    assertThat(newest.getOperationsList()).hasSize(1);

    Cli.Result byTarget = Cli.succeeded(nimbus("operations", "list", "--filter", "target = \"datasets/listed\"",
        "--state", "SUCCEEDED"));
    assertThat(byTarget.outLines()).hasSize(2);
    assertThat(byTarget.outLines().get(1)).startsWith(name).contains("SUCCEEDED").contains("100%");

    Cli.Result none = Cli.succeeded(nimbus("operations", "list", "--filter", "target = \"datasets/none\""));
    assertThat(none.out()).isEqualTo("No operations match target = \"datasets/none\".\n");

    Cli.Result badFilter = nimbus("operations", "list", "--filter", "colour = blue");
    assertThat(badFilter.exitCode()).isEqualTo(1);
    assertThat(badFilter.err()).startsWith("nimbus: INVALID_ARGUMENT: filter 'colour = blue': unknown field");
  }

  @Test
  void getOfAnUnknownOperation_exits1_notFound() {
    Cli.Result result = nimbus("operations", "get", "no-such-op");
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).startsWith("nimbus: NOT_FOUND: ").contains("operations/no-such-op");
    assertThat(result.err().lines()).hasSize(1);
  }
}
