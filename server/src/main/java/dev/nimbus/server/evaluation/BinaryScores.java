package dev.nimbus.server.evaluation;

/**
 * The scores of one binary problem (a label's column, or all pairs for the micro average), split
 * into the scores of true pairs and of false pairs, each sorted ascending. Everything is derived
 * from these two primitive arrays: threshold counts by binary search, and the PR and ROC curves by
 * one merge sweep from the highest score down, one step per distinct score (so tied scores form a
 * single step and the result does not depend on input order).
 */
final class BinaryScores {

  private final float[] positives;
  private final float[] negatives;

  /** Takes ownership of the arrays, which must already be sorted ascending and contain no NaN. */
  private BinaryScores(float[] sortedPositives, float[] sortedNegatives) {
    this.positives = sortedPositives;
    this.negatives = sortedNegatives;
  }

  /** Takes ownership of the arrays and sorts them. */
  static BinaryScores sorting(float[] positives, float[] negatives) {
    FloatSort.sort(positives);
    FloatSort.sort(negatives);
    return new BinaryScores(positives, negatives);
  }

  /** True pairs with score &gt;= t. */
  long positivesAtLeast(float t) {
    return countAtLeast(positives, t);
  }

  /** False pairs with score &gt;= t. */
  long negativesAtLeast(float t) {
    return countAtLeast(negatives, t);
  }

  /** How many elements of an ascending array are &gt;= t. */
  static long countAtLeast(float[] ascending, float t) {
    int lo = 0;
    int hi = ascending.length;
    while (lo < hi) { // first index whose value is >= t
      int mid = (lo + hi) >>> 1;
      if (ascending[mid] < t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return ascending.length - lo;
  }

  /** Result of {@link #sweep}. {@code precisionPoints[k]} is null when target k is never met. */
  record Sweep(
      double auPrc, double auRoc, OperatingPoint maxF1, OperatingPoint[] precisionPoints) {}

  /**
   * Walks the distinct scores from the highest down. At each distinct score s (threshold "score
   * &gt;= s") with cumulative counts TP, FP:
   *
   * <ul>
   *   <li>average precision adds (TP - TP_prev) / P * TP / (TP + FP), i.e. sum of (R_n - R_{n-1})
   *       P_n;
   *   <li>ROC AUC adds the trapezoid (FP - FP_prev) * (TP_prev + TP) / 2, over P * N at the end
   *       (equal to the probability that a random true pair outscores a random false pair, ties
   *       counting one half), summed exactly in a long;
   *   <li>the max-F1 point is the s maximising F1 = 2TP / (TP + FP + P), compared exactly on
   *       integers, the lowest such s on ties;
   *   <li>the precision point of target q is the lowest s with TP / (TP + FP) &gt;= q.
   * </ul>
   */
  Sweep sweep(double[] precisionTargets, String[] precisionNames) {
    final long p = positives.length;
    final long n = negatives.length;
    int i = positives.length - 1;
    int j = negatives.length - 1;
    long tp = 0;
    long fp = 0;
    double apSum = 0;
    long twiceArea = 0;

    boolean haveBest = false;
    long bestTp = 0;
    long bestFp = 0;
    float bestThreshold = 0;

    int targets = precisionTargets.length;
    boolean[] met = new boolean[targets];
    long[] metTp = new long[targets];
    long[] metFp = new long[targets];
    float[] metThreshold = new float[targets];

    while (i >= 0 || j >= 0) {
      float s;
      if (i < 0) {
        s = negatives[j];
      } else if (j < 0) {
        s = positives[i];
      } else {
        s = Math.max(positives[i], negatives[j]);
      }
      long newTp = tp;
      while (i >= 0 && positives[i] == s) {
        i--;
        newTp++;
      }
      long newFp = fp;
      while (j >= 0 && negatives[j] == s) {
        j--;
        newFp++;
      }
      if (newTp > tp) {
        apSum += (newTp - tp) * ((double) newTp / (newTp + newFp));
      }
      twiceArea += (newFp - fp) * (tp + newTp);
      tp = newTp;
      fp = newFp;

      if (p > 0 && (!haveBest || tp * (bestTp + bestFp + p) >= bestTp * (tp + fp + p))) {
        haveBest = true;
        bestTp = tp;
        bestFp = fp;
        bestThreshold = s;
      }
      double precision = (double) tp / (tp + fp);
      for (int k = 0; k < targets; k++) {
        if (precision >= precisionTargets[k]) {
          met[k] = true;
          metTp[k] = tp;
          metFp[k] = fp;
          metThreshold[k] = s;
        }
      }
    }

    double auPrc = p == 0 ? Double.NaN : apSum / p;
    double auRoc = p == 0 || n == 0 ? Double.NaN : twiceArea / (2.0 * p * n);
    OperatingPoint maxF1 =
        haveBest ? point(OperatingPoint.MAX_F1, bestThreshold, bestTp, bestFp, p) : null;
    OperatingPoint[] points = new OperatingPoint[targets];
    for (int k = 0; k < targets; k++) {
      if (met[k]) {
        points[k] = point(precisionNames[k], metThreshold[k], metTp[k], metFp[k], p);
      }
    }
    return new Sweep(auPrc, auRoc, maxF1, points);
  }

  private static OperatingPoint point(String name, float threshold, long tp, long fp, long p) {
    long fn = p - tp;
    return new OperatingPoint(
        name,
        threshold,
        ThresholdMetrics.precision(tp, fp),
        ThresholdMetrics.recall(tp, fn),
        ThresholdMetrics.f1(tp, fp, fn),
        tp,
        fp,
        fn);
  }
}
