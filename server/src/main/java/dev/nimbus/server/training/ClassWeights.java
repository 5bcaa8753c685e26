package dev.nimbus.server.training;

import java.util.Arrays;

/** Per-label loss weights that keep a rare label from being ignored when one label dominates the data. */
public final class ClassWeights {

  private ClassWeights() {}

  /**
   * Weights proportional to 1 / frequency, normalised so that the average weight over the training examples is 1
   * (MULTICLASS) or over the positive label occurrences is 1 (MULTILABEL). The normalisation keeps the loss on
   * the same scale as unweighted training, so the learning rate needs no retuning. Labels that never occur get
   * weight 0: there is nothing to learn for them and a huge weight would only add noise.
   */
  public static float[] inverseFrequency(Labels labels) {
    int[] frequency = labels.labelFrequencies();
    float[] weights = new float[frequency.length];
    double weightedTotal = 0;
    long occurrences = 0;
    for (int l = 0; l < frequency.length; l++) {
      if (frequency[l] > 0) {
        weights[l] = 1f / frequency[l];
        weightedTotal += (double) weights[l] * frequency[l];
        occurrences += frequency[l];
      }
    }
    if (occurrences == 0) {
      Arrays.fill(weights, 1f);
      return weights;
    }
    float scale = (float) (occurrences / weightedTotal);
    for (int l = 0; l < weights.length; l++) {
      weights[l] *= scale;
    }
    return weights;
  }

  /** All ones: no reweighting. */
  public static float[] uniform(int labelCount) {
    float[] weights = new float[labelCount];
    Arrays.fill(weights, 1f);
    return weights;
  }
}
