package dev.nimbus.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The REST transport against a JDK HttpServer playing the HTTP port's Predict and GetModel. */
class RestTransportTest {
  private static final Duration DEADLINE = Duration.ofSeconds(5);

  private HttpServer server;
  private String base;
  private final AtomicInteger calls = new AtomicInteger();
  private final Map<String, Integer> imageBytesSeen = new ConcurrentHashMap<>();
  /** Every n-th Predict is refused with 429 and a google.rpc.Status body (0: none). */
  private volatile int refuseEvery;

  @BeforeEach
  void setUp() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext("/v1/models/flowers:predict", this::predict);
    server.createContext("/v1/models/flowers", ex -> send(ex, 200,
        "{\"name\":\"models/flowers\",\"inputSize\":224,\"inputChannels\":3,\"deploymentState\":\"AVAILABLE\","
            + "\"someFieldFromANewerServer\":1}"));
    server.createContext("/v1/models/missing", ex -> send(ex, 404,
        "{\"code\":5,\"message\":\"no model models/missing\",\"details\":[{\"@type\":\"type.googleapis.com/x\"}]}"));
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void tearDown() {
    server.stop(0);
  }

  private void predict(HttpExchange ex) throws IOException {
    JsonObject req = JsonParser.parseString(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8))
        .getAsJsonObject();
    if (!"POST".equals(ex.getRequestMethod()) || req.has("name")
        || !ex.getRequestHeaders().getFirst("content-type").startsWith("application/json")) {
      send(ex, 400, "{\"code\":3,\"message\":\"bad request\"}");
      return;
    }
    int n = calls.incrementAndGet();
    if (refuseEvery > 0 && n % refuseEvery == 0) {
      send(ex, 429, "{\"code\":8,\"message\":\"queue full\"}");
      return;
    }
    StringBuilder out = new StringBuilder("{\"predictions\":[");
    int images = req.getAsJsonArray("images").size();
    for (int i = 0; i < images; i++) {
      String b64 = req.getAsJsonArray("images").get(i).getAsJsonObject().get("imageBytes").getAsString();
      imageBytesSeen.put(b64, Base64.getDecoder().decode(b64).length);
      out.append(i == 0 ? "" : ",").append("{\"labels\":[{\"label\":\"a\",\"score\":0.9}]}");
    }
    send(ex, 200, out.append("],\"timings\":{\"engine\":\"0.002s\",\"batchSize\":1}}").toString());
  }

  private static void send(HttpExchange ex, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("content-type", "application/json");
    ex.sendResponseHeaders(status, body.length);
    ex.getResponseBody().write(body);
    ex.close();
  }

  @Test
  void closedLoopOverRestCountsAnswersAndMapsRefusalsToTheirGrpcCode() throws Exception {
    refuseEvery = 5;
    PredictPayload payload = PredictPayload.generatedJpeg("flowers", 32, 4, 1, 3, true, 1);
    try (LoadGenerator gen = LoadGenerator.rest(base, 1, HttpClient.Version.HTTP_1_1, null)) {
      long threadsBefore = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount();
      LoadResult r = gen.run(LoadSpec.closed(4, Duration.ofMillis(100), Duration.ofMillis(600), DEADLINE), payload);
      long threadsStarted = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount() - threadsBefore;
      // no thread per call (sendAsync's default-executor hop on small machines): the clients' threads are reused
      // (the count includes the fake server's 4, the client's selector and the generator's timer)
      assertThat(threadsStarted).isLessThan(calls.get() / 2);

      assertThat(r.ok()).isPositive();
      assertThat(r.errors()).containsOnlyKeys("RESOURCE_EXHAUSTED");
      assertThat(r.ok() + r.errorCount("RESOURCE_EXHAUSTED")).isEqualTo(r.sent());
      assertThat(r.clientErrors()).isEmpty(); // every answer parsed, one prediction per image
      assertThat(r.serverTimings().meanBatchSize()).isEqualTo(1.0);
      assertThat(r.maxInFlight()).isEqualTo(4);
      assertThat(r.cpu().generatorCpuSeconds()).isPositive(); // the callback pool and selector are counted
    }
    // the images arrived whole, base64 in the body
    assertThat(imageBytesSeen).hasSize(4).allSatisfy((b64, bytes) -> assertThat(bytes).isGreaterThan(100));
  }

  @Test
  void getModelAndSingleCallsReportTheServersStatus() {
    try (RestTransport t = RestTransport.connect(base, new RestTransport.Options(2, HttpClient.Version.HTTP_1_1,
        "k"))) {
      assertThat(t.getModel("models/flowers", DEADLINE).getInputSize()).isEqualTo(224);
      assertThatThrownBy(() -> t.getModel("models/missing", DEADLINE)).isInstanceOfSatisfying(
          StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
            assertThat(e.getStatus().getDescription()).isEqualTo("no model models/missing");
          });
      PredictPayload payload = PredictPayload.generatedJpeg("flowers", 32, 2, 2, 2, false, 1);
      assertThat(t.predictOnce(payload, 0, DEADLINE).getPredictionsCount()).isEqualTo(2);
      assertThat(t.prepare(payload)).isSameAs(t.prepare(payload)); // encoded once
      assertThat(t.describe()).isEqualTo("REST HTTP/1.1");
    }
  }

  @Test
  void aClosedPortIsUnavailable() throws Exception {
    server.stop(0);
    try (RestTransport t = RestTransport.connect(base, new RestTransport.Options(1, HttpClient.Version.HTTP_1_1,
        null))) {
      PredictPayload payload = PredictPayload.generatedJpeg("flowers", 32, 1, 1, 1, false, 1);
      assertThatThrownBy(() -> t.predictOnce(payload, 0, DEADLINE)).isInstanceOfSatisfying(
          StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }
    assertThat(calls).hasValue(0);
  }
}
