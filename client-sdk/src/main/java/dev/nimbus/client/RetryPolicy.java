package dev.nimbus.client;

import dev.nimbus.api.Idempotency;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The gRPC service config the client's channel runs with: calls that can safely run twice (those the protos
 * declare {@code NO_SIDE_EFFECTS} or {@code IDEMPOTENT}, see {@link Idempotency}: reads, Predict, and the
 * operation calls that only look or cancel) are retried by the channel when the server is UNAVAILABLE (it
 * restarts, or a connection drops), up to 4 attempts with exponential backoff from 100 ms to 2 s, within the
 * call's deadline. Calls that change state (create, import, train, deploy, delete) are never retried blindly: a
 * lost answer does not mean the server did nothing. RESOURCE_EXHAUSTED is not retried either: the server asks for
 * a pause, and a retry storm is what it is shedding.
 */
final class RetryPolicy {
  private RetryPolicy() {}

  /** The methods the channel retries, as {@code service/method}. */
  static List<String> retried() {
    return Idempotency.all().keySet().stream().filter(Idempotency::isRetrySafe).sorted().toList();
  }

  /** The service config, as {@code ManagedChannelBuilder.defaultServiceConfig} takes it (numbers as doubles). */
  static Map<String, Object> serviceConfig() {
    List<Map<String, Object>> names = new ArrayList<>();
    for (String method : retried()) {
      int slash = method.indexOf('/');
      names.add(Map.of("service", method.substring(0, slash), "method", method.substring(slash + 1)));
    }
    Map<String, Object> retry = Map.of(
        "maxAttempts", 4.0,
        "initialBackoff", "0.1s",
        "maxBackoff", "2s",
        "backoffMultiplier", 2.0,
        "retryableStatusCodes", List.of("UNAVAILABLE"));
    return Map.of("methodConfig", List.of(Map.of("name", names, "retryPolicy", retry)));
  }
}
