package dev.nimbus.client;

import static dev.nimbus.client.Checks.requireApiKey;
import static dev.nimbus.client.Checks.requirePositive;

import java.time.Duration;

/**
 * The per-call settings of a {@link NimbusClient}, for {@link NimbusClient#forChannel(io.grpc.Channel,
 * ClientOptions)}; {@link NimbusClient#builder()} sets the same ones.
 *
 * <pre>{@code
 * ClientOptions options = ClientOptions.defaults().withApiKey(key).withDefaultDeadline(Duration.ofSeconds(5));
 * }</pre>
 *
 * @param apiKey sent as the {@code x-api-key} header on every call; {@code null} sends no header
 * @param defaultDeadline the deadline of each call that does not set its own, counted from that call's start
 * @param maxInboundMessageSize the largest response message accepted, in bytes
 * @param operationPollInterval how long an {@link OperationFuture} waits between looks at its operation
 */
public record ClientOptions(
    String apiKey, Duration defaultDeadline, int maxInboundMessageSize, Duration operationPollInterval) {
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);
  /** Large enough for Predict with a batch of full-size images; grpc's own default is 4 MiB. */
  public static final int DEFAULT_MAX_INBOUND_MESSAGE_SIZE = 64 * 1024 * 1024;
  public static final Duration DEFAULT_OPERATION_POLL_INTERVAL = Duration.ofSeconds(1);

  private static final ClientOptions DEFAULTS =
      new ClientOptions(null, DEFAULT_DEADLINE, DEFAULT_MAX_INBOUND_MESSAGE_SIZE, DEFAULT_OPERATION_POLL_INTERVAL);

  public ClientOptions {
    if (apiKey != null) {
      requireApiKey(apiKey);
    }
    requirePositive("defaultDeadline", defaultDeadline);
    requirePositive("maxInboundMessageSize", maxInboundMessageSize);
    requirePositive("operationPollInterval", operationPollInterval);
  }

  /** No API key, 30 s deadline, 64 MiB messages, operations polled every second. */
  public static ClientOptions defaults() {
    return DEFAULTS;
  }

  public ClientOptions withApiKey(String apiKey) {
    return new ClientOptions(requireApiKey(apiKey), defaultDeadline, maxInboundMessageSize, operationPollInterval);
  }

  public ClientOptions withDefaultDeadline(Duration defaultDeadline) {
    return new ClientOptions(apiKey, defaultDeadline, maxInboundMessageSize, operationPollInterval);
  }

  public ClientOptions withMaxInboundMessageSize(int maxInboundMessageSize) {
    return new ClientOptions(apiKey, defaultDeadline, maxInboundMessageSize, operationPollInterval);
  }

  public ClientOptions withOperationPollInterval(Duration operationPollInterval) {
    return new ClientOptions(apiKey, defaultDeadline, maxInboundMessageSize, operationPollInterval);
  }

  /** Leaves the API key out: options get logged, keys must not be. */
  @Override
  public String toString() {
    return "ClientOptions[apiKey=" + (apiKey == null ? "none" : "<set>") + ", defaultDeadline=" + defaultDeadline
        + ", maxInboundMessageSize=" + maxInboundMessageSize + ", operationPollInterval=" + operationPollInterval
        + "]";
  }
}
