package dev.nimbus.server.training.export;

import dev.nimbus.server.training.backbone.Backbone;
import dev.nimbus.server.training.backbone.FeatureExtractor;
import dev.nimbus.server.training.graph.ClassifierHead;
import java.util.List;
import java.util.Objects;

/**
 * A trained classifier ready to be written as a SavedModel: input size, the feature part, the head, and the
 * label names in output order.
 *
 * @param baseModel id recorded with the export, for example {@code scratch_cnn} or a backbone's id
 * @param channels 1 or 3; the {@code image_bytes} signature decodes to this many channels
 */
public record ExportableClassifier(
    String baseModel,
    int height,
    int width,
    int channels,
    FeatureExtractor features,
    ClassifierHead head,
    List<String> labels) {

  public ExportableClassifier {
    Objects.requireNonNull(baseModel, "baseModel");
    Objects.requireNonNull(features, "features");
    Objects.requireNonNull(head, "head");
    labels = List.copyOf(labels);
    if (height <= 0 || width <= 0) {
      throw new IllegalArgumentException("height: %s, width: %s (expected: > 0)".formatted(height, width));
    }
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels: %s (expected: 1 or 3)".formatted(channels));
    }
    if (labels.size() != head.labelCount()) {
      throw new IllegalArgumentException(
          "labels: %s names (expected: %s, the head's outputs)".formatted(labels.size(), head.labelCount()));
    }
    for (String label : labels) {
      if (label.isBlank() || label.contains("\n") || label.contains("\r")) {
        throw new IllegalArgumentException(
            "label: '%s' (expected: non-blank, one line, as labels.txt has one per line)".formatted(label));
      }
    }
  }

  /** A pretrained backbone (square RGB input) with a head trained on its features. */
  public static ExportableClassifier of(Backbone backbone, ClassifierHead head, List<String> labels) {
    if (head.inputDim() != backbone.featureDim()) {
      throw new IllegalArgumentException(
          "head.inputDim: %s (expected: %s, the featureDim of backbone %s)"
              .formatted(head.inputDim(), backbone.featureDim(), backbone.id()));
    }
    return new ExportableClassifier(
        backbone.id(), backbone.inputSize(), backbone.inputSize(), 3, backbone, head, labels);
  }
}
