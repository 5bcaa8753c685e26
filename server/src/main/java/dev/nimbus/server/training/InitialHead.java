package dev.nimbus.server.training;

import dev.nimbus.server.training.export.HeadWeightsFile;
import dev.nimbus.server.training.graph.ClassifierHead;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A trained model's head to start a new head from (warm start): its weights and its label names in output order.
 *
 * @param model the source model's name, for messages ({@code models/ID})
 */
public record InitialHead(String model, ClassifierHead head, List<String> labels) {

  public InitialHead {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(head, "head");
    labels = List.copyOf(labels);
    if (labels.size() != head.labelCount()) {
      throw new IllegalArgumentException(
          "labels: %s names (expected: %s, the head's outputs)".formatted(labels.size(), head.labelCount()));
    }
  }

  /**
   * The head a transfer-learning training kept in its model folder ({@link HeadWeightsFile}).
   *
   * @throws java.nio.file.NoSuchFileException if the folder holds none (a model trained before heads were kept)
   */
  public static InitialHead read(String model, Path modelDir, List<String> labels) throws IOException {
    return new InitialHead(model, HeadWeightsFile.read(modelDir), labels);
  }

  /**
   * For each of {@code newLabels}, the output of this head with the same name, or -1 for a label this head never
   * learned.
   */
  public int[] sourceColumns(List<String> newLabels) {
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < labels.size(); i++) {
      index.put(labels.get(i), i);
    }
    return newLabels.stream().mapToInt(l -> index.getOrDefault(l, -1)).toArray();
  }
}
