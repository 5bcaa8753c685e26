package dev.nimbus.cli;

import dev.nimbus.client.ArgumentException;
import dev.nimbus.client.NimbusClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.TypeConversionException;

/**
 * The options every command takes, declared once on {@code nimbus} and inherited by every subcommand, so that
 * {@code nimbus --format json datasets list} and {@code nimbus datasets list --format json} mean the same. Values
 * given anywhere in the command line land here, on the root command's instance.
 */
public final class GlobalOptions {
  public static final String TARGET_ENV = "NIMBUS_TARGET";
  public static final String API_KEY_ENV = "NIMBUS_API_KEY";
  /** How often a waiting command hears about progress; the end of an operation is seen at once regardless. */
  static final Duration POLL_INTERVAL = Duration.ofMillis(500);

  public enum Format { table, json }

  @Option(names = "--target", paramLabel = "HOST:PORT", scope = ScopeType.INHERIT,
      description = "The Nimbus server (default: $" + TARGET_ENV + ", else " + NimbusClient.DEFAULT_TARGET + ").")
  String target;

  @Option(names = "--format", paramLabel = "table|json", defaultValue = "table", scope = ScopeType.INHERIT,
      description = "Output: a table for people, or JSON for programs (default: ${DEFAULT-VALUE}).")
  Format format;

  @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
      description = "Print stack traces with errors.")
  boolean verbose;

  @Option(names = "--api-key", paramLabel = "KEY", scope = ScopeType.INHERIT,
      description = "API key sent with every call (default: $" + API_KEY_ENV + ").")
  String apiKey;

  @Option(names = "--tls", scope = ScopeType.INHERIT,
      description = "Connect with TLS, trusting the JVM's certificate authorities.")
  boolean tls;

  @Option(names = "--tls-ca", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "Connect with TLS, trusting the certificates in this PEM file (implies --tls).")
  Path tlsCa;

  @Option(names = "--deadline", paramLabel = "SECONDS", defaultValue = "30", scope = ScopeType.INHERIT,
      converter = PositiveSeconds.class,
      description = "Deadline of each call to the server (default: ${DEFAULT-VALUE}).")
  Duration deadline;

  public Format format() {
    return format;
  }

  public boolean json() {
    return format == Format.json;
  }

  public boolean verbose() {
    return verbose;
  }

  /** The server to call: {@code --target}, else the environment, else the SDK's default. */
  public String target(CliContext context) {
    if (target != null && !target.isBlank()) {
      return target.strip();
    }
    String fromEnv = context.env().get(TARGET_ENV);
    return fromEnv != null && !fromEnv.isBlank() ? fromEnv.strip() : NimbusClient.DEFAULT_TARGET;
  }

  /** {@code --api-key}, else the environment; null for none. */
  String apiKey(CliContext context) {
    if (apiKey != null) {
      return apiKey;
    }
    String fromEnv = context.env().get(API_KEY_ENV);
    return fromEnv == null || fromEnv.isEmpty() ? null : fromEnv;
  }

  boolean apiKeyGiven(CliContext context) {
    return apiKey(context) != null;
  }

  /** A client for these options; the caller closes it. */
  public NimbusClient newClient(CliContext context) {
    NimbusClient.Builder builder = NimbusClient.builder()
        .target(target(context))
        .defaultDeadline(deadline)
        .operationPollInterval(POLL_INTERVAL);
    if (tlsCa != null) {
      if (!Files.isRegularFile(tlsCa) || !Files.isReadable(tlsCa)) {
        throw new UsageException("--tls-ca: " + tlsCa + " is not a readable file (expected: a PEM certificate)");
      }
      builder.tls(tlsCa);
    } else if (tls) {
      builder.tls();
    }
    String key = apiKey(context);
    if (key != null) {
      try {
        builder.apiKey(key);
      } catch (ArgumentException e) {
        // The SDK's message names its own parameter and keeps the key out of it.
        throw new UsageException("--api-key: " + e.getMessage().replaceFirst("^apiKey: ", ""));
      }
    }
    return builder.build();
  }

  /** Seconds as a positive number, fractions allowed: {@code 30}, {@code 0.5}. */
  static final class PositiveSeconds implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      double seconds;
      try {
        seconds = Double.parseDouble(value.strip());
      } catch (NumberFormatException e) {
        throw new TypeConversionException("'" + value + "' is not a number of seconds");
      }
      if (!(seconds > 0) || Double.isInfinite(seconds) || seconds > 365L * 24 * 3600) {
        throw new TypeConversionException(String.format(Locale.ROOT,
            "'%s' (expected: a number of seconds > 0, e.g. 30 or 0.5)", value));
      }
      return Duration.ofNanos(Math.max(1, Math.round(seconds * 1e9)));
    }
  }
}
