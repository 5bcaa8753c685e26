package dev.nimbus.server.evaluation;

/**
 * A suggested confidence threshold, chosen on the overall (micro-averaged) curve over every
 * distinct score of the test set: predicting every (image, label) pair with score &gt;= {@code
 * threshold} gives exactly the counts and ratios below on the test set (ratios as in {@link
 * ThresholdMetrics}). {@code threshold} is always one of the scores; any threshold above the next
 * lower distinct score and at most {@code threshold} makes the same predictions on the test set.
 *
 * @param name {@code max_f1}, or {@code precision_at_<target>} such as {@code precision_at_0.90}
 *     (see {@link EvaluationOptions#precisionPointName(double)})
 * @param threshold the score threshold (a float score value, widened to double)
 */
public record OperatingPoint(
    String name,
    double threshold,
    double precision,
    double recall,
    double f1,
    long truePositives,
    long falsePositives,
    long falseNegatives) {

  /** The name of the point that maximises F1. */
  public static final String MAX_F1 = "max_f1";
}
