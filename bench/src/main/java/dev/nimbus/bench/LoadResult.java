package dev.nimbus.bench;

import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What one load scenario measured. Latencies are from each call's intended send time to its answer.
 *
 * @param scenario e.g. {@code closed C=8}, {@code open 50/s}
 * @param mode {@code CLOSED} or {@code OPEN}
 * @param concurrency closed loop: clients (0 for open loop)
 * @param ratePerSecond open loop: the target rate (0 for closed loop)
 * @param arrivals open loop: {@code POISSON} or {@code UNIFORM}
 * @param payload how images are sent, e.g. {@code generated JPEG 224x224}
 * @param imagesMin fewest images per request
 * @param imagesMax most images per request
 * @param meanRequestBytes serialized request size, mean over the pool
 * @param deadlineMs per-call deadline
 * @param warmupSeconds before the window
 * @param windowSeconds the measured window's actual length
 * @param sent measured calls (intended send time in the window), including ones the generator could not send
 * @param offeredPerSecond {@code sent / windowSeconds}
 * @param ok measured calls that succeeded
 * @param requestsPerSecond successful calls completed inside the window, per second
 * @param imagesPerSecond their images, per second
 * @param latency successful measured calls
 * @param rejected measured calls answered RESOURCE_EXHAUSTED: how fast the refusal came back
 * @param errors measured calls by gRPC status code, other than OK
 * @param clientErrors measured calls that failed in the generator, not on the wire: {@code outstanding-cap}
 *     (open loop had too many in flight), {@code send-failed} (the stub threw), {@code bad-response} (not one
 *     prediction per image), {@code unfinished} (no answer even after the deadline)
 * @param sendLag open loop: how late calls were sent against their schedule (the generator's own health: its p99
 *     should stay well under the latencies measured)
 * @param maxInFlight most calls in flight at once (the generator's count)
 * @param serverTimings from responses' {@code timings}, when they were asked for and returned; else null
 * @param cpu CPU over the window: the generator's threads, this JVM, the machine
 * @param batchSizes the server's batch-size histogram over the window (from its metrics), or null
 */
public record LoadResult(String scenario, String mode, int concurrency, double ratePerSecond, String arrivals,
    String payload, int imagesMin, int imagesMax, long meanRequestBytes, long deadlineMs, double warmupSeconds,
    double windowSeconds, long sent, double offeredPerSecond, long ok, double requestsPerSecond,
    double imagesPerSecond, LatencyStats latency, LatencyStats rejected, Map<String, Long> errors,
    Map<String, Long> clientErrors, LatencyStats sendLag, int maxInFlight, ServerTimings serverTimings,
    CpuMeter.Usage cpu, PrometheusHistogram.Summary batchSizes) {

  /**
   * Per-stage times the server reported in {@code PredictResponse.timings}.
   *
   * @param responses responses that had timings
   * @param meanBatchSize mean of {@code timings.batch_size}
   */
  public record ServerTimings(long responses, Double meanBatchSize, LatencyStats decode, LatencyStats queue,
      LatencyStats engine, LatencyStats total) {}

  public LoadResult withBatchSizes(PrometheusHistogram.Summary b) {
    return new LoadResult(scenario, mode, concurrency, ratePerSecond, arrivals, payload, imagesMin, imagesMax,
        meanRequestBytes, deadlineMs, warmupSeconds, windowSeconds, sent, offeredPerSecond, ok, requestsPerSecond,
        imagesPerSecond, latency, rejected, errors, clientErrors, sendLag, maxInFlight, serverTimings, cpu, b);
  }

  /**
   * Open loop only: more calls succeeded inside the window than were sent in it (by more than 2% and 2 calls), so
   * the backlog of the warm-up was still draining; the run was not in a steady state and the warm-up too short.
   */
  public boolean drainingBacklog() {
    return "OPEN".equals(mode) && requestsPerSecond > offeredPerSecond * 1.02 + 2 / Math.max(windowSeconds, 1e-9);
  }

  public long errorCount(String code) {
    return errors.getOrDefault(code, 0L);
  }

  public long totalErrors() {
    return errors.values().stream().mapToLong(Long::longValue).sum()
        + clientErrors.values().stream().mapToLong(Long::longValue).sum();
  }

  /** The load column: {@code C=8} or {@code 50/s (49.7)}. */
  String loadLabel() {
    if ("CLOSED".equals(mode)) {
      return "C=" + concurrency;
    }
    return LoadSpec.rate(ratePerSecond) + "/s " + (arrivals.startsWith("P") ? "Poisson" : "uniform") + " (sent "
        + String.format(Locale.ROOT, "%.1f", offeredPerSecond) + ")";
  }

  static final String MARKDOWN_HEADER = "| load | config | req/s | img/s | p50 ms | p90 ms | p99 ms | max ms | ok "
      + "| errors | rejected p50/p99 ms | client errors | mean batch | gen CPU |\n"
      + "|---|---|--:|--:|--:|--:|--:|--:|--:|---|--:|---|--:|--:|\n";

  /** One row of {@link #MARKDOWN_HEADER}'s table. */
  String markdownRow(String config) {
    Double batch = batchSizes != null ? batchSizes.meanBatchSize()
        : serverTimings != null ? serverTimings.meanBatchSize() : null;
    String flag = drainingBacklog() ? " †" : "";
    return "| " + loadLabel() + " | " + config + " | " + num(requestsPerSecond) + flag + " | " + num(imagesPerSecond)
        + flag
        + " | " + LatencyStats.fmt(latency.p50Ms()) + " | " + LatencyStats.fmt(latency.p90Ms()) + " | "
        + LatencyStats.fmt(latency.p99Ms()) + " | " + LatencyStats.fmt(latency.maxMs()) + " | " + ok + "/" + sent
        + " | " + codes(errors) + " | "
        + (rejected.count() == 0 ? "–" : LatencyStats.fmt(rejected.p50Ms()) + " / " + LatencyStats.fmt(rejected.p99Ms()))
        + " | " + codes(clientErrors) + " | " + (batch == null ? "–" : String.format(Locale.ROOT, "%.2f", batch))
        + " | " + (cpu == null ? "–" : String.format(Locale.ROOT, "%.0f%%", cpu.generatorCores() * 100)) + " |\n";
  }

  static String codes(Map<String, Long> m) {
    if (m == null || m.isEmpty()) {
      return "–";
    }
    return m.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
  }

  static String num(double v) {
    return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
  }
}
