package dev.nimbus.bench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The serving benchmark's results, every configuration side by side: {@code serving.json} (this record, by Gson)
 * and {@code serving.md}. Reports from separate runs merge ({@link #merge}) so configurations measured by
 * separate calls still end up in one table.
 *
 * @param benchmark {@code serving}
 * @param date when written
 * @param cores available processors
 * @param java the JVM
 * @param os operating system and architecture
 * @param plan what was run
 * @param configurations one per server configuration, in the order given
 * @param engineAlone the engine alone (may be empty)
 * @param notes free text shown under the title
 */
public record ServingReport(String benchmark, String date, int cores, String java, String os,
    ServingBenchmark.Plan plan, List<ConfigurationResult> configurations, List<EngineAlone.Result> engineAlone,
    List<String> notes) {

  public static final String JSON = "serving.json";
  public static final String MARKDOWN = "serving.md";
  /**
   * The setting that names a server deployment measured over several transports: configurations with the same
   * value are compared transport against transport ({@code ## REST vs gRPC}).
   */
  public static final String DEPLOYMENT_SETTING = "deployment";

  /**
   * One server configuration's runs.
   *
   * @param label e.g. {@code batching-on}
   * @param target {@code host:port}, or {@code http://host:port} for REST
   * @param transport how calls were sent ({@link PredictTransport#describe}: {@code gRPC}, {@code REST HTTP/1.1}...);
   *     null in reports written before there was a choice (they were gRPC)
   * @param model {@code models/x}
   * @param metricsUrl the Prometheus endpoint read, or null
   * @param settings the server settings worth showing (e.g. {@code max_batch_size=16}), as given
   * @param modelInfo what GetModel said (input size, state), or why it could not be asked
   * @param startedAt ISO instant
   * @param scenarios in run order
   * @param batchSizes the server's batch-size histogram over the whole configuration run, or null
   * @param metricsError why the metrics could not be read, or null
   */
  public record ConfigurationResult(String label, String target, String transport, String model, String metricsUrl,
      Map<String, String> settings, String modelInfo, String startedAt, List<LoadResult> scenarios,
      PrometheusHistogram.Summary batchSizes, String metricsError) {}

  public static ServingReport of(ServingBenchmark.Plan plan, List<ConfigurationResult> configurations,
      List<EngineAlone.Result> engineAlone, List<String> notes) {
    return new ServingReport("serving", Instant.now().toString(), Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
        System.getProperty("os.name") + " " + System.getProperty("os.arch"), plan, List.copyOf(configurations),
        List.copyOf(engineAlone), List.copyOf(notes));
  }

  /** This report with {@code newer}'s configurations and engine results added; same labels are replaced. */
  public ServingReport merge(ServingReport newer) {
    Map<String, ConfigurationResult> configs = new LinkedHashMap<>();
    configurations.forEach(c -> configs.put(c.label(), c));
    newer.configurations.forEach(c -> configs.put(c.label(), c));
    Map<String, EngineAlone.Result> engines = new LinkedHashMap<>();
    engineAlone.forEach(e -> engines.put(e.label() + "@" + e.batchSize(), e));
    newer.engineAlone.forEach(e -> engines.put(e.label() + "@" + e.batchSize(), e));
    List<String> n = new ArrayList<>(notes);
    newer.notes.stream().filter(x -> !n.contains(x)).forEach(n::add);
    return new ServingReport(benchmark, newer.date, newer.cores, newer.java, newer.os, newer.plan,
        List.copyOf(configs.values()), List.copyOf(engines.values()), List.copyOf(n));
  }

  public ServingReport withEngineAlone(List<EngineAlone.Result> results) {
    return merge(new ServingReport(benchmark, date, cores, java, os, plan, List.of(), results, List.of()));
  }

  static Gson gson() {
    return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().disableHtmlEscaping()
        .create();
  }

  public String json() {
    return gson().toJson(this);
  }

  public static ServingReport read(Path json) throws IOException {
    return gson().fromJson(Files.readString(json), ServingReport.class);
  }

  /** Writes {@code serving.json} and {@code serving.md} into {@code dir}. */
  public void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(JSON), json() + "\n");
    Files.writeString(dir.resolve(MARKDOWN), markdown());
  }

  // ------------------------------------------------------------------ markdown

  public String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("# Nimbus benchmark: serving\n\n");
    md.append(date).append(", ").append(cores).append(" cores, ").append(java).append(", ").append(os)
        .append(".\n\n");
    for (String n : notes) {
      md.append(n).append("\n\n");
    }
    if (plan != null) {
      md.append(plan.describe()).append("\n\n");
    }
    Double busy = meanMachineBusy();
    if (busy != null) {
      md.append(String.format(Locale.ROOT, "Machine busy during the measured windows (all cores, from /proc/stat, "
          + "includes the server and anything else running): %.0f%% on average. Compare configurations by the ratios "
          + "below, which come from the same run.%n%n", busy * 100));
    }

    md.append("## Configurations\n\n| config | target | transport | model | settings | model info |\n"
        + "|---|---|---|---|---|---|\n");
    for (ConfigurationResult c : configurations) {
      md.append("| ").append(c.label()).append(" | ").append(c.target()).append(" | ")
          .append(c.transport() == null ? "gRPC" : c.transport()).append(" | ").append(c.model()).append(" | ")
          .append(c.settings() == null || c.settings().isEmpty() ? "–" : c.settings().entrySet().stream()
              .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ")))
          .append(" | ").append(c.modelInfo() == null ? "–" : c.modelInfo()).append(" |\n");
    }

    List<String> keys = scenarioKeys();
    md.append("\n## Results\n\nThroughput counts successful calls completed inside the window; latencies are of "
        + "successful calls, from the intended send time; `ok` is successful/measured calls; errors are by gRPC "
        + "status code; `gen CPU` is the load generator's own threads, as a share of one core.\n\n");
    md.append(LoadResult.MARKDOWN_HEADER);
    for (String k : keys) {
      for (ConfigurationResult c : configurations) {
        LoadResult r = find(c, k);
        if (r != null) {
          md.append(r.markdownRow(c.label()));
        }
      }
    }

    if (configurations.stream().flatMap(c -> c.scenarios().stream()).anyMatch(LoadResult::drainingBacklog)) {
      md.append("\n† More calls succeeded inside the window than were sent in it: the warm-up's backlog was still "
          + "draining, so that row is not a steady state. Lengthen the warm-up.\n");
    }

    if (configurations.size() > 1) {
      ConfigurationResult base = configurations.get(0);
      md.append("\n## Ratios against ").append(base.label()).append(" (same run)\n\n| load |");
      StringBuilder sep = new StringBuilder("|---|");
      for (ConfigurationResult c : configurations.subList(1, configurations.size())) {
        md.append(' ').append(c.label()).append(" img/s × | ").append(c.label()).append(" p99 × |");
        sep.append("--:|--:|");
      }
      md.append('\n').append(sep).append('\n');
      for (String k : keys) {
        LoadResult b = find(base, k);
        if (b == null) {
          continue;
        }
        md.append("| ").append(b.loadLabel()).append(" |");
        for (ConfigurationResult c : configurations.subList(1, configurations.size())) {
          LoadResult r = find(c, k);
          md.append(' ').append(r == null ? "–" : ratio(r.imagesPerSecond(), b.imagesPerSecond())).append(" | ")
              .append(r == null ? "–" : ratio(r.latency().p99Ms(), b.latency().p99Ms())).append(" |");
        }
        md.append('\n');
      }
    }

    md.append(transportComparison(keys));

    if (!engineAlone.isEmpty()) {
      md.append("\n## Engine alone\n\nIn-process engine calls on pre-decoded batches, no server.\n\n"
          + "| engine | batch | img/s | batch p50 ms | batch p99 ms |\n|---|--:|--:|--:|--:|\n");
      for (EngineAlone.Result e : engineAlone) {
        md.append("| ").append(e.label()).append(" | ").append(e.batchSize()).append(" | ")
            .append(LoadResult.num(e.imagesPerSecond())).append(" | ").append(LatencyStats.fmt(e.batchLatency().p50Ms()))
            .append(" | ").append(LatencyStats.fmt(e.batchLatency().p99Ms())).append(" |\n");
      }
      if (!configurations.isEmpty()) {
        md.append("\nBest served img/s (any load) ÷ engine alone img/s:\n\n| config | best served img/s |");
        StringBuilder sep = new StringBuilder("|---|--:|");
        for (EngineAlone.Result e : engineAlone) {
          md.append(" ÷ ").append(e.label()).append(" b=").append(e.batchSize()).append(" |");
          sep.append("--:|");
        }
        md.append('\n').append(sep).append('\n');
        for (ConfigurationResult c : configurations) {
          double best = c.scenarios().stream().mapToDouble(LoadResult::imagesPerSecond).max().orElse(0);
          md.append("| ").append(c.label()).append(" | ").append(LoadResult.num(best)).append(" |");
          for (EngineAlone.Result e : engineAlone) {
            md.append(' ').append(ratio(best, e.imagesPerSecond())).append(" |");
          }
          md.append('\n');
        }
      }
    }

    boolean anyBatches = configurations.stream().anyMatch(c -> c.batchSizes() != null
        || c.scenarios().stream().anyMatch(s -> s.batchSizes() != null));
    if (anyBatches) {
      md.append("\n## Batch sizes\n\nFrom the server's `").append(plan == null ? "nimbus_batch_size" : plan.metric())
          .append("` histogram, read before and after each window (p50/p99 are bucket upper bounds).\n\n"
          + "| load | config | batches | mean | p50 | p99 | batches per size bucket |\n|---|---|--:|--:|--:|--:|---|\n");
      for (String k : keys) {
        for (ConfigurationResult c : configurations) {
          LoadResult r = find(c, k);
          if (r != null && r.batchSizes() != null) {
            md.append(batchRow(r.loadLabel(), c.label(), r.batchSizes()));
          }
        }
      }
      for (ConfigurationResult c : configurations) {
        if (c.batchSizes() != null) {
          md.append(batchRow("whole run", c.label(), c.batchSizes()));
        }
      }
    }
    for (ConfigurationResult c : configurations) {
      if (c.metricsError() != null) {
        md.append("\nMetrics for ").append(c.label()).append(": ").append(c.metricsError()).append('\n');
      }
    }

    boolean anyTimings = configurations.stream().flatMap(c -> c.scenarios().stream())
        .anyMatch(s -> s.serverTimings() != null);
    if (anyTimings) {
      md.append("\n## Server-reported timings\n\nFrom `PredictResponse.timings` (successful calls), ms p50 / p99.\n\n"
          + "| load | config | mean batch | decode | queue | engine | total |\n|---|---|--:|--:|--:|--:|--:|\n");
      for (String k : keys) {
        for (ConfigurationResult c : configurations) {
          LoadResult r = find(c, k);
          if (r != null && r.serverTimings() != null) {
            LoadResult.ServerTimings t = r.serverTimings();
            md.append("| ").append(r.loadLabel()).append(" | ").append(c.label()).append(" | ")
                .append(t.meanBatchSize() == null ? "–" : String.format(Locale.ROOT, "%.2f", t.meanBatchSize()))
                .append(" | ").append(pp(t.decode())).append(" | ").append(pp(t.queue())).append(" | ")
                .append(pp(t.engine())).append(" | ").append(pp(t.total())).append(" |\n");
          }
        }
      }
    }

    md.append("\n## Load generator\n\nSend lag: how late open-loop calls left against their schedule. CPU over the "
        + "window, in cores: the generator's threads, its whole JVM, and the machine's busy share of all cores.\n\n"
        + "| load | config | sent/s | send lag p50 / p99 ms | max in flight | gen CPU s | gen cores | JVM cores "
        + "| machine busy | request bytes |\n|---|---|--:|--:|--:|--:|--:|--:|--:|--:|\n");
    for (String k : keys) {
      for (ConfigurationResult c : configurations) {
        LoadResult r = find(c, k);
        if (r == null) {
          continue;
        }
        CpuMeter.Usage u = r.cpu();
        md.append("| ").append(r.loadLabel()).append(" | ").append(c.label()).append(" | ")
            .append(LoadResult.num(r.offeredPerSecond())).append(" | ")
            .append(r.sendLag() == null ? "–" : pp(r.sendLag())).append(" | ").append(r.maxInFlight()).append(" | ")
            .append(u == null ? "–" : String.format(Locale.ROOT, "%.2f | %.2f | %.2f | %s", u.generatorCpuSeconds(),
                u.generatorCores(), u.processCores(),
                u.machineBusy() == null ? "–" : String.format(Locale.ROOT, "%.0f%%", u.machineBusy() * 100)))
            .append(" | ").append(r.meanRequestBytes()).append(" |\n");
      }
    }
    return md.toString();
  }

  /**
   * For each deployment measured over native gRPC and another transport (REST, or Cloud AutoML's Predict;
   * {@link #DEPLOYMENT_SETTING}): both side by side per load, and other ÷ gRPC for images/s and p99, whichever
   * transport ran first. Empty when no deployment has both.
   */
  private String transportComparison(List<String> keys) {
    Map<String, List<ConfigurationResult>> byDeployment = new LinkedHashMap<>();
    for (ConfigurationResult c : configurations) {
      String d = c.settings() == null ? null : c.settings().get(DEPLOYMENT_SETTING);
      if (d != null) {
        byDeployment.computeIfAbsent(d, k -> new ArrayList<>()).add(c);
      }
    }
    StringBuilder md = new StringBuilder();
    for (Map.Entry<String, List<ConfigurationResult>> e : byDeployment.entrySet()) {
      ConfigurationResult grpc = e.getValue().stream().filter(c -> isNativeGrpc(c.transport()))
          .findFirst().orElse(null);
      ConfigurationResult other = e.getValue().stream().filter(c -> !isNativeGrpc(c.transport()))
          .findFirst().orElse(null);
      if (grpc == null || other == null) {
        continue;
      }
      boolean rest = PredictTransport.isRest(other.transport());
      String o = rest ? "REST" : "AutoML";
      if (md.isEmpty()) {
        md.append(rest ? "\n## REST vs gRPC (same deployment, same run, scenarios interleaved)\n\nThe same payload and "
            + "load over the gRPC port and over the HTTP port's REST/JSON API. Ratios are REST ÷ gRPC: img/s "
            + "below 1 and p99 above 1 mean REST is worse.\n"
            : "\n## Cloud AutoML's Predict vs Nimbus's (same deployment, same run, scenarios interleaved)\n\nThe "
            + "same images and load through google.cloud.automl.v1.PredictionService and nimbus.v1's, on the same "
            + "gRPC port. Ratios are AutoML ÷ gRPC: img/s below 1 and p99 above 1 mean the adapter costs.\n");
      }
      md.append("\n### ").append(e.getKey()).append(": ").append(other.transport()).append(" vs ")
          .append(grpc.transport() == null ? "gRPC" : grpc.transport()).append("\n\n| load | gRPC img/s | gRPC p50 ms "
          + "| gRPC p99 ms | " + o + " img/s | " + o + " p50 ms | " + o + " p99 ms | " + o + " ÷ gRPC img/s | " + o
          + " ÷ gRPC p99 | gRPC / " + o + " gen CPU |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
      for (String k : keys) {
        LoadResult g = find(grpc, k);
        LoadResult r = find(other, k);
        if (g == null || r == null) {
          continue;
        }
        md.append("| ").append(g.loadLabel()).append(" | ").append(LoadResult.num(g.imagesPerSecond())).append(" | ")
            .append(LatencyStats.fmt(g.latency().p50Ms())).append(" | ").append(LatencyStats.fmt(g.latency().p99Ms()))
            .append(" | ").append(LoadResult.num(r.imagesPerSecond())).append(" | ")
            .append(LatencyStats.fmt(r.latency().p50Ms())).append(" | ").append(LatencyStats.fmt(r.latency().p99Ms()))
            .append(" | ").append(ratio(r.imagesPerSecond(), g.imagesPerSecond())).append(" | ")
            .append(ratio(r.latency().p99Ms(), g.latency().p99Ms())).append(" | ").append(cores(g)).append(" / ")
            .append(cores(r)).append(" |\n");
      }
    }
    return md.toString();
  }

  /** Nimbus's own API over gRPC ({@code gRPC}, or no transport recorded), not REST or AutoML's API. */
  private static boolean isNativeGrpc(String transport) {
    return transport == null || transport.equals("gRPC");
  }

  private static String cores(LoadResult r) {
    return r.cpu() == null ? "–" : String.format(Locale.ROOT, "%.0f%%", r.cpu().generatorCores() * 100);
  }

  private static String batchRow(String load, String config, PrometheusHistogram.Summary s) {
    return "| " + load + " | " + config + " | " + s.batches() + " | "
        + (s.meanBatchSize() == null ? "–" : String.format(Locale.ROOT, "%.2f", s.meanBatchSize())) + " | "
        + Objects.requireNonNullElse(s.p50(), "–") + " | " + Objects.requireNonNullElse(s.p99(), "–") + " | "
        + s.compact() + " |\n";
  }

  private static String pp(LatencyStats s) {
    return s == null || s.count() == 0 ? "–" : LatencyStats.fmt(s.p50Ms()) + " / " + LatencyStats.fmt(s.p99Ms());
  }

  private static String ratio(Double a, Double b) {
    if (a == null || b == null || b == 0) {
      return "–";
    }
    return String.format(Locale.ROOT, "%.2f", a / b);
  }

  /** A scenario's identity across configurations: mode and load. */
  static String key(LoadResult r) {
    return "CLOSED".equals(r.mode()) ? "C" + r.concurrency() : "R" + r.ratePerSecond() + r.arrivals();
  }

  private List<String> scenarioKeys() {
    List<String> keys = new ArrayList<>();
    for (ConfigurationResult c : configurations) {
      for (LoadResult r : c.scenarios()) {
        if (!keys.contains(key(r))) {
          keys.add(key(r));
        }
      }
    }
    List<String> closed = keys.stream().filter(k -> k.startsWith("C")).toList();
    List<String> open = keys.stream().filter(k -> k.startsWith("R")).toList();
    List<String> out = new ArrayList<>(closed);
    out.addAll(open);
    return out;
  }

  private static LoadResult find(ConfigurationResult c, String key) {
    for (LoadResult r : c.scenarios()) {
      if (key(r).equals(key)) {
        return r;
      }
    }
    return null;
  }

  private Double meanMachineBusy() {
    double sum = 0;
    int n = 0;
    for (ConfigurationResult c : configurations) {
      for (LoadResult r : c.scenarios()) {
        if (r.cpu() != null && r.cpu().machineBusy() != null) {
          sum += r.cpu().machineBusy();
          n++;
        }
      }
    }
    return n == 0 ? null : sum / n;
  }
}
