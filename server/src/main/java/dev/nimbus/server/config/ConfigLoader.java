package dev.nimbus.server.config;

import dev.nimbus.server.config.ServerConfig.HttpImport;
import dev.nimbus.server.config.ServerConfig.Limits;
import dev.nimbus.server.config.ServerConfig.Role;
import dev.nimbus.server.config.ServerConfig.Serving;
import dev.nimbus.server.config.ServerConfig.Threads;
import dev.nimbus.server.config.ServerConfig.Tls;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one loader for server settings. Later sources override earlier ones: built-in defaults, a properties
 * file ({@code config=FILE} or {@code NIMBUS_CONFIG}), environment variables ({@code NIMBUS_DATA_DIR} for key
 * {@code data-dir}), then explicit settings (command-line flags). Every key is validated with a message that
 * says what was given and what is expected; unknown keys are refused so that typos do not pass silently.
 */
public final class ConfigLoader {
  /** Key, default value, help. The help text is what {@code nimbus server --help} shows. */
  public static final Map<String, String[]> KEYS = keys(
      "host", "127.0.0.1", "Address to bind (0.0.0.0 to serve other machines)",
      "port", "8470", "gRPC port; 0 picks a free one",
      "http-port", "8471", "Port of the web console and the REST API (same host, TLS and API keys); 0 picks a free one, -1 turns it off",
      "data-dir", "./nimbus-data", "Data directory (metadata database and image blobs)",
      "import-roots", "", "Comma-separated folders imports may read from; empty: the CSV's own folder",
      "export-roots", "", "Comma-separated folders ExportModel may write to; empty: anywhere (loopback servers only)",
      "gcs-buckets", "", "Comma-separated NAME=FOLDER: Cloud Storage buckets copied to this server; gs://NAME/a/b.jpg"
          + " is FOLDER/a/b.jpg, read by imports and written by exports (FOLDER is the bucket's root)",
      "http-import-enabled", "false", "Allow http(s):// image URIs in imports",
      "http-import-allowed-hosts", "", "Comma-separated host or host:port allowed for http(s) imports",
      "http-import-timeout", "PT30S", "Timeout of one http(s) image fetch (ISO-8601 duration)",
      "max-image-bytes", String.valueOf(30L * 1024 * 1024), "Largest accepted image file in bytes",
      "max-image-pixels", "150000000", "Largest accepted width x height, checked before decoding",
      "max-image-side", "30000", "Largest accepted width or height in pixels",
      "max-csv-bytes", String.valueOf(128L * 1024 * 1024), "Largest accepted import CSV in bytes",
      "max-message-bytes", String.valueOf(64 * 1024 * 1024), "Largest accepted gRPC request in bytes",
      "max-concurrent-calls", "1024", "Calls in flight before new ones get RESOURCE_EXHAUSTED",
      "handler-threads", String.valueOf(Math.max(4, 2 * cores())), "Threads running RPC handlers",
      "import-threads", String.valueOf(Math.max(4, 4 * cores())), "Threads reading, validating and storing imported images",
      "import-decoders", String.valueOf(cores()), "Imported images fully decoded at once (CPU and memory bound)",
      "concurrent-operations", "2", "Long-running operations executing at once",
      "device", "cpu", "Where deployed models run: cpu or gpu:N",
      "max-batch-size", "0", "Largest Predict batch per engine call; 0: the device's default (cpu 8, gpu 64)",
      "max-batch-delay", "PT0S", "Longest wait for a batch to fill (ISO-8601); PT0S: the device's default (cpu 2 ms, gpu 5 ms)",
      "batch-threads", "0", "Threads running batches, shared by all models; 0: the device's default (2)",
      "max-queued-images", "0", "Images waiting per model before RESOURCE_EXHAUSTED; 0: 4 batches per batch thread",
      "max-images-per-request", "256", "Images one Predict request may carry",
      "decode-threads", String.valueOf(cores()),
      "Predict decode workers (runs of concurrent requests' images at once); also the WebP/TIFF transcoding pool",
      "max-loaded-models", "8", "Models deployed (loaded) at once; a deployment beyond it fails: undeploy one first",
      "max-loaded-model-bytes", String.valueOf(4L * 1024 * 1024 * 1024), "Total size on disk of the deployed models",
      "result-cache-size", "10000", "Entries of the result cache of models deployed with it on",
      "metrics-port", "", "Port of the Prometheus text endpoint (/metrics); empty: off, 0: any free port",
      "api-keys-file", "", "File of 'KEY ROLE' lines (ROLE: reader or admin); empty disables auth",
      "tls-cert", "", "PEM certificate chain; with tls-key, serve TLS",
      "tls-key", "", "PEM private key (PKCS#8)");

  private ConfigLoader() {}

  public static ServerConfig defaults() {
    return load(Map.of(), Map.of());
  }

  /**
   * @param env environment variables (System.getenv() in production)
   * @param explicit settings given on the command line, by key; {@code config} names a properties file
   */
  public static ServerConfig load(Map<String, String> env, Map<String, String> explicit) {
    Map<String, String> values = new LinkedHashMap<>();
    KEYS.forEach((k, v) -> values.put(k, v[0]));
    String file = explicit.getOrDefault("config", env.getOrDefault("NIMBUS_CONFIG", ""));
    if (!file.isBlank()) {
      values.putAll(readProperties(Path.of(file)));
    }
    for (String key : KEYS.keySet()) {
      String envName = "NIMBUS_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
      if (env.containsKey(envName)) {
        values.put(key, env.get(envName));
      }
    }
    explicit.forEach((k, v) -> {
      if (!k.equals("config")) {
        requireKnown(k, "setting");
        values.put(k, v);
      }
    });
    return build(values);
  }

  private static ServerConfig build(Map<String, String> v) {
    int cores = cores();
    String host = v.get("host").trim();
    check(!host.isEmpty(), "host: '' (expected: an address such as 127.0.0.1 or 0.0.0.0)");
    int port = intIn(v, "port", 0, 65535);
    int httpPort = intIn(v, "http-port", -1, 65535);
    Path dataDir = Path.of(nonBlank(v, "data-dir"));
    List<Path> roots = list(v.get("import-roots")).stream().map(Path::of).toList();
    List<Path> exportRoots = list(v.get("export-roots")).stream().map(Path::of).toList();
    HttpImport http = new HttpImport(bool(v, "http-import-enabled"),
        list(v.get("http-import-allowed-hosts")).stream().map(s -> s.toLowerCase(Locale.ROOT)).toList(),
        duration(v, "http-import-timeout"));
    check(!http.enabled() || !http.allowedHosts().isEmpty(),
        "http-import-allowed-hosts: '' (expected: at least one host when http-import-enabled is true)");
    Limits limits = new Limits(
        longIn(v, "max-image-bytes", 1, Long.MAX_VALUE),
        longIn(v, "max-image-pixels", 1, Long.MAX_VALUE),
        intIn(v, "max-image-side", 1, Integer.MAX_VALUE),
        longIn(v, "max-csv-bytes", 1, Integer.MAX_VALUE - 16),
        intIn(v, "max-message-bytes", 1024, Integer.MAX_VALUE),
        intIn(v, "max-concurrent-calls", 1, 1_000_000));
    Threads threads = new Threads(
        intIn(v, "handler-threads", 1, 4096),
        intIn(v, "import-threads", 1, 1024),
        intIn(v, "import-decoders", 1, 1024),
        intIn(v, "concurrent-operations", 1, 64));
    String device = v.get("device").strip().toLowerCase(Locale.ROOT);
    check(device.equals("cpu") || device.matches("gpu:\\d+"), "device: '" + v.get("device")
        + "' (expected: cpu or gpu:N)");
    boolean gpu = device.startsWith("gpu");
    int maxBatch = intIn(v, "max-batch-size", 0, 65536);
    Duration delay = v.get("max-batch-delay").strip().equals("PT0S") ? Duration.ZERO : duration(v, "max-batch-delay");
    int batchThreads = intIn(v, "batch-threads", 0, 256);
    int maxQueued = intIn(v, "max-queued-images", 0, 10_000_000);
    String metrics = v.get("metrics-port").strip();
    Integer metricsPort = metrics.isEmpty() ? null : intIn(v, "metrics-port", 0, 65535);
    Serving serving = new Serving(device,
        maxBatch > 0 ? maxBatch : gpu ? 64 : 8,
        !delay.isZero() ? delay : Duration.ofMillis(gpu ? 5 : 2),
        batchThreads > 0 ? batchThreads : 2,
        maxQueued > 0 ? maxQueued : 4 * (maxBatch > 0 ? maxBatch : gpu ? 64 : 8) * (batchThreads > 0 ? batchThreads : 2),
        intIn(v, "max-images-per-request", 1, 100_000),
        intIn(v, "decode-threads", 1, 1024),
        intIn(v, "max-loaded-models", 1, 10_000),
        longIn(v, "max-loaded-model-bytes", 1, Long.MAX_VALUE),
        intIn(v, "result-cache-size", 0, 100_000_000),
        Optional.ofNullable(metricsPort));
    Map<String, Role> keys = v.get("api-keys-file").isBlank()
        ? Map.of() : readApiKeys(Path.of(v.get("api-keys-file").trim()));
    Optional<Tls> tls = Optional.empty();
    String cert = v.get("tls-cert").trim();
    String key = v.get("tls-key").trim();
    check(cert.isEmpty() == key.isEmpty(),
        "tls-cert and tls-key: only one given (expected: both, or neither for plaintext)");
    if (!cert.isEmpty()) {
      tls = Optional.of(new Tls(Path.of(cert), Path.of(key)));
    }
    return new ServerConfig(host, port, httpPort, dataDir, roots, exportRoots, http, limits, threads, serving, keys, tls,
        gcsBuckets(v.get("gcs-buckets")));
  }

  /**
   * Parses {@code NAME=FOLDER,...}. Checked here, at start-up, rather than when a URI first names a bucket: a
   * mistyped name or folder would otherwise surface as every row of an import failing.
   */
  static Map<String, Path> gcsBuckets(String setting) {
    Map<String, Path> buckets = new LinkedHashMap<>();
    Map<Path, String> byFolder = new LinkedHashMap<>();
    for (String entry : list(setting)) {
      int eq = entry.indexOf('=');
      check(eq > 0 && eq < entry.length() - 1, "gcs-buckets: '" + entry + "' (expected: NAME=FOLDER, e.g."
          + " my-bucket=/srv/buckets/my-bucket)");
      String name = entry.substring(0, eq).strip();
      String problem = BucketNames.problem(name);
      check(problem == null, "gcs-buckets: '" + name + "' is not a valid bucket name: " + problem + " (expected: "
          + BucketNames.RULE + ")");
      Path folder = Path.of(entry.substring(eq + 1).strip()).toAbsolutePath().normalize();
      check(!buckets.containsKey(name), "gcs-buckets: bucket '" + name + "' is mapped twice (to "
          + buckets.get(name) + " and " + folder + "); map each bucket once");
      check(Files.exists(folder), "gcs-buckets: the folder " + folder + " of bucket '" + name + "' does not exist"
          + " (copy the bucket first: gsutil -m cp -r gs://" + name + " DIR puts it in DIR/" + name
          + ", then map " + name + "=DIR/" + name + ")");
      check(Files.isDirectory(folder), "gcs-buckets: " + folder + " (bucket '" + name + "') is not a folder");
      String other = byFolder.putIfAbsent(folder, name);
      check(other == null, "gcs-buckets: buckets '" + other + "' and '" + name + "' both map to " + folder
          + "; a folder is the root of one bucket");
      buckets.put(name, folder);
    }
    return buckets;
  }

  /** Reads {@code KEY ROLE} lines; blank lines and {@code #} comments are skipped. */
  static Map<String, Role> readApiKeys(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("api-keys-file: cannot read " + file + " (" + e.getMessage() + ")");
    }
    Map<String, Role> keys = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("\\s+");
      check(parts.length == 2, "api-keys-file: line " + (i + 1) + " has " + parts.length
          + " fields (expected: 'KEY ROLE' with ROLE reader or admin)");
      Role role;
      try {
        role = Role.valueOf(parts[1].toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("api-keys-file: line " + (i + 1) + ": role '" + parts[1]
            + "' (expected: reader or admin)");
      }
      check(parts[0].length() >= 16, "api-keys-file: line " + (i + 1)
          + ": key is " + parts[0].length() + " characters (expected: at least 16)");
      keys.put(parts[0], role);
    }
    check(!keys.isEmpty(), "api-keys-file: " + file + " holds no keys (expected: 'KEY ROLE' lines)");
    return keys;
  }

  private static Map<String, String> readProperties(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException e) {
      throw new IllegalArgumentException("config: cannot read " + file + " (" + e.getMessage() + ")");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String k : p.stringPropertyNames()) {
      requireKnown(k, "key in " + file);
      out.put(k, p.getProperty(k));
    }
    return out;
  }

  private static void requireKnown(String key, String what) {
    if (!KEYS.containsKey(key)) {
      Set<String> known = new TreeSet<>(KEYS.keySet());
      throw new IllegalArgumentException("unknown " + what + " '" + key + "' (expected one of: "
          + String.join(", ", known) + ")");
    }
  }

  private static List<String> list(String s) {
    if (s == null || s.isBlank()) {
      return List.of();
    }
    return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
  }

  private static String nonBlank(Map<String, String> v, String key) {
    String s = v.get(key).trim();
    check(!s.isEmpty(), key + ": '' (expected: a value)");
    return s;
  }

  private static boolean bool(Map<String, String> v, String key) {
    String s = v.get(key).trim().toLowerCase(Locale.ROOT);
    check(s.equals("true") || s.equals("false"), key + ": '" + v.get(key) + "' (expected: true or false)");
    return s.equals("true");
  }

  private static int intIn(Map<String, String> v, String key, int min, int max) {
    return (int) longIn(v, key, min, max);
  }

  private static long longIn(Map<String, String> v, String key, long min, long max) {
    long n;
    try {
      n = Long.parseLong(v.get(key).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + ": '" + v.get(key) + "' (expected: a whole number)");
    }
    check(n >= min && n <= max, key + ": " + n + " (expected: " + min + ".." + max + ")");
    return n;
  }

  private static Duration duration(Map<String, String> v, String key) {
    try {
      Duration d = Duration.parse(v.get(key).trim());
      check(!d.isNegative() && !d.isZero(), key + ": " + d + " (expected: > 0)");
      return d;
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(key + ": '" + v.get(key) + "' (expected: an ISO-8601 duration such as PT30S)");
    }
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  private static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }

  private static Map<String, String[]> keys(String... triples) {
    Map<String, String[]> m = new LinkedHashMap<>();
    for (int i = 0; i < triples.length; i += 3) {
      m.put(triples[i], new String[] {triples[i + 1], triples[i + 2]});
    }
    return Collections.unmodifiableMap(m);
  }

  /** Flags given as {@code --key=value} pairs, for {@code main} methods without a CLI parser. */
  public static Map<String, String> parseFlags(String[] args) {
    Map<String, String> out = new LinkedHashMap<>();
    List<String> rest = new ArrayList<>(List.of(args));
    for (String a : rest) {
      check(a.startsWith("--") && a.contains("="), "argument '" + a + "' (expected: --key=value)");
      out.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
    }
    return out;
  }
}
