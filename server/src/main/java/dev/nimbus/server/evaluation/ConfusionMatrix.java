package dev.nimbus.server.evaluation;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An L x L matrix of image counts: row = true label, column = top-1 predicted label (the
 * highest-scoring label, ties to the lower label index). No threshold is applied.
 *
 * <p>MULTICLASS: each image adds 1 to cell (true label, top-1 label). MULTILABEL: each image adds
 * 1 to cell (t, top-1 label) for each of its true labels t, so an image with no true label adds
 * nothing and one with two adds to two rows. In both, row t sums to the number of images having
 * label t, and the diagonal cell divided by the row total is that label's accuracy. A label absent
 * from the test split has a row of zeros.
 *
 * @param labels the label names, indexed like rows and columns
 * @param counts row-major counts, {@code counts[t * L + p]}; the accessor returns a copy
 */
public record ConfusionMatrix(List<String> labels, int[] counts) {

  public ConfusionMatrix {
    labels = List.copyOf(labels);
    Objects.requireNonNull(counts, "counts");
    if (counts.length != labels.size() * labels.size()) {
      throw new IllegalArgumentException(
          "counts: " + counts.length + " cells (expected: " + labels.size() * labels.size() + ")");
    }
    counts = counts.clone();
  }

  /** L. */
  public int size() {
    return labels.size();
  }

  /** Images of true label {@code trueLabel} whose top-1 label is {@code predictedLabel}. */
  public int count(int trueLabel, int predictedLabel) {
    Objects.checkIndex(trueLabel, size());
    Objects.checkIndex(predictedLabel, size());
    return counts[trueLabel * size() + predictedLabel];
  }

  /** Row {@code trueLabel} (a new array). */
  public int[] row(int trueLabel) {
    Objects.checkIndex(trueLabel, size());
    return Arrays.copyOfRange(counts, trueLabel * size(), (trueLabel + 1) * size());
  }

  /** The sum of row {@code trueLabel}: the number of images having that true label. */
  public int rowTotal(int trueLabel) {
    int sum = 0;
    for (int c : row(trueLabel)) {
      sum += c;
    }
    return sum;
  }

  @Override
  public int[] counts() {
    return counts.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConfusionMatrix other
        && labels.equals(other.labels)
        && Arrays.equals(counts, other.counts);
  }

  @Override
  public int hashCode() {
    return 31 * labels.hashCode() + Arrays.hashCode(counts);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("ConfusionMatrix[labels=").append(labels).append(", rows=");
    for (int t = 0; t < size(); t++) {
      sb.append(t == 0 ? "" : ", ").append(Arrays.toString(row(t)));
    }
    return sb.append(']').toString();
  }
}
