package dev.nimbus.cli.sample;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The trivial cue check for a labeled image set: a multinomial logistic regression on each image's mean R, G and
 * B, scored by k-fold cross-validation. If this gets close to a trained model's accuracy, the images are
 * separable by colour alone and say nothing about whether the model learned shapes.
 */
public final class MeanColourBaseline {
  private static final int EPOCHS = 400;
  private static final double LEARNING_RATE = 0.5;
  private static final double L2 = 1e-3;

  private MeanColourBaseline() {}

  /** Mean R, G, B of an image, each in [0, 1]. */
  public static double[] meanRgb(BufferedImage image) {
    int width = image.getWidth();
    int height = image.getHeight();
    int[] row = new int[width];
    double r = 0;
    double g = 0;
    double b = 0;
    for (int y = 0; y < height; y++) {
      image.getRGB(0, y, width, 1, row, 0, width);
      for (int rgb : row) {
        r += (rgb >> 16) & 0xFF;
        g += (rgb >> 8) & 0xFF;
        b += rgb & 0xFF;
      }
    }
    double n = 255.0 * width * height;
    return new double[] {r / n, g / n, b / n};
  }

  /**
   * Cross-validated accuracy of the regression: {@code features[i]} has class {@code classes[i]} in
   * [0, {@code classCount}); examples are dealt into {@code folds} folds after a seeded shuffle.
   */
  public static double crossValidatedAccuracy(double[][] features, int[] classes, int classCount, int folds,
      long seed) {
    int n = features.length;
    if (n != classes.length || n < folds || folds < 2) {
      throw new IllegalArgumentException("need at least " + Math.max(2, folds) + " examples with one class each");
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(seed));
    int correct = 0;
    for (int fold = 0; fold < folds; fold++) {
      List<Integer> train = new ArrayList<>();
      List<Integer> test = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        (i % folds == fold ? test : train).add(order.get(i));
      }
      Model model = Model.fit(features, classes, classCount, train);
      for (int i : test) {
        if (model.predict(features[i]) == classes[i]) {
          correct++;
        }
      }
    }
    return (double) correct / n;
  }

  /** Softmax regression on standardized features, fit by full-batch gradient descent. */
  private record Model(double[] mean, double[] scale, double[][] weights) {
    static Model fit(double[][] x, int[] y, int classCount, List<Integer> rows) {
      int d = x[0].length;
      double[] mean = new double[d];
      double[] scale = new double[d];
      for (int i : rows) {
        for (int j = 0; j < d; j++) {
          mean[j] += x[i][j] / rows.size();
        }
      }
      for (int i : rows) {
        for (int j = 0; j < d; j++) {
          scale[j] += (x[i][j] - mean[j]) * (x[i][j] - mean[j]) / rows.size();
        }
      }
      for (int j = 0; j < d; j++) {
        scale[j] = scale[j] > 0 ? Math.sqrt(scale[j]) : 1;
      }
      double[][] w = new double[classCount][d + 1];
      Model model = new Model(mean, scale, w);
      for (int epoch = 0; epoch < EPOCHS; epoch++) {
        double[][] gradient = new double[classCount][d + 1];
        for (int i : rows) {
          double[] features = model.standardize(x[i]);
          double[] p = model.probabilities(features);
          for (int c = 0; c < classCount; c++) {
            double error = p[c] - (y[i] == c ? 1 : 0);
            for (int j = 0; j <= d; j++) {
              gradient[c][j] += error * features[j] / rows.size();
            }
          }
        }
        for (int c = 0; c < classCount; c++) {
          for (int j = 0; j <= d; j++) {
            w[c][j] -= LEARNING_RATE * (gradient[c][j] + L2 * w[c][j]);
          }
        }
      }
      return model;
    }

    /** Standardized features with a trailing 1 for the bias. */
    double[] standardize(double[] raw) {
      double[] out = new double[raw.length + 1];
      for (int j = 0; j < raw.length; j++) {
        out[j] = (raw[j] - mean[j]) / scale[j];
      }
      out[raw.length] = 1;
      return out;
    }

    double[] probabilities(double[] features) {
      double[] logits = new double[weights.length];
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < weights.length; c++) {
        for (int j = 0; j < features.length; j++) {
          logits[c] += weights[c][j] * features[j];
        }
        max = Math.max(max, logits[c]);
      }
      double sum = 0;
      for (int c = 0; c < logits.length; c++) {
        logits[c] = Math.exp(logits[c] - max);
        sum += logits[c];
      }
      for (int c = 0; c < logits.length; c++) {
        logits[c] /= sum;
      }
      return logits;
    }

    int predict(double[] raw) {
      double[] p = probabilities(standardize(raw));
      int best = 0;
      for (int c = 1; c < p.length; c++) {
        if (p[c] > p[best]) {
          best = c;
        }
      }
      return best;
    }
  }
}
