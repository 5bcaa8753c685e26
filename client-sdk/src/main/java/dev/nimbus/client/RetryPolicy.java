package dev.nimbus.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The gRPC service config the client's channel runs with: calls that can safely run twice (reads, Predict, and
 * the operation calls that only look or cancel) are retried by the channel when the server is UNAVAILABLE (it
 * restarts, or a connection drops), up to 4 attempts with exponential backoff from 100 ms to 2 s, within the
 * call's deadline. Calls that change state (create, import, train, deploy, delete) are never retried blindly: a
 * lost answer does not mean the server did nothing. RESOURCE_EXHAUSTED is not retried either: the server asks for
 * a pause, and a retry storm is what it is shedding.
 */
final class RetryPolicy {
  static final List<String> IDEMPOTENT = List.of(
      "nimbus.v1.DatasetService/GetDataset",
      "nimbus.v1.DatasetService/ListDatasets",
      "nimbus.v1.DatasetService/GetDatasetStats",
      "nimbus.v1.DatasetService/ListAnnotationSpecs",
      "nimbus.v1.DatasetService/ListExamples",
      "nimbus.v1.DatasetService/GetExample",
      "nimbus.v1.DatasetService/ReadExampleImage",
      "nimbus.v1.ModelService/GetModel",
      "nimbus.v1.ModelService/ListModels",
      "nimbus.v1.ModelService/GetModelEvaluation",
      "nimbus.v1.ModelService/ListModelEvaluations",
      "nimbus.v1.PredictionService/Predict",
      "google.longrunning.Operations/GetOperation",
      "google.longrunning.Operations/ListOperations",
      "google.longrunning.Operations/WaitOperation",
      "google.longrunning.Operations/CancelOperation");

  private RetryPolicy() {}

  /** The service config, as {@code ManagedChannelBuilder.defaultServiceConfig} takes it (numbers as doubles). */
  static Map<String, Object> serviceConfig() {
    List<Map<String, Object>> names = new ArrayList<>();
    for (String method : IDEMPOTENT) {
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
