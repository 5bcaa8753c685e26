package dev.nimbus.server.evaluation;

import dev.nimbus.v1.ClassificationType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Computes an {@link EvaluationResult} from an {@link EvaluationInput}: a pure function (no I/O,
 * no shared state, thread-safe). Definitions and conventions are in {@link
 * dev.nimbus.server.evaluation}.
 *
 * <p>Cost: O(P) time for P = N x L pairs plus sorting (a radix sort of the float scores, so also
 * linear; O(M log M) for the M misclassified images), and at most 8 bytes per pair of working
 * memory on top of the input's 5, all in primitive arrays. Objects are allocated per label, per
 * threshold and per misclassified image, never per pair.
 */
public final class Evaluator {

  /** Probabilities are clipped to [EPS, 1 - EPS] for the log loss. */
  public static final double LOG_LOSS_EPS = 1e-15;

  /**
   * Factors per product in the log-loss sums: each factor is at least 1e-15, so a product of 16
   * stays above 1e-240, far from underflow, and loses only ~16 ulps of relative precision.
   */
  private static final int LOG_BATCH = 16;

  /** MULTILABEL threshold for the misclassified list when there is no max-F1 point. */
  public static final float FALLBACK_MULTILABEL_THRESHOLD = 0.5f;

  private Evaluator() {}

  /** Evaluates with {@link EvaluationOptions#defaults()}. */
  public static EvaluationResult evaluate(EvaluationInput input) {
    return evaluate(input, EvaluationOptions.defaults());
  }

  /**
   * Evaluates the model's scores on the TEST split.
   *
   * @param input validated scores and ground truth
   * @param options threshold list, precision targets and list sizes
   * @return the overall and per-label metrics, threshold tables, operating points, confusion
   *     matrix and misclassified images
   */
  public static EvaluationResult evaluate(EvaluationInput input, EvaluationOptions options) {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(options, "options");
    final int n = input.exampleCount();
    final int labels = input.labelCount();
    final List<String> names = input.labelNames();
    final boolean multiclass = input.type() == ClassificationType.MULTICLASS;
    double[] thresholds = options.thresholds().stream().mapToDouble(Double::doubleValue).toArray();
    double[] targets =
        options.precisionTargets().stream().mapToDouble(Double::doubleValue).toArray();
    String[] targetNames = new String[targets.length];
    for (int k = 0; k < targets.length; k++) {
      targetNames[k] = EvaluationOptions.precisionPointName(targets[k]);
    }

    Columns c = Columns.split(input);

    // Per label: one-vs-rest on the label's column.
    List<LabelEvaluation> labelEvaluations = new ArrayList<>(labels);
    for (int l = 0; l < labels; l++) {
      BinaryScores column = BinaryScores.sorting(c.positives[l], c.negatives[l]);
      FloatSort.sort(c.hits[l]);
      FloatSort.sort(c.misses[l]);
      BinaryScores.Sweep sweep = column.sweep(new double[0], new String[0]);
      int support = c.support[l];
      labelEvaluations.add(
          new LabelEvaluation(
              l,
              names.get(l),
              support,
              sweep.auPrc(),
              sweep.auRoc(),
              c.crossEntropy[l] / n,
              support == 0 ? Double.NaN : (double) c.hits[l].length / support,
              table(thresholds, column, c.hits[l], c.misses[l], support, n - support)));
    }

    // Overall (micro): all N x L pairs as one binary problem.
    long totalPairs = (long) n * labels;
    long totalPositives = Arrays.stream(c.support).asLongStream().sum();
    float[] microPositives = concat(c.positives);
    float[] microNegatives = concat(c.negatives);
    c.positives = null; // drop the per-label copies before sorting needs its buffer
    c.negatives = null;
    BinaryScores micro = BinaryScores.sorting(microPositives, microNegatives);
    float[] allHits = concat(c.hits);
    float[] allMisses = concat(c.misses);
    FloatSort.sort(allHits);
    FloatSort.sort(allMisses);
    BinaryScores.Sweep microSweep = micro.sweep(targets, targetNames);
    List<ThresholdMetrics> overallTable =
        table(thresholds, micro, allHits, allMisses, totalPositives, totalPairs - totalPositives);
    List<OperatingPoint> operatingPoints = new ArrayList<>();
    if (microSweep.maxF1() != null) {
      operatingPoints.add(microSweep.maxF1());
    }
    for (OperatingPoint point : microSweep.precisionPoints()) {
      if (point != null) {
        operatingPoints.add(point);
      }
    }
    double logLoss =
        multiclass
            ? c.trueLabelLoss / n
            : Arrays.stream(c.crossEntropy).sum() / totalPairs;
    double accuracy;
    if (multiclass) {
      accuracy = (double) allHits.length / n;
    } else {
      accuracy = c.imagesWithTruth == 0 ? Double.NaN : (double) allHits.length / c.imagesWithTruth;
    }

    // Confusion matrix and errors.
    int[] cells = confusionCells(input, c.top);
    float decisionThreshold =
        microSweep.maxF1() != null
            ? (float) microSweep.maxF1().threshold()
            : FALLBACK_MULTILABEL_THRESHOLD;
    Misclassification wrong =
        multiclass
            ? misclassifiedMulticlass(input, c.top, c.topScore, options.misclassifiedLimit())
            : misclassifiedMultilabel(
                input, c.topScore, decisionThreshold, options.misclassifiedLimit());

    return new EvaluationResult(
        input.type(),
        names,
        n,
        microSweep.auPrc(),
        microSweep.auRoc(),
        logLoss,
        accuracy,
        overallTable,
        operatingPoints,
        labelEvaluations,
        new ConfusionMatrix(names, cells),
        mostConfused(cells, names, c.support, options.mostConfusedLimit()),
        wrong.listed(),
        wrong.count(),
        multiclass ? Double.NaN : decisionThreshold);
  }

  /**
   * Everything the metrics need from one pass over the pairs: each image's top-1 label and score;
   * each label's true and false scores, and the top-1 scores of the images whose top-1 it is,
   * split into hits (the image has the label) and misses; and the log-loss sums.
   */
  private static final class Columns {
    final int[] top;
    final float[] topScore;
    final int[] support; // images having each label
    int imagesWithTruth;
    float[][] positives; // [label] scores of true pairs
    float[][] negatives; // [label] scores of false pairs
    final float[][] hits; // [label] top-1 scores of images whose top-1 is the label and true
    final float[][] misses; // [label] top-1 scores of images whose top-1 is the label but false
    final double[] crossEntropy; // [label] sum over images of -ln q
    double trueLabelLoss; // sum over true pairs of -ln q

    private Columns(int n, int labels) {
      top = new int[n];
      topScore = new float[n];
      support = new int[labels];
      positives = new float[labels][];
      negatives = new float[labels][];
      hits = new float[labels][];
      misses = new float[labels][];
      crossEntropy = new double[labels];
    }

    static Columns split(EvaluationInput input) {
      final int n = input.exampleCount();
      final int labels = input.labelCount();
      final float[] scores = input.scores;
      final boolean[] truth = input.truth;
      Columns c = new Columns(n, labels);

      // Top-1 (ties to the lower label index) and the sizes of every array.
      int[] hitCount = new int[labels];
      int[] missCount = new int[labels];
      for (int i = 0, base = 0; i < n; i++, base += labels) {
        int best = 0;
        boolean any = false;
        for (int l = 0; l < labels; l++) {
          if (scores[base + l] > scores[base + best]) {
            best = l;
          }
          if (truth[base + l]) {
            c.support[l]++;
            any = true;
          }
        }
        c.top[i] = best;
        c.topScore[i] = scores[base + best];
        if (any) {
          c.imagesWithTruth++;
        }
        if (truth[base + best]) {
          hitCount[best]++;
        } else {
          missCount[best]++;
        }
      }
      for (int l = 0; l < labels; l++) {
        c.positives[l] = new float[c.support[l]];
        c.negatives[l] = new float[n - c.support[l]];
        c.hits[l] = new float[hitCount[l]];
        c.misses[l] = new float[missCount[l]];
      }

      // Fill them. Sums of -ln q (q = clipped probability of the actual outcome) are taken as -ln
      // of products of up to LOG_BATCH factors: one Math.log per LOG_BATCH pairs, not per pair.
      int[] posFill = new int[labels];
      int[] negFill = new int[labels];
      int[] hitFill = new int[labels];
      int[] missFill = new int[labels];
      double[] product = new double[labels];
      Arrays.fill(product, 1.0);
      double trueProduct = 1.0;
      int trueFactors = 0;
      for (int i = 0, base = 0; i < n; i++, base += labels) {
        for (int l = 0; l < labels; l++) {
          float s = scores[base + l];
          if (truth[base + l]) {
            c.positives[l][posFill[l]++] = s;
            double q = clip(s);
            product[l] *= q;
            trueProduct *= q;
            if (++trueFactors == LOG_BATCH) {
              c.trueLabelLoss -= Math.log(trueProduct);
              trueProduct = 1.0;
              trueFactors = 0;
            }
          } else {
            c.negatives[l][negFill[l]++] = s;
            product[l] *= clip(1.0 - s); // 1 - s is exact in double for a float s
          }
        }
        if (i % LOG_BATCH == LOG_BATCH - 1 || i == n - 1) {
          for (int l = 0; l < labels; l++) {
            c.crossEntropy[l] -= Math.log(product[l]);
            product[l] = 1.0;
          }
        }
        int t = c.top[i];
        if (truth[base + t]) {
          c.hits[t][hitFill[t]++] = c.topScore[i];
        } else {
          c.misses[t][missFill[t]++] = c.topScore[i];
        }
      }
      c.trueLabelLoss -= Math.log(trueProduct);
      return c;
    }
  }

  /** Row-major L x L counts: each true label of an image against the image's top-1 label. */
  private static int[] confusionCells(EvaluationInput input, int[] top) {
    int labels = input.labelCount();
    int[] cells = new int[labels * labels];
    for (int i = 0, base = 0; i < input.exampleCount(); i++, base += labels) {
      for (int l = 0; l < labels; l++) {
        if (input.truth[base + l]) {
          cells[l * labels + top[i]]++;
        }
      }
    }
    return cells;
  }

  /**
   * Clips the probability given to the actual outcome to [EPS, 1 - EPS]. Clipping 1 - p rather
   * than taking 1 - clip(p) keeps the two sides symmetric: 1 - (1 - 1e-15) is not 1e-15 in double.
   */
  private static double clip(double p) {
    return Math.min(Math.max(p, LOG_LOSS_EPS), 1.0 - LOG_LOSS_EPS);
  }

  private static List<ThresholdMetrics> table(
      double[] thresholds,
      BinaryScores scores,
      float[] sortedHits,
      float[] sortedMisses,
      long positives,
      long negatives) {
    List<ThresholdMetrics> rows = new ArrayList<>(thresholds.length);
    for (double threshold : thresholds) {
      float t = (float) threshold;
      long tp = scores.positivesAtLeast(t);
      long fp = scores.negativesAtLeast(t);
      long tp1 = BinaryScores.countAtLeast(sortedHits, t);
      long fp1 = BinaryScores.countAtLeast(sortedMisses, t);
      rows.add(
          ThresholdMetrics.of(
              threshold,
              tp,
              fp,
              positives - tp,
              negatives - fp,
              tp1,
              fp1,
              positives - tp1,
              negatives - fp1));
    }
    return rows;
  }

  /** The parts one after another. */
  private static float[] concat(float[][] parts) {
    int total = 0;
    for (float[] part : parts) {
      total += part.length;
    }
    float[] all = new float[total];
    int at = 0;
    for (float[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return all;
  }

  private static List<ConfusedPair> mostConfused(
      int[] cells, List<String> names, int[] support, int limit) {
    int labels = names.size();
    List<ConfusedPair> pairs = new ArrayList<>();
    for (int t = 0; t < labels; t++) {
      for (int p = 0; p < labels; p++) {
        int count = cells[t * labels + p];
        if (t != p && count > 0) {
          pairs.add(
              new ConfusedPair(
                  t, names.get(t), p, names.get(p), count, (double) count / support[t]));
        }
      }
    }
    pairs.sort(
        Comparator.comparingInt(ConfusedPair::count)
            .reversed()
            .thenComparing(ConfusedPair::trueLabel)
            .thenComparing(ConfusedPair::predictedLabel));
    return pairs.size() <= limit ? pairs : pairs.subList(0, limit);
  }

  private record Misclassification(List<Misclassified> listed, int count) {}

  private static Misclassification misclassifiedMulticlass(
      EvaluationInput input, int[] top, float[] topScore, int limit) {
    int n = input.exampleCount();
    int labels = input.labelCount();
    int[] wrong = new int[n];
    double[] confidence = new double[n];
    int count = 0;
    for (int i = 0; i < n; i++) {
      if (!input.truth[i * labels + top[i]]) {
        wrong[count] = i;
        confidence[i] = topScore[i];
        count++;
      }
    }
    List<Misclassified> listed = new ArrayList<>();
    for (int i : mostConfidentFirst(input, wrong, count, confidence, limit)) {
      listed.add(
          new Misclassified(
              input.exampleIds().get(i),
              i,
              labelNames(input, input.trueLabels(i)),
              List.of(input.labelNames().get(top[i])),
              topScore[i],
              confidence[i]));
    }
    return new Misclassification(listed, count);
  }

  private static Misclassification misclassifiedMultilabel(
      EvaluationInput input, float[] topScore, float threshold, int limit) {
    int n = input.exampleCount();
    int labels = input.labelCount();
    int[] wrong = new int[n];
    double[] confidence = new double[n];
    int count = 0;
    for (int i = 0, base = 0; i < n; i++, base += labels) {
      double worst = -1;
      for (int l = 0; l < labels; l++) {
        float s = input.scores[base + l];
        boolean predicted = s >= threshold;
        if (predicted != input.truth[base + l]) {
          worst = Math.max(worst, predicted ? s : 1.0 - s);
        }
      }
      if (worst >= 0) {
        wrong[count++] = i;
        confidence[i] = worst;
      }
    }
    List<Misclassified> listed = new ArrayList<>();
    for (int i : mostConfidentFirst(input, wrong, count, confidence, limit)) {
      int base = i * labels;
      List<String> predicted = new ArrayList<>();
      for (int l = 0; l < labels; l++) {
        if (input.scores[base + l] >= threshold) {
          predicted.add(input.labelNames().get(l));
        }
      }
      listed.add(
          new Misclassified(
              input.exampleIds().get(i),
              i,
              labelNames(input, input.trueLabels(i)),
              predicted,
              topScore[i],
              confidence[i]));
    }
    return new Misclassification(listed, count);
  }

  /** The first {@code limit} of {@code wrong[0..count)} by confidence descending, then id. */
  private static int[] mostConfidentFirst(
      EvaluationInput input, int[] wrong, int count, double[] confidence, int limit) {
    List<String> ids = input.exampleIds();
    IndexOrder order =
        (a, b) -> {
          int byConfidence = Double.compare(confidence[b], confidence[a]);
          return byConfidence != 0 ? byConfidence : ids.get(a).compareTo(ids.get(b));
        };
    int[] sorted = Arrays.copyOf(wrong, count);
    mergeSort(sorted, new int[count], 0, count, order);
    return sorted.length <= limit ? sorted : Arrays.copyOf(sorted, limit);
  }

  /** A comparator on int indices, without boxing. */
  @FunctionalInterface
  private interface IndexOrder {
    int compare(int a, int b);
  }

  /** Stable merge sort of {@code a[from..to)}; {@code buffer} is at least as long. */
  private static void mergeSort(int[] a, int[] buffer, int from, int to, IndexOrder order) {
    if (to - from < 16) {
      for (int i = from + 1; i < to; i++) { // insertion sort
        int v = a[i];
        int j = i - 1;
        while (j >= from && order.compare(a[j], v) > 0) {
          a[j + 1] = a[j];
          j--;
        }
        a[j + 1] = v;
      }
      return;
    }
    int mid = (from + to) >>> 1;
    mergeSort(a, buffer, from, mid, order);
    mergeSort(a, buffer, mid, to, order);
    if (order.compare(a[mid - 1], a[mid]) <= 0) {
      return; // already in order
    }
    System.arraycopy(a, from, buffer, from, to - from);
    int i = from;
    int j = mid;
    for (int k = from; k < to; k++) {
      if (j >= to || (i < mid && order.compare(buffer[i], buffer[j]) <= 0)) {
        a[k] = buffer[i++];
      } else {
        a[k] = buffer[j++];
      }
    }
  }

  private static List<String> labelNames(EvaluationInput input, int[] indices) {
    List<String> result = new ArrayList<>(indices.length);
    for (int l : indices) {
      result.add(input.labelNames().get(l));
    }
    return result;
  }
}
