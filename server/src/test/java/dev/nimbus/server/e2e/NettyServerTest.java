package dev.nimbus.server.e2e;

import static dev.nimbus.server.testing.Statuses.assertFails;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.nimbus.server.NimbusServer;
import dev.nimbus.server.config.ConfigLoader;
import dev.nimbus.server.config.ServerConfig;
import dev.nimbus.v1.CreateDatasetRequest;
import dev.nimbus.v1.DatasetServiceGrpc;
import dev.nimbus.v1.GetDatasetRequest;
import dev.nimbus.v1.ImportDataRequest;
import dev.nimbus.v1.InputConfig;
import dev.nimbus.v1.ListDatasetsRequest;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.TlsTesting;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real Netty server on an ephemeral loopback port: health, reflection, limits, TLS and API keys. */
class NettyServerTest {
  @TempDir Path tmp;

  private NimbusServer start(Map<String, String> settings) throws Exception {
    Map<String, String> s = new HashMap<>(settings);
    s.put("port", "0");
    s.putIfAbsent("http-port", "0");
    s.put("data-dir", tmp.resolve("data").toString());
    ServerConfig config = ConfigLoader.load(Map.of(), s);
    return NimbusServer.netty(config, Clock.systemUTC()).start();
  }

  private static ManagedChannel plaintext(NimbusServer server) {
    return Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(), InsecureChannelCredentials.create())
        .maxInboundMessageSize(16 << 20).build();
  }

  @Test
  void start_failingOnATakenPort_closesWhatItOpened_soTheDataDirectoryCanBeUsedAgain() throws Exception {
    Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      ServerConfig config = ConfigLoader.load(Map.of(), Map.of("port", Integer.toString(taken.getLocalPort()),
          "data-dir", tmp.resolve("data").toString()));
      NimbusServer server = NimbusServer.netty(config, Clock.systemUTC());
      assertThatThrownBy(server::start).isInstanceOf(IOException.class);
      server.close();
    }
    // It left no thread of its own running (a pool's last worker may still be returning: join it).
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (!before.contains(t) && t.getName().startsWith("nimbus-")) {
        t.join(5_000);
        assertThat(t.isAlive()).as(t.getName()).isFalse();
      }
    }
    // The data directory's lock and database were released: another server opens them at once.
    try (NimbusServer again = start(Map.of())) {
      assertThat(again.port()).isPositive();
    }
  }

  @Test
  void health_reportsServingForTheServerAndEachService() throws Exception {
    try (NimbusServer server = start(Map.of())) {
      ManagedChannel ch = plaintext(server);
      try {
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(ch);
        for (String service : List.of("", "nimbus.v1.DatasetService", "nimbus.v1.ModelService",
            "nimbus.v1.PredictionService", "google.longrunning.Operations")) {
          assertThat(health.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus())
              .as(service).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        }
        assertFails(Status.Code.NOT_FOUND, "", () -> health.check(HealthCheckRequest.newBuilder()
            .setService("no.such.Service").build()));
      } finally {
        ch.shutdownNow();
      }
    }
  }

  @Test
  void reflection_listsTheNimbusServices_soGenericClientsWork() throws Exception {
    try (NimbusServer server = start(Map.of())) {
      ManagedChannel ch = plaintext(server);
      try {
        List<String> services = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(ch).serverReflectionInfo(
            new StreamObserver<ServerReflectionResponse>() {
              @Override
              public void onNext(ServerReflectionResponse r) {
                r.getListServicesResponse().getServiceList().forEach(s -> services.add(s.getName()));
              }

              @Override
              public void onError(Throwable t) {
                done.countDown();
              }

              @Override
              public void onCompleted() {
                done.countDown();
              }
            });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        requests.onCompleted();
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(services).contains("nimbus.v1.DatasetService", "nimbus.v1.ModelService",
            "nimbus.v1.PredictionService", "google.longrunning.Operations", "grpc.health.v1.Health");
      } finally {
        ch.shutdownNow();
      }
    }
  }

  @Test
  void requestOverTheMessageLimit_isResourceExhausted_andTheServerKeepsServing() throws Exception {
    try (NimbusServer server = start(Map.of("max-message-bytes", String.valueOf(64 * 1024)))) {
      ManagedChannel ch = plaintext(server);
      try {
        DatasetServiceGrpc.DatasetServiceBlockingStub datasets = DatasetServiceGrpc.newBlockingStub(ch);
        datasets.createDataset(CreateDatasetRequest.newBuilder().setDatasetId("d").build());
        byte[] big = new byte[200 * 1024];
        Arrays.fill(big, (byte) 'a');
        StatusRuntimeException e = Assertions.catchThrowableOfType(StatusRuntimeException.class,
            () -> datasets.importData(ImportDataRequest.newBuilder().setName("datasets/d")
                .setInputConfig(InputConfig.newBuilder().setCsvContent(ByteString.copyFrom(big))).build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(datasets.getDataset(GetDatasetRequest.newBuilder().setName("datasets/d").build()).getName())
            .isEqualTo("datasets/d");
      } finally {
        ch.shutdownNow();
      }
    }
  }

  @Test
  void tls_servesOnlyTls_withTheConfiguredCertificate() throws Exception {
    Path cert = copy("server1.pem");
    Path key = copy("server1.key");
    try (NimbusServer server = start(Map.of("tls-cert", cert.toString(), "tls-key", key.toString()))) {
      ChannelCredentials creds;
      try (InputStream ca = TlsTesting.loadCert("ca.pem")) {
        creds = TlsChannelCredentials.newBuilder().trustManager(ca).build();
      }
      ManagedChannel ch = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(), creds)
          .overrideAuthority("foo.test.google.fr").build();
      try {
        assertThat(DatasetServiceGrpc.newBlockingStub(ch).listDatasets(ListDatasetsRequest.getDefaultInstance())
            .getDatasetsList()).isEmpty();
      } finally {
        ch.shutdownNow();
      }
      ManagedChannel plain = plaintext(server);
      try {
        StatusRuntimeException e = Assertions.catchThrowableOfType(StatusRuntimeException.class,
            () -> DatasetServiceGrpc.newBlockingStub(plain).withDeadlineAfter(5, TimeUnit.SECONDS)
                .listDatasets(ListDatasetsRequest.getDefaultInstance()));
        assertThat(e.getStatus().getCode()).isIn(Status.Code.UNAVAILABLE, Status.Code.INTERNAL,
            Status.Code.DEADLINE_EXCEEDED);
      } finally {
        plain.shutdownNow();
      }
    }
  }

  @Test
  void apiKeys_missingOrWrongIsUnauthenticated_readerCannotWrite_healthStaysOpen() throws Exception {
    Path keys = Files.writeString(tmp.resolve("keys"), "admin-0123456789abcdef admin\nreader-0123456789abcdef reader\n");
    try (NimbusServer server = start(Map.of("api-keys-file", keys.toString()))) {
      ManagedChannel ch = plaintext(server);
      try {
        DatasetServiceGrpc.DatasetServiceBlockingStub anonymous = DatasetServiceGrpc.newBlockingStub(ch);
        assertFails(Status.Code.UNAUTHENTICATED, "x-api-key", () -> anonymous.listDatasets(ListDatasetsRequest.getDefaultInstance()));
        assertFails(Status.Code.UNAUTHENTICATED, "not valid", () -> withKey(anonymous, "x-api-key", "wrong-0123456789abcdef")
            .listDatasets(ListDatasetsRequest.getDefaultInstance()));
        DatasetServiceGrpc.DatasetServiceBlockingStub reader = withKey(anonymous, "x-api-key", "reader-0123456789abcdef");
        assertThat(reader.listDatasets(ListDatasetsRequest.getDefaultInstance()).getDatasetsList()).isEmpty();
        assertFails(Status.Code.PERMISSION_DENIED, "role reader", () -> reader.createDataset(
            CreateDatasetRequest.newBuilder().setDatasetId("d").build()));
        DatasetServiceGrpc.DatasetServiceBlockingStub admin = withKey(anonymous, "authorization", "Bearer admin-0123456789abcdef");
        assertThat(admin.createDataset(CreateDatasetRequest.newBuilder().setDatasetId("d").build()).getName())
            .isEqualTo("datasets/d");
        assertThat(HealthGrpc.newBlockingStub(ch).check(HealthCheckRequest.getDefaultInstance()).getStatus())
            .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
      } finally {
        ch.shutdownNow();
      }
    }
  }

  @Test
  void metricsEndpoint_servesPrometheusText_countingCallsByMethodAndCode() throws Exception {
    try (NimbusServer server = start(Map.of("metrics-port", "0"))) {
      ManagedChannel ch = plaintext(server);
      try {
        DatasetServiceGrpc.DatasetServiceBlockingStub datasets = DatasetServiceGrpc.newBlockingStub(ch);
        datasets.listDatasets(ListDatasetsRequest.getDefaultInstance());
        Assertions.catchThrowable(() -> datasets.getDataset(GetDatasetRequest.newBuilder()
            .setName("datasets/nope").build()));
      } finally {
        ch.shutdownNow();
      }
      assertThat(server.metricsPort()).isPositive();
      HttpResponse<String> r = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.metricsPort()
              + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("nimbus_requests_total{code=\"OK\",method=\"ListDatasets\"} 1.0")
          .contains("nimbus_requests_total{code=\"NOT_FOUND\",method=\"GetDataset\"} 1.0")
          .contains("nimbus_request_duration_seconds_bucket");
    }
  }

  private static DatasetServiceGrpc.DatasetServiceBlockingStub withKey(DatasetServiceGrpc.DatasetServiceBlockingStub stub,
      String header, String value) {
    Metadata m = new Metadata();
    m.put(Metadata.Key.of(header, Metadata.ASCII_STRING_MARSHALLER), value);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
  }

  private Path copy(String resource) throws Exception {
    try (InputStream in = TlsTesting.loadCert(resource)) {
      Path p = tmp.resolve(resource);
      Files.copy(in, p);
      return p;
    }
  }
}
