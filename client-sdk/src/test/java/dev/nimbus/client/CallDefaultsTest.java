package dev.nimbus.client;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nimbus.v1.Dataset;
import dev.nimbus.v1.ImportDataResponse;
import io.grpc.Deadline;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CallDefaultsTest {
  private final FakeDatasetService fake = new FakeDatasetService();
  private final FakeOperations operations = new FakeOperations();
  private InProcessServer server;
  private NimbusClient client;

  @BeforeEach
  void setUp() throws Exception {
    server = InProcessServer.start(fake, operations);
    fake.datasets.put("datasets/clouds", Dataset.newBuilder().setName("datasets/clouds").build());
  }

  @AfterEach
  void tearDown() throws Exception {
    if (client != null) {
      client.close();
    }
    server.close();
  }

  @Test
  void apiKey_isSentOnEveryCall_includingOperationPolls() throws Exception {
    client = NimbusClient.forChannel(server.channel(),
        ClientOptions.defaults().withApiKey("k-123").withOperationPollInterval(Duration.ofMillis(10)));
    fake.importOperation = Ops.running("operations/i1", 0);
    operations.script("operations/i1", Ops.succeeded("operations/i1", ImportDataResponse.getDefaultInstance()));

    client.datasets().get("clouds");
    client.datasets().statsAsync("clouds").get(5, SECONDS);
    client.datasets().importCsv("clouds", Path.of("/data/clouds.csv")).get(5, SECONDS);

    // GetDataset, GetDatasetStats, ImportData, WaitOperation.
    assertThat(server.apiKeys).hasSize(4).containsOnly("k-123");
  }

  @Test
  void noApiKey_sendsNoHeader() {
    client = NimbusClient.forChannel(server.channel());

    client.datasets().get("clouds");

    assertThat(server.apiKeys).containsExactly(InProcessServer.NO_HEADER);
  }

  @Test
  void defaultDeadline_isCountedFromEachCallsStart() throws Exception {
    FakeTicker ticker = new FakeTicker();
    client = NimbusClient.forChannel(server.channel(),
        ClientOptions.defaults().withDefaultDeadline(Duration.ofSeconds(10)), ticker, OperationPoller.newScheduler());
    client.datasets().get("clouds");

    ticker.advance(Duration.ofSeconds(5));
    client.datasets().get("clouds");

    // A deadline set once on a stub would have 5 s left for the second call. (The server measures what it is told
    // on its own clock, so a little of the 10 s is gone by the time the fake reads it.)
    Deadline second = fake.getDeadlines.get(1);
    assertThat(second).isNotNull();
    assertThat(second.timeRemaining(MILLISECONDS)).isBetween(9_000L, 10_000L);
  }

  /** A clock the test moves. */
  private static final class FakeTicker extends Deadline.Ticker {
    private final AtomicLong nanos = new AtomicLong();

    @Override
    public long nanoTime() {
      return nanos.get();
    }

    void advance(Duration d) {
      nanos.addAndGet(d.toNanos());
    }
  }

  @Test
  void operationsWait_getsItsTimeoutPlusTheDefaultDeadline() {
    client = NimbusClient.forChannel(server.channel(),
        ClientOptions.defaults().withDefaultDeadline(Duration.ofSeconds(2)));
    operations.script("operations/w1", Ops.running("operations/w1", 10));

    client.operations().wait("w1", Duration.ofSeconds(20));

    assertThat(operations.waits).singleElement()
        .satisfies(wait -> assertThat(wait.getTimeout().getSeconds()).isEqualTo(20));
    // The default 2 s alone would cut a 20 s wait short.
    assertThat(operations.waitDeadlines.get(0).timeRemaining(MILLISECONDS)).isBetween(21_000L, 22_000L);
  }
}
