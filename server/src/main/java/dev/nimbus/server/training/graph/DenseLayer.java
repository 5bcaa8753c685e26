package dev.nimbus.server.training.graph;

import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Trained values of a fully connected layer.
 *
 * @param kernel {@code inputs x outputs}, row-major (TF's layout for {@code matMul(x, kernel)})
 * @param bias {@code outputs}
 */
public record DenseLayer(int inputs, int outputs, float[] kernel, float[] bias) {

  public DenseLayer {
    if (inputs <= 0 || outputs <= 0) {
      throw new IllegalArgumentException("inputs: %s, outputs: %s (expected: > 0)".formatted(inputs, outputs));
    }
    Objects.requireNonNull(kernel, "kernel");
    Objects.requireNonNull(bias, "bias");
    if (kernel.length != inputs * outputs || bias.length != outputs) {
      throw new IllegalArgumentException(
          "kernel.length: %s, bias.length: %s (expected: %s, %s)"
              .formatted(kernel.length, bias.length, inputs * outputs, outputs));
    }
  }

  /** {@code x * kernel + bias} with the values baked in as constants (for inference graphs). */
  public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x) {
    return tf.nn.biasAdd(tf.linalg.matMul(x, kernelConstant(tf)), tf.constant(bias));
  }

  public Operand<TFloat32> kernelConstant(Ops tf) {
    return tf.constant(Shape.of(inputs, outputs), DataBuffers.of(kernel, true, false));
  }
}
