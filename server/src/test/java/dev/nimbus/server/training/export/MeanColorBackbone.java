package dev.nimbus.server.training.export;

import dev.nimbus.server.engine.ImageBatch;
import dev.nimbus.server.training.Embeddings;
import dev.nimbus.server.training.backbone.Backbone;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** A trivial backbone for tests: the mean colour of the image (global average pooling of the pixels), 3 features. */
final class MeanColorBackbone implements Backbone {

  private final int inputSize;

  MeanColorBackbone(int inputSize) {
    this.inputSize = inputSize;
  }

  @Override
  public String id() {
    return "mean_color";
  }

  @Override
  public int inputSize() {
    return inputSize;
  }

  @Override
  public int featureDim() {
    return 3;
  }

  @Override
  public Operand<TFloat32> features(Ops tf, Operand<TFloat32> images01) {
    return tf.math.mean(images01, tf.constant(new int[] {1, 2}));
  }

  /** The same features computed in Java, to train a head without a graph. */
  static Embeddings compute(ImageBatch batch) {
    float[] values = new float[batch.count() * 3];
    int pixels = batch.height() * batch.width();
    for (int i = 0; i < batch.count(); i++) {
      for (int y = 0; y < batch.height(); y++) {
        for (int x = 0; x < batch.width(); x++) {
          for (int c = 0; c < 3; c++) {
            values[i * 3 + c] += batch.pixel(i, y, x, c) / 255f / pixels;
          }
        }
      }
    }
    return new Embeddings(values, batch.count(), 3);
  }
}
