package dev.nimbus.server.training.backbone;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A frozen, pretrained image feature extractor that adds itself to a caller's TensorFlow graph, so a classifier
 * built on top can be exported as one self-contained SavedModel.
 *
 * <p>Implementations hold no native resources; {@link #features} may be called on several graphs.
 */
public interface Backbone extends FeatureExtractor {
  /**
   * Stable identity of the features: changes whenever the weights, the cut or anything else that changes the
   * output changes. Safe as part of a cache key for embeddings.
   */
  String id();

  /** Expected square input size in pixels (images are [N, inputSize, inputSize, 3]). */
  int inputSize();

  /** Length D of the feature vector. */
  int featureDim();

  /**
   * Adds the extractor to {@code tf}'s graph.
   *
   * @param images01 float images [N, inputSize, inputSize, 3], RGB, values in [0, 1]
   * @return features [N, featureDim]
   */
  Operand<TFloat32> features(Ops tf, Operand<TFloat32> images01);
}
