package dev.nimbus.server.training.graph;

import java.util.SplittableRandom;

/** Initial weights generated in Java from a seed, so two runs with the same seed start identically. */
public final class Initializers {

  private Initializers() {}

  /** Glorot/Xavier uniform: U(-l, l) with l = sqrt(6 / (fanIn + fanOut)), Keras's default for conv and dense. */
  public static float[] glorotUniform(SplittableRandom random, int fanIn, int fanOut, int count) {
    double limit = Math.sqrt(6.0 / (fanIn + fanOut));
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
    }
    return values;
  }
}
