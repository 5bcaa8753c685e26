package dev.nimbus.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PrometheusHistogramTest {
  static final String SAMPLE = """
      # HELP nimbus_batch_size Images per engine call.
      # TYPE nimbus_batch_size histogram
      nimbus_batch_size_bucket{model="flowers",le="1.0"} 10
      nimbus_batch_size_bucket{model="flowers",le="2.0"} 14
      nimbus_batch_size_bucket{le="4.0",model="flowers"} 30
      nimbus_batch_size_bucket{model="flowers",le="8.0"} 3.9e+01 1700000000000
      nimbus_batch_size_bucket{model="flowers",le="16.0"} 40
      nimbus_batch_size_bucket{model="flowers",le="+Inf"} 40
      nimbus_batch_size_sum{model="flowers"} 150.0
      nimbus_batch_size_count{model="flowers"} 40
      nimbus_batch_size_bucket{model="cats",le="1.0"} 5
      nimbus_batch_size_bucket{model="cats",le="+Inf"} 5
      nimbus_batch_size_sum{model="cats"} 5
      nimbus_batch_size_count{model="cats"} 5
      nimbus_batch_size_seconds_bucket{model="flowers",le="1.0"} 999
      nimbus_predict_requests_total{model="flowers",note="a \\"quoted\\", tricky} value"} 77
      """;

  @Test
  void readsOneModelsBuckets() {
    PrometheusHistogram h = PrometheusHistogram.parse(SAMPLE, "nimbus_batch_size", "flowers").orElseThrow();
    assertThat(h.buckets()).extracting(PrometheusHistogram.Bucket::le)
        .containsExactly("1", "2", "4", "8", "16", "+Inf");
    assertThat(h.buckets()).extracting(PrometheusHistogram.Bucket::cumulative)
        .containsExactly(10L, 14L, 30L, 39L, 40L, 40L);
    assertThat(h.count()).isEqualTo(40);
    assertThat(h.sum()).isEqualTo(150.0);

    PrometheusHistogram.Summary s = h.summary();
    assertThat(s.meanBatchSize()).isCloseTo(3.75, within(1e-9));
    assertThat(s.counts()).containsExactly(Map.entry("1", 10L), Map.entry("2", 4L),
        Map.entry("4", 16L), Map.entry("8", 9L), Map.entry("16", 1L),
        Map.entry("+Inf", 0L));
    assertThat(s.p50()).isEqualTo("4");
    assertThat(s.p99()).isEqualTo("16");
    assertThat(s.compact()).isEqualTo("≤1:10 ≤2:4 ≤4:16 ≤8:9 ≤16:1");
  }

  @Test
  void modelMayBeNamedWithItsPrefixAndOtherModelsAreLeftOut() {
    PrometheusHistogram h = PrometheusHistogram.parse(SAMPLE, "nimbus_batch_size", "models/cats").orElseThrow();
    assertThat(h.count()).isEqualTo(5);
    assertThat(h.buckets()).hasSize(2);
    assertThat(PrometheusHistogram.parse(SAMPLE, "nimbus_batch_size", "dogs")).isEmpty();
    assertThat(PrometheusHistogram.parse("", "nimbus_batch_size", "flowers")).isEmpty();
  }

  @Test
  void seriesThatDifferInOtherLabelsAreAddedUp() {
    String text = """
        nimbus_batch_size_bucket{model="models/m",worker="0",le="1"} 1
        nimbus_batch_size_bucket{model="models/m",worker="0",le="+Inf"} 3
        nimbus_batch_size_bucket{model="models/m",worker="1",le="1"} 2
        nimbus_batch_size_bucket{model="models/m",worker="1",le="+Inf"} 2
        nimbus_batch_size_count{model="models/m",worker="0"} 3
        nimbus_batch_size_count{model="models/m",worker="1"} 2
        nimbus_batch_size_sum{model="models/m",worker="0"} 9
        nimbus_batch_size_sum{model="models/m",worker="1"} 2
        """;
    PrometheusHistogram h = PrometheusHistogram.parse(text, "nimbus_batch_size", "m").orElseThrow();
    assertThat(h.buckets()).extracting(PrometheusHistogram.Bucket::cumulative).containsExactly(3L, 5L);
    assertThat(h.count()).isEqualTo(5);
    assertThat(h.sum()).isEqualTo(11);
  }

  @Test
  void aWindowIsTheDifferenceOfTwoReadings() {
    PrometheusHistogram before = PrometheusHistogram.parse(SAMPLE, "nimbus_batch_size", "flowers").orElseThrow();
    String later = SAMPLE.replace("le=\"8.0\"} 3.9e+01 1700000000000", "le=\"8.0\"} 49")
        .replace("le=\"16.0\"} 40", "le=\"16.0\"} 50").replace("le=\"+Inf\"} 40", "le=\"+Inf\"} 50")
        .replace("_sum{model=\"flowers\"} 150.0", "_sum{model=\"flowers\"} 230")
        .replace("_count{model=\"flowers\"} 40", "_count{model=\"flowers\"} 50");
    PrometheusHistogram after = PrometheusHistogram.parse(later, "nimbus_batch_size", "flowers").orElseThrow();
    PrometheusHistogram.Summary d = after.minus(before).summary();
    assertThat(d.batches()).isEqualTo(10);
    assertThat(d.meanBatchSize()).isEqualTo(8.0);
    assertThat(d.counts().get("8")).isEqualTo(10);
    assertThat(d.counts().get("1")).isZero();
  }

  @Test
  void fetchesFromAnHttpEndpoint() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/metrics", ex -> {
      byte[] body = SAMPLE.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/metrics";
      Optional<PrometheusHistogram> h = PrometheusHistogram.fetch(HttpClient.newHttpClient(), url,
          "nimbus_batch_size", "flowers");
      assertThat(h).isPresent();
      assertThat(h.get().count()).isEqualTo(40);
      assertThat(List.of(h.get().summary().p50())).containsExactly("4");
    } finally {
      server.stop(0);
    }
  }
}
