package dev.nimbus.server.training;

import dev.nimbus.server.engine.ImageBatch;
import dev.nimbus.server.engine.Sessions;
import dev.nimbus.server.engine.TensorFlowRuntime;
import dev.nimbus.server.training.backbone.Backbone;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.image.ResizeBilinear;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;

/**
 * Runs a frozen backbone on decoded images: uint8 [N, S, S, 3] in, float [N, D] out. Besides the images
 * themselves ({@link #ORIGINAL}) it can embed two light augmentations, used when training data is small: the
 * mirror image ({@link #FLIPPED}) and a central 85% crop scaled back up ({@link #CROPPED}).
 */
final class Embedder implements AutoCloseable {
  static final int ORIGINAL = 0;
  static final int FLIPPED = 1;
  static final int CROPPED = 2;
  static final List<Integer> VARIANTS = List.of(ORIGINAL, FLIPPED, CROPPED);

  private final int size;
  private final int dim;
  private final Graph graph = new Graph();
  private final Session session;
  private final Placeholder<TUint8> input;
  private final List<Operand<TFloat32>> outputs;

  Embedder(Backbone backbone, int interOpThreads) {
    TensorFlowRuntime.ensureLoaded();
    this.size = backbone.inputSize();
    this.dim = backbone.featureDim();
    Ops tf = Ops.create(graph);
    input = tf.withName("images").placeholder(TUint8.class, Placeholder.shape(Shape.of(-1, size, size, 3)));
    Operand<TFloat32> images01 = tf.math.div(tf.dtypes.cast(input, TFloat32.class), tf.constant(255f));
    Operand<TFloat32> flipped = tf.reverse(images01, tf.constant(new int[] {2}));
    int margin = Math.round(size * 0.075f);
    Operand<TFloat32> crop = tf.slice(images01, tf.constant(new int[] {0, margin, margin, 0}),
        tf.constant(new int[] {-1, size - 2 * margin, size - 2 * margin, 3}));
    Operand<TFloat32> cropped = tf.image.resizeBilinear(crop, tf.constant(new int[] {size, size}),
        ResizeBilinear.halfPixelCenters(true));
    outputs = List.of(
        backbone.features(tf.withSubScope("original"), images01),
        backbone.features(tf.withSubScope("flipped"), flipped),
        backbone.features(tf.withSubScope("cropped"), cropped));
    session = Sessions.newSession(graph, interOpThreads);
  }

  int dim() {
    return dim;
  }

  /** Embeddings of a batch of decoded images for the given variant: [batch.count() * dim], row-major. */
  float[] embed(ImageBatch batch, int variant) {
    if (batch.height() != size || batch.width() != size || batch.channels() != 3) {
      throw new IllegalArgumentException("images: %dx%dx%d (expected: %dx%dx3)".formatted(batch.height(),
          batch.width(), batch.channels(), size, size));
    }
    float[] out = new float[batch.count() * dim];
    try (TUint8 images = TUint8.tensorOf(Shape.of(batch.count(), size, size, 3), DataBuffers.of(batch.pixels(),
        true, false));
         Result r = session.runner().feed(input, images).fetch(outputs.get(variant)).run()) {
      ((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(out);
    }
    return out;
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }

}
