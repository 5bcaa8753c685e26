package dev.nimbus.server.training.graph;

import dev.nimbus.v1.ClassificationType;
import java.util.List;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Trained dense layers on top of the features: ReLU between layers, softmax (MULTICLASS) or sigmoid (MULTILABEL)
 * after the last one.
 */
public record ClassifierHead(List<DenseLayer> layers, ClassificationType type) {

  public ClassifierHead {
    layers = List.copyOf(layers);
    Objects.requireNonNull(type, "type");
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("layers: empty (expected: at least the output layer)");
    }
    for (int i = 1; i < layers.size(); i++) {
      if (layers.get(i).inputs() != layers.get(i - 1).outputs()) {
        throw new IllegalArgumentException(
            "layers[%s].inputs: %s (expected: %s, the previous layer's outputs)"
                .formatted(i, layers.get(i).inputs(), layers.get(i - 1).outputs()));
      }
    }
  }

  public int inputDim() {
    return layers.get(0).inputs();
  }

  public int labelCount() {
    return layers.get(layers.size() - 1).outputs();
  }

  /** Logits [N, L] with the trained values as constants. */
  public Operand<TFloat32> logits(Ops tf, Operand<TFloat32> features) {
    Operand<TFloat32> x = features;
    for (int i = 0; i < layers.size(); i++) {
      x = layers.get(i).apply(tf, x);
      if (i < layers.size() - 1) {
        x = tf.nn.relu(x);
      }
    }
    return x;
  }

  /** Probabilities [N, L]. */
  public Operand<TFloat32> probabilities(Ops tf, Operand<TFloat32> features) {
    return activation(tf, logits(tf, features), type);
  }

  public static Operand<TFloat32> activation(Ops tf, Operand<TFloat32> logits, ClassificationType type) {
    return type == ClassificationType.MULTICLASS ? tf.nn.softmax(logits) : tf.math.sigmoid(logits);
  }
}
