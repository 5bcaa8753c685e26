package dev.nimbus.server.serving;

import dev.nimbus.server.error.ApiException;
import dev.nimbus.v1.ImagePrediction;
import dev.nimbus.v1.LabelScore;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.OperatingPoint;
import dev.nimbus.v1.PredictParams;
import java.util.Arrays;
import java.util.List;

/**
 * What a Predict caller gets for one image: the labels scoring at or above the threshold, best first, at most
 * {@code max_predictions}. The threshold is a named operating point saved with the model, else
 * {@code score_threshold}, else 0.5 as in AutoML.
 */
final class Thresholds {
  static final float DEFAULT_THRESHOLD = 0.5f;

  private Thresholds() {}

  /** The threshold {@code params} ask for, checked against the model. */
  static float threshold(PredictParams params, Model model) {
    if (!params.getOperatingPoint().isEmpty()) {
      for (OperatingPoint p : model.getOperatingPointsList()) {
        if (p.getName().equals(params.getOperatingPoint())) {
          return p.getScoreThreshold();
        }
      }
      List<String> names = model.getOperatingPointsList().stream().map(OperatingPoint::getName).toList();
      throw ApiException.invalidArgument("params.operating_point", "params.operating_point: '"
          + params.getOperatingPoint() + "' is not saved with " + model.getName() + " (it has: "
          + (names.isEmpty() ? "none" : String.join(", ", names)) + ")");
    }
    if (params.hasScoreThreshold()) {
      float t = params.getScoreThreshold();
      if (!(t >= 0 && t <= 1)) {
        throw ApiException.invalidArgument("params.score_threshold", "params.score_threshold: " + t
            + " (expected: 0..1)");
      }
      return t;
    }
    return DEFAULT_THRESHOLD;
  }

  static int maxPredictions(PredictParams params) {
    if (params.getMaxPredictions() < 0) {
      throw ApiException.invalidArgument("params.max_predictions", "params.max_predictions: "
          + params.getMaxPredictions() + " (expected: >= 0; 0 means all)");
    }
    return params.getMaxPredictions();
  }

  /** The labels of one image's scores, at or above {@code threshold}, best first (ties by label order). */
  static ImagePrediction prediction(float[] scores, List<String> labels, float threshold, int maxPredictions) {
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> scores[a] != scores[b] ? Float.compare(scores[b], scores[a]) : Integer.compare(a, b));
    ImagePrediction.Builder b = ImagePrediction.newBuilder();
    for (int i : order) {
      if (scores[i] < threshold || (maxPredictions > 0 && b.getLabelsCount() >= maxPredictions)) {
        break;
      }
      b.addLabels(LabelScore.newBuilder().setLabel(labels.get(i)).setScore(scores[i]));
    }
    return b.build();
  }
}
