package dev.nimbus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nimbus.v1.AnnotationSpec;
import dev.nimbus.v1.Dataset;
import dev.nimbus.v1.DatasetStats;
import dev.nimbus.v1.ImportDataResponse;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NimbusClientTest {

  @Test
  void builder_invalidSettings_sayWhatWasExpected() {
    assertThatThrownBy(() -> NimbusClient.builder().defaultDeadline(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("defaultDeadline: PT0S (expected: > 0)");
    assertThatThrownBy(() -> NimbusClient.builder().defaultDeadline(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("defaultDeadline: PT-1S (expected: > 0)");
    assertThatThrownBy(() -> NimbusClient.builder().maxInboundMessageSize(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxInboundMessageSize: 0 (expected: > 0)");
    assertThatThrownBy(() -> NimbusClient.builder().operationPollInterval(Duration.ofMillis(-5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("operationPollInterval: PT-0.005S (expected: > 0)");
    assertThatThrownBy(() -> NimbusClient.builder().target(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("target: ' ' (expected: host:port, e.g. localhost:8470)");
    assertThatThrownBy(() -> NimbusClient.builder().apiKey(""))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("apiKey: '' (expected: a non-blank key)");
    assertThatThrownBy(() -> NimbusClient.builder().tls(Path.of("/no/such/ca.pem")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("trustedCertPem: /no/such/ca.pem (expected: a readable PEM file)");
    assertThatThrownBy(() -> NimbusClient.builder().defaultDeadline(null))
        .isInstanceOf(NullPointerException.class).hasMessage("defaultDeadline");
  }

  @Test
  void builder_apiKeyWithANewline_isRejectedWithoutShowingTheKey() {
    assertThatThrownBy(() -> NimbusClient.builder().apiKey("s3cret\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("index 6")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void builder_settingTwice_throwsIllegalStateException() {
    assertThatThrownBy(() -> NimbusClient.builder().defaultDeadline(Duration.ofSeconds(5))
        .defaultDeadline(Duration.ofSeconds(6)))
        .isInstanceOf(IllegalStateException.class).hasMessage("defaultDeadline was already set to PT5S");
    assertThatThrownBy(() -> NimbusClient.builder().tls().plaintext())
        .isInstanceOf(IllegalStateException.class).hasMessage("transport security was already set to tls");
    assertThatThrownBy(() -> NimbusClient.builder().apiKey("a").apiKey("b"))
        .isInstanceOf(IllegalStateException.class).hasMessage("apiKey was already set");
  }

  @Test
  void clientOptions_validateLikeTheBuilder_andKeepTheApiKeyOutOfToString() {
    assertThatThrownBy(() -> ClientOptions.defaults().withDefaultDeadline(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("defaultDeadline: PT0S (expected: > 0)");
    assertThatThrownBy(() -> ClientOptions.defaults().withMaxInboundMessageSize(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxInboundMessageSize: -1 (expected: > 0)");

    ClientOptions options = ClientOptions.defaults().withApiKey("s3cret-key");

    assertThat(options.apiKey()).isEqualTo("s3cret-key");
    assertThat(options.toString()).doesNotContain("s3cret").contains("apiKey=<set>");
    assertThat(ClientOptions.defaults()).isEqualTo(new ClientOptions(null, Duration.ofSeconds(30), 64 << 20,
        Duration.ofSeconds(1)));
  }

  @Test
  void builtClient_overNetty_callsTheServer_andCloseShutsItsChannelDown() throws Exception {
    FakeDatasetService fake = new FakeDatasetService();
    fake.datasets.put("datasets/clouds", Dataset.newBuilder().setName("datasets/clouds").build());
    Server server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).addService(fake).build()
        .start();
    try {
      NimbusClient client = NimbusClient.builder().target("localhost:" + server.getPort()).plaintext().build();
      assertThat(client.datasets().get("clouds").getName()).isEqualTo("datasets/clouds");

      client.close();
      client.close(); // Idempotent.

      assertThatThrownBy(() -> client.datasets().get("clouds"))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(e.getStatus().getDescription()).containsIgnoringCase("shutdown");
          });
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void builtClient_maxInboundMessageSize_rejectsLargerResponses() throws Exception {
    FakeDatasetService fake = new FakeDatasetService();
    DatasetStats.Builder large = DatasetStats.newBuilder().setDataset("datasets/clouds");
    for (int i = 0; i < 200; i++) {
      large.addLabels(AnnotationSpec.newBuilder().setName("datasets/clouds/annotationSpecs/label_" + i));
    }
    fake.stats = large.build();
    Server server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).addService(fake).build()
        .start();
    try (NimbusClient small = NimbusClient.builder().target("localhost:" + server.getPort())
            .maxInboundMessageSize(1024).build();
        NimbusClient roomy = NimbusClient.builder().target("localhost:" + server.getPort()).build()) {
      assertThatThrownBy(() -> small.datasets().stats("clouds"))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
      assertThat(roomy.datasets().stats("clouds").getLabelsCount()).isEqualTo(200);
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void forChannel_close_leavesTheCallersChannelOpen() throws Exception {
    FakeDatasetService fake = new FakeDatasetService();
    FakeOperations operations = new FakeOperations();
    fake.datasets.put("datasets/clouds", Dataset.newBuilder().setName("datasets/clouds").build());
    fake.importOperation = Ops.succeeded("operations/i1", ImportDataResponse.getDefaultInstance());
    try (InProcessServer server = InProcessServer.start(fake, operations)) {
      NimbusClient first = NimbusClient.forChannel(server.channel());
      first.datasets().get("clouds");

      first.close();

      assertThat(server.channel().isShutdown()).isFalse();
      try (NimbusClient second = NimbusClient.forChannel(server.channel())) {
        assertThat(second.datasets().get("clouds").getName()).isEqualTo("datasets/clouds");
      }
    }
  }
}
