package dev.nimbus.server.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The server's Prometheus metrics, served as text on {@code /metrics} when a port is configured:
 * <ul>
 *   <li>{@code nimbus_requests_total{method,code}} and {@code nimbus_request_duration_seconds{method}};
 *   <li>{@code nimbus_stage_duration_seconds{model,stage}}, stage decode, queue or engine;
 *   <li>{@code nimbus_batch_size{model}}, a histogram of images per engine call;
 *   <li>{@code nimbus_images_total{model}} (its rate is images per second) and
 *       {@code nimbus_images_refused_total{model,reason}} (queue full, deadline passed, cancelled);
 *   <li>{@code nimbus_queue_depth{model}}, images waiting.
 * </ul>
 */
public final class ServerMetrics implements AutoCloseable {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter requests = Counter.builder().name("nimbus_requests_total")
      .help("gRPC calls by method and status code").labelNames("method", "code").register(registry);
  private final Histogram requestSeconds = Histogram.builder().name("nimbus_request_duration_seconds")
      .help("gRPC call latency by method").labelNames("method").classicOnly()
      .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
      .register(registry);
  private final Histogram stageSeconds = Histogram.builder().name("nimbus_stage_duration_seconds")
      .help("Predict time per stage: decode, queue (waiting for a batch), engine").labelNames("model", "stage")
      .classicOnly().classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
      .register(registry);
  private final Histogram batchSize = Histogram.builder().name("nimbus_batch_size")
      .help("Images per engine call").labelNames("model").classicOnly()
      .classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128, 256, 512).register(registry);
  private final Counter images = Counter.builder().name("nimbus_images_total")
      .help("Images predicted").labelNames("model").register(registry);
  private final Counter refused = Counter.builder().name("nimbus_images_refused_total")
      .help("Images refused or dropped before the engine ran, by reason").labelNames("model", "reason")
      .register(registry);
  private volatile HTTPServer server;

  /** @param queueDepths model to images waiting, read when scraped */
  public ServerMetrics(Supplier<Map<String, Integer>> queueDepths) {
    GaugeWithCallback.builder().name("nimbus_queue_depth").help("Images waiting for a batch, per model")
        .labelNames("model")
        .callback(cb -> queueDepths.get().forEach((model, depth) -> cb.call(depth, model)))
        .register(registry);
  }

  /** Serves {@code /metrics} on {@code port} (0: any free port); returns the port. */
  public int serve(int port) throws IOException {
    server = HTTPServer.builder().port(port).registry(registry).buildAndStart();
    return server.getPort();
  }

  public void call(String method, String code, double seconds) {
    requests.labelValues(method, code).inc();
    requestSeconds.labelValues(method).observe(seconds);
  }

  public void stage(String model, String stage, double seconds) {
    stageSeconds.labelValues(model, stage).observe(seconds);
  }

  public void batch(String model, int size) {
    batchSize.labelValues(model).observe(size);
    images.labelValues(model).inc(size);
  }

  public void refused(String model, String reason, int count) {
    refused.labelValues(model, reason).inc(count);
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop();
    }
  }
}
