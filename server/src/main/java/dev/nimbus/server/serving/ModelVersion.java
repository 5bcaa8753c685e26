package dev.nimbus.server.serving;

import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.v1.Model;
import java.time.Instant;

/**
 * One trained version of a model, the unit a deployment serves: retraining a model id makes a new version, so a
 * queue, a result-cache entry or a log line never mixes the scores of two versions.
 *
 * @param trainedAt the model's {@code update_time}, which training sets and deploying keeps
 */
public record ModelVersion(String modelId, Instant trainedAt) {
  static ModelVersion of(Model model) {
    return new ModelVersion(ResourceNames.modelId("name", model.getName()),
        Instant.ofEpochSecond(model.getUpdateTime().getSeconds(), model.getUpdateTime().getNanos()));
  }

  /** The model's resource name, {@code models/{id}}. */
  public String name() {
    return ResourceNames.model(modelId);
  }

  @Override
  public String toString() {
    return name() + " (trained " + trainedAt + ")";
  }
}
