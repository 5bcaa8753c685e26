package dev.nimbus.server.evaluation;

import dev.nimbus.v1.ClassificationType;
import java.util.List;
import java.util.Optional;

/**
 * The evaluation of a model on the TEST split; definitions in {@link dev.nimbus.server.evaluation}.
 * {@link Double#NaN} means undefined.
 *
 * @param evaluatedExampleCount N, the number of test images
 * @param auPrc micro-averaged average precision over all N x L (image, label) pairs; NaN when no
 *     pair is true (MULTILABEL with no labels at all)
 * @param auRoc micro-averaged ROC AUC over all pairs; NaN when no pair is true
 * @param logLoss MULTICLASS: mean of -ln p(true label); MULTILABEL: mean binary cross-entropy over
 *     all pairs; probabilities clipped to [1e-15, 1 - 1e-15]
 * @param accuracy MULTICLASS: fraction of images whose top-1 label is the true label; MULTILABEL:
 *     fraction of images having at least one true label whose top-1 label is one of them (NaN when
 *     no image has a true label)
 * @param thresholdMetrics the overall (micro) threshold table
 * @param operatingPoints {@code max_f1} then {@code precision_at_<target>} in the order of the
 *     targets, each present only when it exists
 * @param labelEvaluations one per label, in label-index order
 * @param mostConfused the largest off-diagonal confusion-matrix cells, count descending then true
 *     label name then predicted label name ascending, zeros excluded, at most K
 * @param misclassified the misclassified test images, most confidently wrong first (ties: example
 *     id ascending), at most {@link EvaluationOptions#misclassifiedLimit()}
 * @param misclassifiedCount how many test images are misclassified in all
 * @param misclassifiedThreshold MULTILABEL: the threshold deciding the predicted label sets, the
 *     {@code max_f1} threshold (0.5 when there is none); MULTICLASS: NaN (top-1 is used)
 */
public record EvaluationResult(
    ClassificationType type,
    List<String> labelNames,
    int evaluatedExampleCount,
    double auPrc,
    double auRoc,
    double logLoss,
    double accuracy,
    List<ThresholdMetrics> thresholdMetrics,
    List<OperatingPoint> operatingPoints,
    List<LabelEvaluation> labelEvaluations,
    ConfusionMatrix confusionMatrix,
    List<ConfusedPair> mostConfused,
    List<Misclassified> misclassified,
    int misclassifiedCount,
    double misclassifiedThreshold) {

  public EvaluationResult {
    labelNames = List.copyOf(labelNames);
    thresholdMetrics = List.copyOf(thresholdMetrics);
    operatingPoints = List.copyOf(operatingPoints);
    labelEvaluations = List.copyOf(labelEvaluations);
    mostConfused = List.copyOf(mostConfused);
    misclassified = List.copyOf(misclassified);
  }

  /** The operating point of that name, if it exists. */
  public Optional<OperatingPoint> operatingPoint(String name) {
    return operatingPoints.stream().filter(p -> p.name().equals(name)).findFirst();
  }

  /** The evaluation of the label of that name. */
  public LabelEvaluation label(String name) {
    int index = labelNames.indexOf(name);
    if (index < 0) {
      throw new IllegalArgumentException("label: \"" + name + "\" (expected: one of " + labelNames
          + ")");
    }
    return labelEvaluations.get(index);
  }
}
