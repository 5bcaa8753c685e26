package dev.nimbus.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One model's series of a Prometheus histogram, read from the text exposition format, e.g.
 *
 * <pre>
 * nimbus_batch_size_bucket{model="flowers",le="4"} 17
 * nimbus_batch_size_sum{model="flowers"} 51
 * nimbus_batch_size_count{model="flowers"} 20
 * </pre>
 *
 * Buckets are cumulative, as in the format. Series with the same model but other labels differing are added up.
 * The model label may be written with or without the {@code models/} prefix. The counters grow from the server's
 * start, so a run's own histogram is {@code after.minus(before)}.
 *
 * @param metric base name, e.g. {@code nimbus_batch_size}
 * @param model the {@code model} label asked for
 * @param buckets upper bounds ascending, cumulative counts
 * @param count {@code _count}
 * @param sum {@code _sum}
 */
public record PrometheusHistogram(String metric, String model, List<Bucket> buckets, long count, double sum) {

  public static final String BATCH_SIZE_METRIC = "nimbus_batch_size";

  /** @param le the bound as written ({@code +Inf} for the last) */
  public record Bucket(String le, long cumulative) {
    double upper() {
      return parseNumber(le);
    }
  }

  /**
   * What a report shows.
   *
   * @param batches observations (engine calls)
   * @param images their sum (images run)
   * @param meanBatchSize sum / count
   * @param p50 the upper bound of the bucket holding the median (an upper estimate)
   * @param p99 likewise for the 99th percentile
   * @param counts observations per bucket (not cumulative), by upper bound
   */
  public record Summary(long batches, double images, Double meanBatchSize, String p50, String p99,
      Map<String, Long> counts) {
    /** {@code 1:3 2:10 4:40}, leaving out empty buckets. */
    public String compact() {
      StringBuilder sb = new StringBuilder();
      counts.forEach((le, n) -> {
        if (n > 0) {
          sb.append(sb.length() == 0 ? "" : " ").append("≤").append(le).append(':').append(n);
        }
      });
      return sb.length() == 0 ? "–" : sb.toString();
    }
  }

  public Summary summary() {
    Map<String, Long> counts = new LinkedHashMap<>();
    long prev = 0;
    for (Bucket b : buckets) {
      counts.put(b.le(), b.cumulative() - prev);
      prev = b.cumulative();
    }
    Double mean = count > 0 ? Math.round(sum / count * 1000.0) / 1000.0 : null;
    return new Summary(count, sum, mean, percentile(50), percentile(99), counts);
  }

  /** The upper bound of the first bucket holding at least p% of the observations; null when empty. */
  public String percentile(double p) {
    long total = buckets.isEmpty() ? 0 : buckets.get(buckets.size() - 1).cumulative();
    if (total == 0) {
      return null;
    }
    double need = total * p / 100.0;
    for (Bucket b : buckets) {
      if (b.cumulative() >= need) {
        return b.le();
      }
    }
    return buckets.get(buckets.size() - 1).le();
  }

  /** This histogram less an earlier reading of the same series (bucket by bucket). */
  public PrometheusHistogram minus(PrometheusHistogram earlier) {
    if (earlier == null) {
      return this;
    }
    Map<Double, Long> before = new HashMap<>();
    for (Bucket b : earlier.buckets) {
      before.put(b.upper(), b.cumulative());
    }
    List<Bucket> out = new ArrayList<>();
    for (Bucket b : buckets) {
      out.add(new Bucket(b.le(), Math.max(0, b.cumulative() - before.getOrDefault(b.upper(), 0L))));
    }
    return new PrometheusHistogram(metric, model, List.copyOf(out), Math.max(0, count - earlier.count),
        Math.max(0, sum - earlier.sum));
  }

  /** Reads {@code metric}'s series for {@code model}; empty when the text has none. */
  public static Optional<PrometheusHistogram> parse(String text, String metric, String model) {
    TreeMap<Double, Long> buckets = new TreeMap<>();
    Map<Double, String> les = new HashMap<>();
    double sum = 0;
    double count = 0;
    boolean found = false;
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Sample s = sample(line);
      if (s == null || !s.name.startsWith(metric) || !sameModel(s.labels.get("model"), model)) {
        continue;
      }
      String suffix = s.name.substring(metric.length());
      switch (suffix) {
        case "_bucket" -> {
          String le = s.labels.get("le");
          if (le == null) {
            continue;
          }
          double upper = parseNumber(le);
          buckets.merge(upper, Math.round(s.value), Long::sum);
          les.putIfAbsent(upper, formatLe(upper, le));
          found = true;
        }
        case "_sum" -> {
          sum += s.value;
          found = true;
        }
        case "_count" -> {
          count += s.value;
          found = true;
        }
        default -> { }
      }
    }
    if (!found) {
      return Optional.empty();
    }
    List<Bucket> list = new ArrayList<>();
    buckets.forEach((upper, n) -> list.add(new Bucket(les.get(upper), n)));
    long c = Math.round(count);
    if (buckets.isEmpty() || buckets.lastKey() != Double.POSITIVE_INFINITY) {
      list.add(new Bucket("+Inf", c)); // the format requires it; tolerate its absence
    }
    return Optional.of(new PrometheusHistogram(metric, model, List.copyOf(list), c, sum));
  }

  /** GETs the endpoint and parses it. */
  public static Optional<PrometheusHistogram> fetch(HttpClient http, String url, String metric, String model)
      throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
        .header("Accept", "text/plain").GET().build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET " + url + ": HTTP " + r.statusCode());
    }
    return parse(r.body(), metric, model);
  }

  private static boolean sameModel(String label, String model) {
    if (label == null) {
      return false;
    }
    return strip(label).equals(strip(model));
  }

  private static String strip(String m) {
    return m.startsWith("models/") ? m.substring("models/".length()) : m;
  }

  private static String formatLe(double upper, String asWritten) {
    if (Double.isInfinite(upper)) {
      return "+Inf";
    }
    if (upper == Math.rint(upper) && Math.abs(upper) < 1e15) {
      return Long.toString((long) upper);
    }
    return asWritten;
  }

  static double parseNumber(String s) {
    return switch (s.strip().toLowerCase(Locale.ROOT)) {
      case "+inf", "inf" -> Double.POSITIVE_INFINITY;
      case "-inf" -> Double.NEGATIVE_INFINITY;
      case "nan" -> Double.NaN;
      default -> Double.parseDouble(s.strip());
    };
  }

  private record Sample(String name, Map<String, String> labels, double value) {}

  /** {@code name{l="v",...} value [timestamp]}, or null if the line does not parse. */
  private static Sample sample(String line) {
    int i = 0;
    int n = line.length();
    while (i < n && line.charAt(i) != '{' && !Character.isWhitespace(line.charAt(i))) {
      i++;
    }
    String name = line.substring(0, i);
    Map<String, String> labels = new HashMap<>();
    if (i < n && line.charAt(i) == '{') {
      i++;
      while (true) {
        while (i < n && (line.charAt(i) == ',' || Character.isWhitespace(line.charAt(i)))) {
          i++;
        }
        if (i >= n) {
          return null;
        }
        if (line.charAt(i) == '}') {
          i++;
          break;
        }
        int eq = line.indexOf('=', i);
        if (eq < 0 || eq + 1 >= n || line.charAt(eq + 1) != '"') {
          return null;
        }
        String key = line.substring(i, eq).strip();
        StringBuilder v = new StringBuilder();
        int j = eq + 2;
        for (; j < n; j++) {
          char c = line.charAt(j);
          if (c == '\\' && j + 1 < n) {
            char e = line.charAt(++j);
            v.append(e == 'n' ? '\n' : e);
          } else if (c == '"') {
            break;
          } else {
            v.append(c);
          }
        }
        if (j >= n) {
          return null;
        }
        labels.put(key, v.toString());
        i = j + 1;
      }
    }
    String[] rest = line.substring(i).strip().split("\\s+");
    if (rest.length == 0 || rest[0].isEmpty()) {
      return null;
    }
    try {
      return new Sample(name, labels, parseNumber(rest[0]));
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
