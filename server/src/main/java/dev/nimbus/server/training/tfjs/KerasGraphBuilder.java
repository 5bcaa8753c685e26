package dev.nimbus.server.training.tfjs;

import dev.nimbus.server.engine.ModelFormatException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Max;
import org.tensorflow.op.math.Mean;
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.op.nn.DepthwiseConv2dNative;
import org.tensorflow.op.nn.LeakyRelu;
import org.tensorflow.types.TFloat32;

/**
 * Builds the inference graph of a {@link KerasModel} with TF-Java ops, weights as constants, channels-last.
 *
 * <p>Keras semantics kept: "same" padding is TF's SAME (with stride 2 it pads more at the bottom/right, as Keras
 * and TF.js do); ZeroPadding2D pads exactly as configured; BatchNormalization uses the moving statistics,
 * {@code y = (x - mean) / sqrt(var + eps) * gamma + beta}, evaluated as {@code x * a + b} with a and b computed in
 * double; DepthwiseConv2D kernels are [kh, kw, in, multiplier] and output channel {@code i * multiplier + m};
 * Dropout and noise layers are the identity.
 *
 * <p>With {@code foldBatchNorm}, a BatchNormalization that is the only consumer of a linear Conv2D or
 * DepthwiseConv2D is folded into that convolution's kernel and bias (what inference converters do); the results
 * differ from the unfolded graph only by float rounding.
 */
public final class KerasGraphBuilder {
  private final KerasModel model;
  private final TfjsWeights weights;
  private final boolean foldBatchNorm;

  public KerasGraphBuilder(KerasModel model, TfjsWeights weights, boolean foldBatchNorm) {
    this.model = model;
    this.weights = weights;
    this.foldBatchNorm = foldBatchNorm;
  }

  /**
   * Adds the layers needed for {@code outputKeys} to {@code tf}'s graph, fed by {@code input} (which replaces the
   * model's input layer), and returns the outputs in the order asked.
   */
  public List<Operand<TFloat32>> build(Ops tf, Operand<TFloat32> input, List<String> outputKeys) {
    List<KerasLayer> order = model.ancestorsAndSelf(outputKeys.toArray(String[]::new));
    Map<String, String> convOfBn = foldBatchNorm ? foldable(order, new HashSet<>(outputKeys)) : Map.of();
    Set<String> foldedConvs = new HashSet<>(convOfBn.values());
    Map<String, Operand<TFloat32>> out = new HashMap<>();
    for (KerasLayer l : order) {
      if (l.className().equals("InputLayer")) {
        out.put(l.key(), input);
        continue;
      }
      if (foldedConvs.contains(l.key())) {
        continue;
      }
      model.shape(l.key()); // validates the layer (supported type, ranks) before building it
      Ops lt = tf.withSubScope(scopeName(l.key()));
      List<Operand<TFloat32>> ins = new ArrayList<>();
      for (String k : l.inputs()) {
        ins.add(out.get(k));
      }
      Operand<TFloat32> y;
      String conv = convOfBn.get(l.key());
      if (conv != null) {
        KerasLayer c = model.layers().get(conv);
        y = convolution(lt, c, out.get(c.inputs().get(0)), batchNormScaleShift(l));
      } else {
        y = layer(lt, l, ins);
      }
      out.put(l.key(), y);
    }
    List<Operand<TFloat32>> result = new ArrayList<>();
    for (String k : outputKeys) {
      result.add(out.get(k));
    }
    return result;
  }

  /** BatchNormalization key -> convolution key, for pairs that can be folded. */
  private Map<String, String> foldable(List<KerasLayer> order, Set<String> outputs) {
    Map<String, String> pairs = new HashMap<>();
    for (KerasLayer l : order) {
      if (!l.className().equals("BatchNormalization") || l.inputs().size() != 1) {
        continue;
      }
      KerasLayer c = model.layers().get(l.inputs().get(0));
      boolean conv = c.className().equals("Conv2D") || c.className().equals("DepthwiseConv2D");
      if (conv
          && c.config().string("activation", "linear").equals("linear")
          && !outputs.contains(c.key())
          && model.consumers(c.key()).equals(List.of(l.key()))) {
        pairs.put(l.key(), c.key());
      }
    }
    return pairs;
  }

  private Operand<TFloat32> layer(Ops tf, KerasLayer l, List<Operand<TFloat32>> ins) {
    LayerConfig c = l.config();
    Operand<TFloat32> x = ins.get(0);
    switch (l.className()) {
      case "ZeroPadding2D": {
        int[][] p = KerasShapes.zeroPadding(c);
        int[][] pads = {{0, 0}, p[0], p[1], {0, 0}};
        return tf.pad(x, tf.constant(pads), tf.constant(0f));
      }
      case "Conv2D":
      case "DepthwiseConv2D":
        return convolution(tf, l, x, null);
      case "BatchNormalization": {
        float[][] ab = batchNormScaleShift(l);
        int n = ab[0].length;
        return tf.math.add(tf.math.mul(x, constant(tf, new int[] {n}, ab[0])), constant(tf, new int[] {n}, ab[1]));
      }
      case "ReLU":
        return relu(tf, c, x);
      case "Activation":
        return activation(tf, c, c.string("activation", "linear"), x);
      case "Add":
        return ins.size() == 2 ? tf.math.add(ins.get(0), ins.get(1)) : tf.math.addN(ins);
      case "Concatenate":
        return tf.concat(ins, tf.constant(KerasShapes.concatAxis(c, model.shape(l.key()).length + 1)));
      case "AveragePooling2D":
      case "MaxPooling2D": {
        int[] k = c.pair("pool_size", new int[] {2, 2});
        int[] s = c.pair("strides", k);
        String pad = c.padding().toUpperCase();
        if (l.className().equals("AveragePooling2D")) {
          return tf.nn.avgPool(x, List.of(1L, (long) k[0], (long) k[1], 1L), List.of(1L, (long) s[0], (long) s[1], 1L), pad);
        }
        return tf.nn.maxPool(x, tf.constant(new int[] {1, k[0], k[1], 1}), tf.constant(new int[] {1, s[0], s[1], 1}), pad);
      }
      case "GlobalAveragePooling2D":
        return tf.math.mean(x, tf.constant(new int[] {1, 2}), Mean.keepDims(c.bool("keepdims", false)));
      case "GlobalMaxPooling2D":
        return tf.max(x, tf.constant(new int[] {1, 2}), Max.keepDims(c.bool("keepdims", false)));
      case "Flatten":
      case "Reshape": {
        int[] shape = model.shape(l.key());
        int[] target = new int[shape.length + 1];
        target[0] = -1;
        for (int i = 0; i < shape.length; i++) {
          if (shape[i] < 0) {
            throw c.error("needs a known input shape, got " + Arrays.toString(model.shape(l.inputs().get(0))));
          }
          target[i + 1] = shape[i];
        }
        return tf.reshape(x, tf.constant(target));
      }
      case "Dense": {
        WeightTensor kernel = weights.find(l, "kernel", true);
        int units = c.integer("units");
        int inDim = model.shape(l.inputs().get(0))[0];
        expectShape(l, kernel, inDim, units);
        Operand<TFloat32> y = tf.linalg.matMul(x, constant(tf, kernel.shape(), kernel.values()));
        if (c.bool("use_bias", true)) {
          WeightTensor bias = weights.find(l, "bias", true);
          expectShape(l, bias, units);
          y = tf.nn.biasAdd(y, constant(tf, bias.shape(), bias.values()));
        }
        return activation(tf, c, c.string("activation", "linear"), y);
      }
      default:
        if (KerasShapes.IDENTITY_AT_INFERENCE.contains(l.className())) {
          return x;
        }
        throw new ModelFormatException("layer '" + l.key() + "' has unsupported type " + l.className());
    }
  }

  /** Conv2D / DepthwiseConv2D, optionally with a BatchNormalization {a, b} folded in. */
  private Operand<TFloat32> convolution(Ops tf, KerasLayer l, Operand<TFloat32> x, float[][] bn) {
    LayerConfig c = l.config();
    c.requireChannelsLast();
    boolean depthwise = l.className().equals("DepthwiseConv2D");
    int[] k = c.pair("kernel_size", null);
    int[] s = c.pair("strides", new int[] {1, 1});
    int[] d = c.pair("dilation_rate", new int[] {1, 1});
    String pad = c.padding().toUpperCase();
    int in = model.shape(l.inputs().get(0))[2];
    int outChannels = model.shape(l.key())[2];
    WeightTensor kernel = weights.find(l, depthwise ? "depthwise_kernel" : "kernel", true);
    if (depthwise) {
      expectShape(l, kernel, k[0], k[1], in, c.integer("depth_multiplier", 1));
    } else {
      expectShape(l, kernel, k[0], k[1], in, outChannels);
    }
    float[] kv = kernel.values();
    float[] bias = null;
    if (c.bool("use_bias", true)) {
      WeightTensor b = weights.find(l, "bias", true);
      expectShape(l, b, outChannels);
      bias = b.values();
    }
    if (bn != null) {
      // Kernel layouts [kh, kw, in, out] and [kh, kw, in, mult] both put output channel (idx % outChannels) last.
      float[] a = bn[0];
      float[] folded = new float[kv.length];
      for (int i = 0; i < kv.length; i++) {
        folded[i] = (float) ((double) kv[i] * a[i % outChannels]);
      }
      kv = folded;
      float[] fb = new float[outChannels];
      for (int o = 0; o < outChannels; o++) {
        fb[o] = (float) ((bias == null ? 0.0 : (double) bias[o] * a[o]) + bn[1][o]);
      }
      bias = fb;
    }
    List<Long> strides = List.of(1L, (long) s[0], (long) s[1], 1L);
    List<Long> dilations = List.of(1L, (long) d[0], (long) d[1], 1L);
    Operand<TFloat32> w = constant(tf, kernel.shape(), kv);
    Operand<TFloat32> y = depthwise
        ? tf.nn.depthwiseConv2dNative(x, w, strides, pad, DepthwiseConv2dNative.dilations(dilations))
        : tf.nn.conv2d(x, w, strides, pad, Conv2d.dilations(dilations));
    if (bias != null) {
      y = tf.nn.biasAdd(y, constant(tf, new int[] {outChannels}, bias));
    }
    return activation(tf, c, c.string("activation", "linear"), y);
  }

  /** {a, b} with BatchNormalization(x) = x * a + b, computed in double. */
  private float[][] batchNormScaleShift(KerasLayer l) {
    LayerConfig c = l.config();
    KerasShapes.bnAxis(c, model.shape(l.key()).length + 1);
    int n = model.shape(l.key())[model.shape(l.key()).length - 1];
    double eps = c.number("epsilon", 1e-3);
    WeightTensor mean = weights.find(l, "moving_mean", true);
    WeightTensor var = weights.find(l, "moving_variance", true);
    WeightTensor gamma = c.bool("scale", true) ? weights.find(l, "gamma", true) : null;
    WeightTensor beta = c.bool("center", true) ? weights.find(l, "beta", true) : null;
    for (WeightTensor w : new WeightTensor[] {mean, var, gamma, beta}) {
      if (w != null) {
        expectShape(l, w, n);
      }
    }
    float[] a = new float[n];
    float[] b = new float[n];
    for (int i = 0; i < n; i++) {
      double g = gamma == null ? 1.0 : gamma.values()[i];
      double scale = g / Math.sqrt(var.values()[i] + eps);
      a[i] = (float) scale;
      b[i] = (float) ((beta == null ? 0.0 : beta.values()[i]) - mean.values()[i] * scale);
    }
    return new float[][] {a, b};
  }

  private static Operand<TFloat32> relu(Ops tf, LayerConfig c, Operand<TFloat32> x) {
    Double max = c.numberOrNull("max_value");
    double slope = c.number("negative_slope", 0);
    double threshold = c.number("threshold", 0);
    if (threshold != 0) {
      throw c.unsupported("threshold " + threshold);
    }
    if (slope == 0 && max != null && max == 6) {
      return tf.nn.relu6(x);
    }
    Operand<TFloat32> y = slope == 0 ? tf.nn.relu(x) : tf.nn.leakyRelu(x, LeakyRelu.alpha((float) slope));
    return max == null ? y : tf.math.minimum(y, tf.constant(max.floatValue()));
  }

  private static Operand<TFloat32> activation(Ops tf, LayerConfig c, String name, Operand<TFloat32> x) {
    switch (name) {
      case "linear":
        return x;
      case "relu":
        return tf.nn.relu(x);
      case "relu6":
        return tf.nn.relu6(x);
      case "sigmoid":
        return tf.math.sigmoid(x);
      case "tanh":
        return tf.math.tanh(x);
      case "softmax":
        return tf.nn.softmax(x);
      case "elu":
        return tf.nn.elu(x);
      case "swish":
      case "silu":
        return tf.math.mul(x, tf.math.sigmoid(x));
      default:
        throw c.unsupported("activation '" + name + "'");
    }
  }

  private static void expectShape(KerasLayer l, WeightTensor w, int... expected) {
    if (!Arrays.equals(w.shape(), expected)) {
      throw new ModelFormatException(
          "layer '" + l.key() + "' (" + l.className() + "): weight '" + w.name() + "' has shape "
              + Arrays.toString(w.shape()) + ", expected " + Arrays.toString(expected));
    }
  }

  static Operand<TFloat32> constant(Ops tf, int[] shape, float[] values) {
    long[] dims = new long[shape.length];
    for (int i = 0; i < shape.length; i++) {
      dims[i] = shape[i];
    }
    return tf.constant(Shape.of(dims), DataBuffers.of(values, true, false));
  }

  /** A valid TF name-scope name for a layer key. */
  static String scopeName(String key) {
    String s = key.replaceAll("[^A-Za-z0-9_.\\-]", "_");
    return s.isEmpty() || !Character.isLetterOrDigit(s.charAt(0)) && s.charAt(0) != '.' ? "l" + s : s;
  }
}
