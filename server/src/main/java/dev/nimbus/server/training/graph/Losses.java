package dev.nimbus.server.training.graph;

import dev.nimbus.v1.ClassificationType;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Loss and accuracy ops shared by the trainers; all per example so training can average and evaluation sum. */
public final class Losses {

  private Losses() {}

  /**
   * Weighted loss per example [B].
   *
   * <p>MULTICLASS: softmax cross-entropy times the weight of the example's class. MULTILABEL: sigmoid
   * cross-entropy averaged over labels, with each label's weight scaling its positive term (the role of
   * {@code pos_weight} in {@code tf.nn.weighted_cross_entropy_with_logits}), so a rare label is not learned as
   * "always absent".
   *
   * @param targets one-hot / multi-hot [B, L]
   * @param classWeights [L]
   */
  public static Operand<TFloat32> perExample(
      Ops tf,
      ClassificationType type,
      Operand<TFloat32> logits,
      Operand<TFloat32> targets,
      Operand<TFloat32> classWeights) {
    Operand<TFloat32> one = tf.constant(1f);
    if (type == ClassificationType.MULTICLASS) {
      Operand<TFloat32> crossEntropy = tf.nn.softmaxCrossEntropyWithLogits(logits, targets).loss();
      Operand<TFloat32> weight = tf.reduceSum(tf.math.mul(targets, classWeights), tf.constant(1));
      return tf.math.mul(crossEntropy, weight);
    }
    // Numerically stable form: (1 - y) z + (1 + (q - 1) y) (log(1 + exp(-|z|)) + max(-z, 0))
    Operand<TFloat32> positiveScale =
        tf.math.add(one, tf.math.mul(tf.math.sub(classWeights, one), targets));
    Operand<TFloat32> softplusNeg =
        tf.math.add(
            tf.math.log1p(tf.math.exp(tf.math.neg(tf.math.abs(logits)))), tf.nn.relu(tf.math.neg(logits)));
    Operand<TFloat32> elementwise =
        tf.math.add(tf.math.mul(tf.math.sub(one, targets), logits), tf.math.mul(positiveScale, softplusNeg));
    return tf.math.mean(elementwise, tf.constant(1));
  }

  /** 1 or 0 per example (MULTICLASS), or the fraction of labels decided right at 0.5 (MULTILABEL) [B]. */
  public static Operand<TFloat32> correct(
      Ops tf, ClassificationType type, Operand<TFloat32> logits, Operand<TFloat32> targets) {
    if (type == ClassificationType.MULTICLASS) {
      return tf.dtypes.cast(
          tf.math.equal(tf.math.argMax(logits, tf.constant(1)), tf.math.argMax(targets, tf.constant(1))),
          TFloat32.class);
    }
    Operand<TFloat32> predicted =
        tf.dtypes.cast(tf.math.greater(logits, tf.constant(0f)), TFloat32.class);
    Operand<TFloat32> actual = tf.dtypes.cast(tf.math.greater(targets, tf.constant(0.5f)), TFloat32.class);
    return tf.math.mean(tf.dtypes.cast(tf.math.equal(predicted, actual), TFloat32.class), tf.constant(1));
  }
}
