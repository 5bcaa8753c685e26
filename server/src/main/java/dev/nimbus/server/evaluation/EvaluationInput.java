package dev.nimbus.server.evaluation;

import dev.nimbus.v1.ClassificationType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The model's scores on the TEST split together with the ground truth, validated on construction.
 *
 * <p>Build it with {@link #multiclass} or {@link #multilabel}. Both copy their arguments (the
 * scores into one flat primitive array), so the input is immutable and later changes to the
 * caller's arrays have no effect. Every problem is reported as an {@link IllegalArgumentException}
 * naming the offending element, e.g. {@code scores[3][1]: NaN (expected: 0..1)}; a {@code null}
 * argument is a {@link NullPointerException}.
 *
 * <p>Rules: at least 2 labels with distinct, non-null names; at least 1 example; example ids
 * non-null and distinct; one score row per example and one score per label in each row; every
 * score in [0, 1] (not NaN); MULTICLASS rows sum to 1 within {@value #ROW_SUM_TOLERANCE}; label
 * indices in 0..L-1; a MULTILABEL image lists each label at most once (its list may be empty).
 */
public final class EvaluationInput {

  /** How far a MULTICLASS score row may sum from 1 (float softmax rounding is far smaller). */
  public static final double ROW_SUM_TOLERANCE = 1e-3;

  private final ClassificationType type;
  private final List<String> labelNames;
  private final List<String> exampleIds;
  private final int exampleCount;
  private final int labelCount;
  /** Row-major: scores[i * labelCount + l]; -0.0 normalised to 0.0. */
  final float[] scores;
  /** Row-major: truth[i * labelCount + l] is true iff label l is a true label of image i. */
  final boolean[] truth;

  private EvaluationInput(
      ClassificationType type,
      List<String> labelNames,
      List<String> exampleIds,
      float[] scores,
      boolean[] truth) {
    this.type = type;
    this.labelNames = labelNames;
    this.exampleIds = exampleIds;
    this.exampleCount = exampleIds.size();
    this.labelCount = labelNames.size();
    this.scores = scores;
    this.truth = truth;
  }

  /**
   * A MULTICLASS input.
   *
   * @param labelNames the L label names, indexed by label index
   * @param exampleIds the N example (image) ids, indexed by example index
   * @param scores {@code scores[i][l]}: softmax probability of label l for image i
   * @param trueLabels {@code trueLabels[i]}: index of the one true label of image i
   */
  public static EvaluationInput multiclass(
      List<String> labelNames, List<String> exampleIds, float[][] scores, int[] trueLabels) {
    Objects.requireNonNull(trueLabels, "trueLabels");
    List<String> labels = validateLabels(labelNames);
    List<String> ids = validateIds(exampleIds);
    int n = ids.size();
    int l = labels.size();
    requireSameLength("trueLabels", trueLabels.length, n);
    float[] flat = copyScores(scores, n, l, true);
    boolean[] truth = new boolean[n * l];
    for (int i = 0; i < n; i++) {
      int t = trueLabels[i];
      if (t < 0 || t >= l) {
        throw new IllegalArgumentException(
            "trueLabels[" + i + "]: " + t + " (expected: 0.." + (l - 1) + ")");
      }
      truth[i * l + t] = true;
    }
    return new EvaluationInput(ClassificationType.MULTICLASS, labels, ids, flat, truth);
  }

  /**
   * A MULTILABEL input.
   *
   * @param labelNames the L label names, indexed by label index
   * @param exampleIds the N example (image) ids, indexed by example index
   * @param scores {@code scores[i][l]}: independent (sigmoid) probability of label l for image i
   * @param trueLabels {@code trueLabels[i]}: the set of true label indices of image i, in any
   *     order, without repetition, possibly empty
   */
  public static EvaluationInput multilabel(
      List<String> labelNames, List<String> exampleIds, float[][] scores, int[][] trueLabels) {
    Objects.requireNonNull(trueLabels, "trueLabels");
    List<String> labels = validateLabels(labelNames);
    List<String> ids = validateIds(exampleIds);
    int n = ids.size();
    int l = labels.size();
    requireSameLength("trueLabels", trueLabels.length, n);
    float[] flat = copyScores(scores, n, l, false);
    boolean[] truth = new boolean[n * l];
    for (int i = 0; i < n; i++) {
      int[] row = trueLabels[i];
      if (row == null) {
        throw new IllegalArgumentException(
            "trueLabels[" + i + "]: null (expected: label indices, possibly none)");
      }
      for (int k = 0; k < row.length; k++) {
        int t = row[k];
        if (t < 0 || t >= l) {
          throw new IllegalArgumentException(
              "trueLabels[" + i + "][" + k + "]: " + t + " (expected: 0.." + (l - 1) + ")");
        }
        if (truth[i * l + t]) {
          throw new IllegalArgumentException(
              "trueLabels[" + i + "][" + k + "]: " + t + " (expected: each label at most once)");
        }
        truth[i * l + t] = true;
      }
    }
    return new EvaluationInput(ClassificationType.MULTILABEL, labels, ids, flat, truth);
  }

  public ClassificationType type() {
    return type;
  }

  /** The label names, indexed by label index (unmodifiable). */
  public List<String> labelNames() {
    return labelNames;
  }

  /** The example ids, indexed by example index (unmodifiable). */
  public List<String> exampleIds() {
    return exampleIds;
  }

  /** N, the number of examples (images). */
  public int exampleCount() {
    return exampleCount;
  }

  /** L, the number of labels. */
  public int labelCount() {
    return labelCount;
  }

  /** The score of label {@code label} for example {@code example}. */
  public float score(int example, int label) {
    return scores[index(example, label)];
  }

  /** Whether {@code label} is a true label of {@code example}. */
  public boolean isTrue(int example, int label) {
    return truth[index(example, label)];
  }

  /** The true label indices of {@code example}, ascending (a new array). */
  public int[] trueLabels(int example) {
    Objects.checkIndex(example, exampleCount);
    int base = example * labelCount;
    int count = 0;
    for (int l = 0; l < labelCount; l++) {
      if (truth[base + l]) {
        count++;
      }
    }
    int[] result = new int[count];
    int k = 0;
    for (int l = 0; l < labelCount; l++) {
      if (truth[base + l]) {
        result[k++] = l;
      }
    }
    return result;
  }

  @Override
  public String toString() {
    return "EvaluationInput[type=" + type + ", examples=" + exampleCount + ", labels=" + labelNames
        + "]";
  }

  private int index(int example, int label) {
    Objects.checkIndex(example, exampleCount);
    Objects.checkIndex(label, labelCount);
    return example * labelCount + label;
  }

  private static List<String> validateLabels(List<String> labelNames) {
    Objects.requireNonNull(labelNames, "labelNames");
    if (labelNames.size() < 2) {
      throw new IllegalArgumentException(
          "labelNames: " + labelNames.size() + " labels (expected: at least 2)");
    }
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < labelNames.size(); i++) {
      String name = labelNames.get(i);
      if (name == null) {
        throw new IllegalArgumentException("labelNames[" + i + "]: null (expected: a name)");
      }
      Integer previous = seen.putIfAbsent(name, i);
      if (previous != null) {
        throw new IllegalArgumentException(
            "labelNames[" + i + "]: \"" + name + "\" (expected: distinct names; same as labelNames["
                + previous + "])");
      }
    }
    return List.copyOf(labelNames);
  }

  private static List<String> validateIds(List<String> exampleIds) {
    Objects.requireNonNull(exampleIds, "exampleIds");
    if (exampleIds.isEmpty()) {
      throw new IllegalArgumentException("exampleIds: 0 examples (expected: at least 1)");
    }
    Map<String, Integer> seen = new HashMap<>(exampleIds.size() * 2);
    for (int i = 0; i < exampleIds.size(); i++) {
      String id = exampleIds.get(i);
      if (id == null) {
        throw new IllegalArgumentException("exampleIds[" + i + "]: null (expected: an id)");
      }
      Integer previous = seen.putIfAbsent(id, i);
      if (previous != null) {
        throw new IllegalArgumentException(
            "exampleIds[" + i + "]: \"" + id + "\" (expected: distinct ids; same as exampleIds["
                + previous + "])");
      }
    }
    return List.copyOf(exampleIds);
  }

  private static void requireSameLength(String what, int actual, int examples) {
    if (actual != examples) {
      throw new IllegalArgumentException(
          what + ": " + actual + " entries (expected: " + examples + ", one per example id)");
    }
  }

  private static float[] copyScores(float[][] scores, int n, int l, boolean rowsSumToOne) {
    Objects.requireNonNull(scores, "scores");
    requireSameLength("scores", scores.length, n);
    if ((long) n * l > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "scores: " + n + " x " + l + " (expected: at most " + (Integer.MAX_VALUE - 8)
              + " scores in all)");
    }
    float[] flat = new float[n * l];
    for (int i = 0; i < n; i++) {
      float[] row = scores[i];
      if (row == null) {
        throw new IllegalArgumentException(
            "scores[" + i + "]: null (expected: " + l + " scores, one per label)");
      }
      if (row.length != l) {
        throw new IllegalArgumentException(
            "scores[" + i + "]: " + row.length + " scores (expected: " + l + ", one per label)");
      }
      double sum = 0;
      for (int j = 0; j < l; j++) {
        float v = row[j];
        if (!(v >= 0f && v <= 1f)) {
          throw new IllegalArgumentException(
              "scores[" + i + "][" + j + "]: " + v + " (expected: 0..1)");
        }
        flat[i * l + j] = v + 0.0f; // -0.0f + 0.0f == +0.0f: one value per tie
        sum += v;
      }
      if (rowsSumToOne && Math.abs(sum - 1.0) > ROW_SUM_TOLERANCE) {
        throw new IllegalArgumentException(
            "scores[" + i + "]: sums to " + sum + " (expected: 1 ± " + ROW_SUM_TOLERANCE
                + ", MULTICLASS scores are softmax probabilities)");
      }
    }
    return flat;
  }
}
