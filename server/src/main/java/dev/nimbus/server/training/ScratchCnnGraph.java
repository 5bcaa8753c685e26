package dev.nimbus.server.training;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Stack;
import org.tensorflow.op.image.CropAndResize;
import org.tensorflow.op.nn.BiasAdd;
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.op.random.RandomUniform;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The forward pass of {@code scratch_cnn}, shared by training (variables) and export (constants) so the exported
 * model computes exactly what was trained: conv 32 3x3 ReLU, max-pool 2, conv 64 3x3 ReLU, max-pool 2, dense 128
 * ReLU, [dropout], dense L.
 */
final class ScratchCnnGraph {

  static final int KERNEL = 3;
  static final int CONV1_FILTERS = 32;
  static final int CONV2_FILTERS = 64;
  static final int HIDDEN_UNITS = 128;

  /**
   * The parameters of the feature part, as variables or constants.
   *
   * @param conv1Kernel HWIO
   */
  record FeatureParams(
      Operand<TFloat32> conv1Kernel,
      Operand<TFloat32> conv1Bias,
      Operand<TFloat32> conv2Kernel,
      Operand<TFloat32> conv2Bias,
      Operand<TFloat32> hiddenKernel,
      Operand<TFloat32> hiddenBias) {}

  private ScratchCnnGraph() {}

  /** Spatial size after the two valid 3x3 convolutions and the two 2x2 pools. */
  static int pooledSize(int size) {
    return ((size - (KERNEL - 1)) / 2 - (KERNEL - 1)) / 2;
  }

  static int flattenedDim(int height, int width) {
    return pooledSize(height) * pooledSize(width) * CONV2_FILTERS;
  }

  /**
   * The 128-unit hidden layer after ReLU, for [N, H, W, C] input in [0, 1].
   *
   * @param format the layout the convolutions run in; the input and the flattened output are NHWC either way,
   *     so the trained weights do not depend on it
   */
  static Operand<TFloat32> hidden(
      Ops tf,
      Operand<TFloat32> images01,
      FeatureParams p,
      ScratchCnnOptions.DataFormat format,
      BlockOrder order,
      int flatDim) {
    Operand<TFloat32> x = images01;
    if (format == ScratchCnnOptions.DataFormat.NCHW) {
      x = tf.linalg.transpose(x, tf.constant(new int[] {0, 3, 1, 2}));
    }
    x = convBlock(tf, x, p.conv1Kernel(), p.conv1Bias(), format, order);
    x = convBlock(tf, x, p.conv2Kernel(), p.conv2Bias(), format, order);
    if (format == ScratchCnnOptions.DataFormat.NCHW) {
      x = tf.linalg.transpose(x, tf.constant(new int[] {0, 2, 3, 1}));
    }
    Operand<TFloat32> flat = tf.reshape(x, tf.constant(new int[] {-1, flatDim}));
    return tf.nn.relu(tf.nn.biasAdd(tf.linalg.matMul(flat, p.hiddenKernel()), p.hiddenBias()));
  }

  /**
   * The order of the ops inside a conv block. Both compute exactly the same values: a per-channel bias and ReLU
   * are monotonic, so they commute with max-pooling bit for bit.
   */
  enum BlockOrder {
    /**
     * conv+bias+ReLU, then pool: grappler fuses the first three into one oneDNN kernel, best for inference.
     */
    FUSABLE,
    /**
     * conv, pool, then bias and ReLU on the 4x smaller pooled tensor: in training the ReLU cannot be fused
     * (its output feeds the gradient), so this cuts the cost of ReLU, its gradient and the bias gradient by 4.
     */
    POOL_FIRST
  }

  private static Operand<TFloat32> convBlock(
      Ops tf,
      Operand<TFloat32> x,
      Operand<TFloat32> kernel,
      Operand<TFloat32> bias,
      ScratchCnnOptions.DataFormat format,
      BlockOrder order) {
    String layout = format.name();
    Operand<TFloat32> conv =
        tf.nn.conv2d(x, kernel, List.of(1L, 1L, 1L, 1L), "VALID", Conv2d.dataFormat(layout));
    if (order == BlockOrder.POOL_FIRST) {
      return tf.nn.relu(tf.nn.biasAdd(maxPool2(tf, conv, format), bias, BiasAdd.dataFormat(layout)));
    }
    return maxPool2(tf, tf.nn.relu(tf.nn.biasAdd(conv, bias, BiasAdd.dataFormat(layout))), format);
  }

  /**
   * 2x2 max-pool with stride 2 through the original {@code MaxPool} op. TF-Java's {@code tf.nn.maxPool} emits
   * {@code MaxPoolV2} (ksize as a tensor), which oneDNN does not rewrite; the attribute form is the one with a
   * oneDNN kernel on CPU.
   */
  static Operand<TFloat32> maxPool2(Ops tf, Operand<TFloat32> x, ScratchCnnOptions.DataFormat format) {
    long[] window =
        format == ScratchCnnOptions.DataFormat.NCHW ? new long[] {1, 1, 2, 2} : new long[] {1, 2, 2, 1};
    Output<TFloat32> out =
        tf.scope()
            .opBuilder("MaxPool", "MaxPool")
            .addInput(x.asOutput())
            .setAttr("ksize", window)
            .setAttr("strides", window)
            .setAttr("padding", "VALID")
            .setAttr("data_format", format.name())
            .build()
            .output(0);
    return out;
  }

  /** Inverted dropout: zeroes {@code rate} of the units and scales the rest so inference needs no change. */
  static Operand<TFloat32> dropout(Ops tf, Operand<TFloat32> x, float rate, long seed) {
    if (rate <= 0f) {
      return x;
    }
    float keep = 1f - rate;
    Operand<TFloat32> noise =
        tf.random.randomUniform(
            tf.shape(x), TFloat32.class, RandomUniform.seed(seed), RandomUniform.seed2(seed + 1));
    Operand<TFloat32> mask = tf.math.floor(tf.math.add(noise, tf.constant(keep)));
    return tf.math.mul(x, tf.math.mul(mask, tf.constant(1f / keep)));
  }

  /**
   * Light augmentation on a float NHWC batch in one cheap op: a random horizontal flip and a random shift of up
   * to {@code maxShift} pixels in each direction (zero fill), per image. {@code CropAndResize} with a box of the
   * image's own size moved by whole pixels samples exactly on pixel centres, so nothing is blurred; a box whose
   * x1 > x2 mirrors it.
   */
  static Operand<TFloat32> augment(Ops tf, Operand<TFloat32> x, int height, int width, int maxShift, long seed) {
    Operand<TInt32> batch = tf.gather(tf.shape(x), tf.constant(0), tf.constant(0));
    Operand<TFloat32> u =
        tf.random.randomUniform(
            tf.stack(List.of(batch, tf.constant(3))),
            TFloat32.class,
            RandomUniform.seed(seed),
            RandomUniform.seed2(seed + 7));
    Operand<TFloat32> span = tf.constant(2f * maxShift + 1f);
    Operand<TFloat32> shift = tf.math.sub(tf.math.floor(tf.math.mul(u, span)), tf.constant((float) maxShift));
    Operand<TFloat32> dy = tf.gather(shift, tf.constant(0), tf.constant(1));
    Operand<TFloat32> dx = tf.gather(shift, tf.constant(1), tf.constant(1));
    Operand<TFloat32> flip =
        tf.dtypes.cast(tf.math.less(tf.gather(u, tf.constant(2), tf.constant(1)), tf.constant(0.5f)), TFloat32.class);
    float hSpan = Math.max(1, height - 1);
    float wSpan = Math.max(1, width - 1);
    Operand<TFloat32> y1 = tf.math.div(dy, tf.constant(hSpan));
    Operand<TFloat32> y2 = tf.math.div(tf.math.add(dy, tf.constant(hSpan)), tf.constant(hSpan));
    Operand<TFloat32> left = tf.math.div(dx, tf.constant(wSpan));
    Operand<TFloat32> right = tf.math.div(tf.math.add(dx, tf.constant(wSpan)), tf.constant(wSpan));
    // x1 = flip ? right : left, x2 = flip ? left : right, without a Select per column
    Operand<TFloat32> x1 = tf.math.add(left, tf.math.mul(flip, tf.math.sub(right, left)));
    Operand<TFloat32> x2 = tf.math.sub(tf.math.add(left, right), x1);
    Operand<TFloat32> boxes = tf.stack(List.of(y1, x1, y2, x2), Stack.axis(1L));
    Operand<TInt32> boxIndex = tf.range(tf.constant(0), batch, tf.constant(1));
    return tf.image.cropAndResize(
        x, boxes, boxIndex, tf.constant(new int[] {height, width}), CropAndResize.extrapolationValue(0f));
  }
}
