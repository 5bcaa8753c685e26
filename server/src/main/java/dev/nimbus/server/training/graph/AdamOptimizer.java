package dev.nimbus.server.training.graph;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Adam built from the raw {@code ApplyAdam} kernel, because TF-Java 1.0.0-rc.1 ships no optimizer classes. The
 * kernel does not advance {@code beta1^t} and {@code beta2^t}; we do that after all variables are updated (a
 * control dependency), exactly as TF1's {@code AdamOptimizer._finish} did.
 *
 * @param train one step: updates all variables and the beta powers
 * @param reset zeroes the moment estimates and resets the beta powers, so a trainer can start a new run on the
 *     same graph
 */
public record AdamOptimizer(Op train, Op reset) {

  static final float BETA1 = 0.9f;
  static final float BETA2 = 0.999f;
  static final float EPSILON = 1e-7f; // Keras's default; PyTorch uses 1e-8, no measurable difference here

  public static AdamOptimizer minimize(
      Ops tf, Operand<TFloat32> loss, List<Variable<TFloat32>> variables, float learningRate) {
    Ops adam = tf.withSubScope("adam");
    Gradients gradients = tf.gradients(loss, variables);
    Variable<TFloat32> beta1Power = adam.withName("beta1_power").variable(Shape.scalar(), TFloat32.class);
    Variable<TFloat32> beta2Power = adam.withName("beta2_power").variable(Shape.scalar(), TFloat32.class);
    Operand<TFloat32> lr = tf.constant(learningRate);
    Operand<TFloat32> beta1 = tf.constant(BETA1);
    Operand<TFloat32> beta2 = tf.constant(BETA2);
    Operand<TFloat32> epsilon = tf.constant(EPSILON);

    List<Op> updates = new ArrayList<>();
    List<Op> resets = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      Variable<TFloat32> variable = variables.get(i);
      Variable<TFloat32> m = adam.withName("m" + i).variable(variable.shape(), TFloat32.class);
      Variable<TFloat32> v = adam.withName("v" + i).variable(variable.shape(), TFloat32.class);
      // zeros from the static shape, not zerosLike(variable): the reset must not read the variable
      Operand<TFloat32> zeros = adam.zeros(adam.constant(variable.shape().asArray()), TFloat32.class);
      resets.add(adam.assign(m, zeros));
      resets.add(adam.assign(v, zeros));
      Operand<TFloat32> gradient = gradients.dy(i);
      updates.add(
          adam.train.applyAdam(variable, m, v, beta1Power, beta2Power, lr, beta1, beta2, epsilon, gradient));
    }
    Ops afterUpdates = adam.withControlDependencies(updates);
    Op advance1 = afterUpdates.assign(beta1Power, afterUpdates.math.mul(beta1Power, beta1));
    Op advance2 = afterUpdates.assign(beta2Power, afterUpdates.math.mul(beta2Power, beta2));
    Op train = tf.withControlDependencies(List.of(advance1, advance2)).withName("train").noOp();
    resets.add(adam.assign(beta1Power, beta1));
    resets.add(adam.assign(beta2Power, beta2));
    Op reset = tf.withControlDependencies(resets).withName("adam_reset").noOp();
    return new AdamOptimizer(train, reset);
  }
}
