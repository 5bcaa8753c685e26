package dev.nimbus.server.training.backbone;


import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The part of a classifier between the scaled pixels and the head: the scratch CNN's layers, or a pretrained
 * {@link Backbone}. It adds its ops (with trained values as constants) to whatever graph {@code tf} builds.
 */
@FunctionalInterface
public interface FeatureExtractor {

  /**
   * @param images01 float [N, H, W, C] in [0, 1]
   * @return float [N, D]
   */
  Operand<TFloat32> features(Ops tf, Operand<TFloat32> images01);
}
