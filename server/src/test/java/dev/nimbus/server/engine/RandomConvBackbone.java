package dev.nimbus.server.engine;

import dev.nimbus.server.engine.backbone.Backbone;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * A MobileNet-sized stand-in for the pretrained backbone (about 2.2 M weights, 224x224 RGB to 1280 features) with
 * random weights, for export and load-time measurements. It can hold its weights as graph constants (what the
 * exporter does) or as variables restored from the SavedModel's checkpoint (the alternative being measured).
 */
final class RandomConvBackbone implements Backbone {

  private static final int[] CHANNELS = {3, 32, 64, 128, 256, 512};

  private final boolean asVariables;
  private final List<float[]> kernels = new ArrayList<>();
  private final List<Shape> shapes = new ArrayList<>();
  private final List<Placeholder<TFloat32>> initValues = new ArrayList<>();
  private final List<org.tensorflow.op.Op> initAssigns = new ArrayList<>();

  RandomConvBackbone(boolean asVariables) {
    this.asVariables = asVariables;
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i + 1 < CHANNELS.length; i++) {
      add(random, Shape.of(3, 3, CHANNELS[i], CHANNELS[i + 1]), 9 * CHANNELS[i]);
    }
    add(random, Shape.of(1, 1, 512, 1280), 512);
  }

  private void add(SplittableRandom random, Shape shape, int fanIn) {
    float[] values = new float[(int) shape.size()];
    double limit = Math.sqrt(6.0 / fanIn);
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
    }
    kernels.add(values);
    shapes.add(shape);
  }

  long parameterCount() {
    return kernels.stream().mapToLong(k -> k.length).sum();
  }

  @Override
  public String id() {
    return asVariables ? "random_conv_variables" : "random_conv";
  }

  @Override
  public int inputSize() {
    return 224;
  }

  @Override
  public int featureDim() {
    return 1280;
  }

  @Override
  public Operand<TFloat32> features(Ops tf, Operand<TFloat32> images01) {
    Operand<TFloat32> x = images01;
    for (int i = 0; i < kernels.size(); i++) {
      Operand<TFloat32> kernel;
      if (asVariables) {
        var variable = tf.withName("backbone_kernel" + i).variable(shapes.get(i), TFloat32.class);
        Placeholder<TFloat32> value = tf.placeholder(TFloat32.class, Placeholder.shape(shapes.get(i)));
        initValues.add(value);
        initAssigns.add(tf.assign(variable, value));
        kernel = variable;
      } else {
        kernel = tf.constant(shapes.get(i), DataBuffers.of(kernels.get(i), true, false));
      }
      long stride = i < kernels.size() - 1 ? 2 : 1;
      x = tf.nn.relu(tf.nn.conv2d(x, kernel, List.of(1L, stride, stride, 1L), "SAME"));
    }
    return tf.math.mean(x, tf.constant(new int[] {1, 2}));
  }

  /** For the variables variant: sets the variables in {@code session} before it is exported. */
  void initialize(Session session) {
    Session.Runner runner = session.runner();
    List<TFloat32> tensors = new ArrayList<>();
    for (int i = 0; i < initValues.size(); i++) {
      TFloat32 t = TFloat32.tensorOf(shapes.get(i), DataBuffers.of(kernels.get(i), true, false));
      tensors.add(t);
      runner.feed(initValues.get(i), t).addTarget(initAssigns.get(i));
    }
    runner.run().close();
    tensors.forEach(TFloat32::close);
  }
}
