package dev.nimbus.server.training;

import dev.nimbus.server.training.backbone.FeatureExtractor;
import dev.nimbus.server.training.export.ExportableClassifier;
import dev.nimbus.server.training.graph.ClassifierHead;
import dev.nimbus.server.training.graph.ConvLayer;
import dev.nimbus.server.training.graph.DenseLayer;
import dev.nimbus.v1.ClassificationType;
import java.util.List;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The trained values of a {@code scratch_cnn}, detached from any session, so they can be exported, stored or
 * compared after the trainer is closed.
 */
public record ScratchCnnWeights(
    int height,
    int width,
    int channels,
    ClassificationType type,
    ConvLayer conv1,
    ConvLayer conv2,
    DenseLayer hidden,
    DenseLayer output) {

  public ScratchCnnWeights {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(conv1, "conv1");
    Objects.requireNonNull(conv2, "conv2");
    Objects.requireNonNull(hidden, "hidden");
    Objects.requireNonNull(output, "output");
    if (hidden.inputs() != ScratchCnnGraph.flattenedDim(height, width)) {
      throw new IllegalArgumentException(
          "hidden.inputs: %s (expected: %s for %sx%s input)"
              .formatted(hidden.inputs(), ScratchCnnGraph.flattenedDim(height, width), height, width));
    }
  }

  public int labelCount() {
    return output.outputs();
  }

  /** The convolutions and the hidden layer as constants: images in [0, 1] to 128 features. */
  public FeatureExtractor features() {
    return (tf, images01) ->
        ScratchCnnGraph.hidden(
            tf,
            images01,
            new ScratchCnnGraph.FeatureParams(
                kernel(tf, conv1),
                tf.constant(conv1.bias()),
                kernel(tf, conv2),
                tf.constant(conv2.bias()),
                hidden.kernelConstant(tf),
                tf.constant(hidden.bias())),
            ScratchCnnOptions.DataFormat.NHWC,
            ScratchCnnGraph.BlockOrder.FUSABLE,
            hidden.inputs());
  }

  /** The output layer with softmax or sigmoid. */
  public ClassifierHead head() {
    return new ClassifierHead(List.of(output), type);
  }

  /** Everything the exporter needs, with the label names in output order. */
  public ExportableClassifier exportable(List<String> labels) {
    return new ExportableClassifier(
        ScratchCnnTrainer.BASE_MODEL_ID, height, width, channels, features(), head(), labels);
  }

  private static Operand<TFloat32> kernel(Ops tf, ConvLayer layer) {
    return tf.constant(
        Shape.of(layer.size(), layer.size(), layer.inChannels(), layer.outChannels()),
        DataBuffers.of(layer.kernel(), true, false));
  }
}
