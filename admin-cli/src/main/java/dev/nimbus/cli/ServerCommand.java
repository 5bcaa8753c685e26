package dev.nimbus.cli;

import dev.nimbus.server.NimbusServer;
import dev.nimbus.server.config.ConfigLoader;
import dev.nimbus.server.config.ServerConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * {@code nimbus server}: runs the Nimbus server in this process until it is stopped (Ctrl-C, SIGTERM, or
 * {@link #stop()} from a test). Every setting of {@link ConfigLoader#KEYS} is an option of its own, generated
 * from that table by {@link #addSettingOptions} so that a setting added to the server shows up here with its
 * help; the list settings get repeatable singular options instead.
 */
@Command(name = "server",
    description = {"Run the Nimbus server until Ctrl-C.",
        "Settings come from, later ones winning: built-in defaults, --config FILE (or $NIMBUS_CONFIG), environment"
            + " variables NIMBUS_<SETTING> (e.g. NIMBUS_DATA_DIR), --set, then the options below."},
    footerHeading = "%nExamples:%n",
    footer = {
        "  nimbus server",
        "  nimbus server --data-dir /srv/nimbus --import-root /srv/images --port 8470",
        "  nimbus server --host 0.0.0.0 --api-keys-file keys.txt \\",
        "      --tls-cert cert.pem --tls-key key.pem",
        "  nimbus server --gcs-bucket my-bucket=/srv/buckets/my-bucket",
        "  nimbus server --http-import-allowed-host images.internal \\",
        "      --set concurrent-operations=4"})
public final class ServerCommand extends NimbusCommand {
  /** Settings that have options of another shape below (repeatable, singular). */
  private static final List<String> LIST_SETTINGS = List.of("import-roots", "http-import-allowed-hosts",
      "gcs-buckets");

  @Option(names = "--config", paramLabel = "FILE",
      description = "A properties file of settings (keys as the options below, without --).")
  Path config;

  @Option(names = "--import-root", paramLabel = "DIR",
      description = "A folder imports may read images and CSVs from; repeat for several (default: the CSV's own"
          + " folder).")
  List<String> importRoots;

  @Option(names = "--gcs-bucket", paramLabel = "NAME=FOLDER",
      description = "A Cloud Storage bucket copied to this server: gs://NAME/a/b.jpg is FOLDER/a/b.jpg, for imports,"
          + " batch predictions and exports; repeat for several. (gsutil -m cp -r gs://NAME DIR makes DIR/NAME:"
          + " map NAME=DIR/NAME.)")
  List<String> gcsBuckets;

  @Option(names = "--http-import-allowed-host", paramLabel = "HOST[:PORT]",
      description = "A host imports may fetch http(s):// images from; repeat for several. Enables http imports.")
  List<String> httpImportAllowedHosts;

  @Option(names = "--set", paramLabel = "KEY=VALUE", mapFallbackValue = "",
      description = "Any setting by its key, e.g. --set max-image-bytes=10000000; the options above and below win.")
  Map<String, String> settings = new LinkedHashMap<>();

  private final CountDownLatch ready = new CountDownLatch(1);
  private volatile NimbusServer running;

  /** Adds one option per server setting not declared above, with the setting's help and default. */
  static void addSettingOptions(CommandSpec spec) {
    ConfigLoader.KEYS.forEach((key, defaultAndHelp) -> {
      String name = "--" + key;
      if (LIST_SETTINGS.contains(key) || spec.findOption(name) != null) {
        return; // An option of that name exists (a global one, say); the setting stays reachable with --set.
      }
      String help = defaultAndHelp[1] + (defaultAndHelp[0].isEmpty() ? "" : " (default: " + defaultAndHelp[0] + ")");
      spec.addOption(OptionSpec.builder(name)
          .paramLabel(paramLabel(key, defaultAndHelp[0]))
          .type(String.class)
          // Picocli formats descriptions: a literal % must be doubled.
          .description(help.replace("%", "%%") + ".")
          .build());
    });
  }

  private static String paramLabel(String key, String defaultValue) {
    if (defaultValue.equals("true") || defaultValue.equals("false")) {
      return "true|false";
    }
    if (key.endsWith("-dir")) {
      return "DIR";
    }
    if (key.endsWith("-file") || key.startsWith("tls-")) {
      return "FILE";
    }
    if (key.endsWith("-timeout")) {
      return "DURATION";
    }
    if (defaultValue.matches("[0-9]+")) {
      return "N";
    }
    return key.toUpperCase(Locale.ROOT);
  }

  /**
   * Blocks until the server is serving and returns it; for tests that run this command on another thread.
   *
   * @throws IllegalStateException if it is not serving within {@code timeout}
   */
  public NimbusServer awaitReady(Duration timeout) throws InterruptedException {
    if (!ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS) || running == null) {
      throw new IllegalStateException("the server did not start within " + timeout);
    }
    return running;
  }

  /** Stops the server gracefully, as Ctrl-C does; the command then returns {@link #OK}. */
  public void stop() {
    NimbusServer server = running;
    if (server != null) {
      server.close();
    }
  }

  @Override
  public Integer call() throws Exception {
    long commandStartNanos = System.nanoTime();
    ServerConfig config;
    try {
      config = ConfigLoader.load(context().env(), explicitSettings());
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    NimbusServer server = NimbusServer.netty(config, Clock.systemUTC());
    try {
      server.start();
    } catch (IOException e) {
      server.close();
      throw new CommandFailedException("cannot start the server on " + address(config.host(), config.port()) + ": "
          + messageWithCauses(e) + (config.port() == 0 ? "" : " (is another server on that port? --port 0 picks a"
          + " free one)"));
    } catch (RuntimeException e) {
      // The data directory cannot be opened or is locked by another server.
      server.close();
      throw new CommandFailedException("cannot start the server: " + messageWithCauses(e));
    }
    Thread hook = new Thread(server::close, "nimbus-server-shutdown");
    context().shutdownHooks().add(hook);
    try {
      running = server;
      announce(server, config, commandStartNanos);
      ready.countDown();
      server.blockUntilShutdown();
    } finally {
      context().shutdownHooks().remove(hook);
      server.close(); // Returns once whoever stopped it has finished closing storage.
      running = null;
      ready.countDown();
    }
    return OK;
  }

  /** The settings given on this command line, by key, as {@link ConfigLoader#load} takes them. */
  Map<String, String> explicitSettings() {
    Map<String, String> explicit = new LinkedHashMap<>(settings);
    for (OptionSpec option : spec.options()) {
      String key = option.longestName().substring(2);
      // Only the generated setting options: an inherited global option could share a setting's name.
      if (ConfigLoader.KEYS.containsKey(key) && !option.inherited() && option.type() == String.class
          && option.getValue() != null) {
        explicit.put(key, (String) option.getValue());
      }
    }
    if (importRoots != null) {
      explicit.put("import-roots", joinList("--import-root", importRoots));
    }
    if (gcsBuckets != null) {
      explicit.put("gcs-buckets", joinList("--gcs-bucket", gcsBuckets));
    }
    if (httpImportAllowedHosts != null) {
      explicit.put("http-import-allowed-hosts", joinList("--http-import-allowed-host", httpImportAllowedHosts));
      // Naming a host says what is wanted; an explicit http-import-enabled still wins.
      explicit.putIfAbsent("http-import-enabled", "true");
    }
    if (config != null) {
      explicit.put("config", config.toString());
    }
    return explicit;
  }

  private static String joinList(String option, List<String> values) {
    for (String value : values) {
      if (value.contains(",")) {
        throw new UsageException(option + ": '" + value + "' contains a comma (the setting is a comma-separated"
            + " list)");
      }
    }
    return String.join(",", values);
  }

  private void announce(NimbusServer server, ServerConfig config, long commandStartNanos) {
    long sinceJvmStart = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
    long sinceCommandStart = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - commandStartNanos);
    String address = address(config.host(), server.port());
    String dataDir = server.dataDir().toAbsolutePath().toString();
    if (json()) {
      Map<String, String> fields = new LinkedHashMap<>();
      fields.put("address", address);
      fields.put("data_dir", dataDir);
      fields.put("tls", Boolean.toString(config.tls().isPresent()));
      if (server.httpPort() >= 0) {
        fields.put("console_url", consoleUrl(config, server));
      }
      fields.put("ready_ms", Long.toString(sinceJvmStart));
      out().println(Json.object(fields));
    } else {
      out().println("Nimbus listening on " + address + (config.tls().isPresent() ? " with TLS" : "") + " (data: "
          + dataDir + "); ready in " + sinceJvmStart + " ms (" + sinceCommandStart
          + " ms after the command started)");
      if (server.httpPort() >= 0) {
        out().println("Console and REST API: " + consoleUrl(config, server));
      }
    }
    out().flush();
    if (config.apiKeys().isEmpty() && !loopback(config.host())) {
      err().println("warning: serving " + config.host() + " without API keys: anyone who can reach port "
          + server.port() + " can read and change the data (set --api-keys-file)");
      err().flush();
    }
  }

  /** The console's address; a wildcard bind is shown as this machine's loopback, which a browser here can open. */
  static String consoleUrl(ServerConfig config, NimbusServer server) {
    String host = config.host().equals("0.0.0.0") || config.host().equals("::") ? "127.0.0.1" : config.host();
    return (config.tls().isPresent() ? "https://" : "http://") + address(host, server.httpPort()) + "/";
  }

  private static String address(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  private static boolean loopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  static String messageWithCauses(Throwable e) {
    StringBuilder message = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      if (cause.getMessage() != null && !message.toString().contains(cause.getMessage())) {
        message.append(" (").append(cause.getMessage()).append(')');
      }
    }
    return message.toString();
  }
}
