package dev.nimbus.server.evaluation;

/**
 * One row of a confidence-threshold table (AutoML's {@code ConfidenceMetricsEntry}).
 *
 * <p>All (image, label) pairs of the table's scope (every pair for the overall table, the label's
 * column for a per-label table) are counted. "All" columns: a pair is predicted positive iff its
 * score is &gt;= {@code threshold}. "At 1" columns: a pair is predicted positive iff its label is
 * the image's top-1 label (highest score, ties to the lower label index) and that score is &gt;=
 * {@code threshold}; every other pair is predicted negative.
 *
 * <p>Ratios: {@code precision = TP / (TP + FP)}, and 1.0 when nothing is predicted positive
 * (TP + FP = 0); {@code recall = TP / (TP + FN)}; {@code f1 = 2TP / (2TP + FP + FN)} (the
 * harmonic mean of precision and recall, 0 when TP = 0); {@code falsePositiveRate = FP / (FP +
 * TN)}. Recall and F1 are {@link Double#NaN} (undefined) when the scope has no true pair (TP + FN
 * = 0), the false positive rate when it has no false pair (FP + TN = 0): then they are undefined
 * at every threshold.
 *
 * @param threshold the confidence threshold, as requested; scores are compared with it in float
 *     precision ({@code score >= (float) threshold}), so a score of {@code 0.7f} meets 0.70
 */
public record ThresholdMetrics(
    double threshold,
    long truePositives,
    long falsePositives,
    long falseNegatives,
    long trueNegatives,
    double precision,
    double recall,
    double f1,
    double falsePositiveRate,
    long truePositivesAt1,
    long falsePositivesAt1,
    long falseNegativesAt1,
    long trueNegativesAt1,
    double precisionAt1,
    double recallAt1,
    double f1At1,
    double falsePositiveRateAt1) {

  /** A row from its counts; the ratios are derived as documented on the class. */
  public static ThresholdMetrics of(
      double threshold,
      long tp,
      long fp,
      long fn,
      long tn,
      long tpAt1,
      long fpAt1,
      long fnAt1,
      long tnAt1) {
    return new ThresholdMetrics(
        threshold,
        tp,
        fp,
        fn,
        tn,
        precision(tp, fp),
        recall(tp, fn),
        f1(tp, fp, fn),
        falsePositiveRate(fp, tn),
        tpAt1,
        fpAt1,
        fnAt1,
        tnAt1,
        precision(tpAt1, fpAt1),
        recall(tpAt1, fnAt1),
        f1(tpAt1, fpAt1, fnAt1),
        falsePositiveRate(fpAt1, tnAt1));
  }

  /** TP / (TP + FP); 1.0 when nothing is predicted positive. */
  static double precision(long tp, long fp) {
    return tp + fp == 0 ? 1.0 : (double) tp / (tp + fp);
  }

  /** TP / (TP + FN); NaN when there is no true pair. */
  static double recall(long tp, long fn) {
    return tp + fn == 0 ? Double.NaN : (double) tp / (tp + fn);
  }

  /** 2TP / (2TP + FP + FN); NaN when there is no true pair, 0 when TP = 0 otherwise. */
  static double f1(long tp, long fp, long fn) {
    return tp + fn == 0 ? Double.NaN : 2.0 * tp / (2.0 * tp + fp + fn);
  }

  /** FP / (FP + TN); NaN when there is no false pair. */
  static double falsePositiveRate(long fp, long tn) {
    return fp + tn == 0 ? Double.NaN : (double) fp / (fp + tn);
  }
}
