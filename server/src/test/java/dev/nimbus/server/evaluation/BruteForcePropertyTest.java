package dev.nimbus.server.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.nimbus.v1.ClassificationType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Seeded random inputs (many with heavy ties) checked against deliberately naive reference
 * implementations written straight from the definitions: O(P^2) pair counting for the ROC AUC,
 * "mean over true pairs of the precision at that pair's score" for the average precision, and
 * direct counting for everything else.
 */
class BruteForcePropertyTest {

  private static final int CASES = 400;
  private static final double TOLERANCE = 1e-9;

  /** A random case: MULTICLASS or MULTILABEL, N 1..30, L 2..5, quantised or continuous scores. */
  private record Case(ClassificationType type, int n, int labels, float[][] scores, boolean[][] truth) {

    EvaluationInput input() {
      List<String> names = new ArrayList<>();
      for (int l = 0; l < labels; l++) {
        names.add("label" + l);
      }
      if (type == ClassificationType.MULTICLASS) {
        int[] truthIndex = new int[n];
        for (int i = 0; i < n; i++) {
          for (int l = 0; l < labels; l++) {
            if (truth[i][l]) {
              truthIndex[i] = l;
            }
          }
        }
        return EvaluationInput.multiclass(names, Fixtures.ids(n), scores, truthIndex);
      }
      int[][] sets = new int[n][];
      for (int i = 0; i < n; i++) {
        List<Integer> set = new ArrayList<>();
        for (int l = 0; l < labels; l++) {
          if (truth[i][l]) {
            set.add(l);
          }
        }
        sets[i] = set.stream().mapToInt(Integer::intValue).toArray();
      }
      return EvaluationInput.multilabel(names, Fixtures.ids(n), scores, sets);
    }
  }

  private static Case randomCase(Random random) {
    ClassificationType type =
        random.nextBoolean() ? ClassificationType.MULTICLASS : ClassificationType.MULTILABEL;
    int n = 1 + random.nextInt(30);
    int labels = 2 + random.nextInt(4);
    boolean quantised = random.nextInt(3) > 0; // two cases in three are tie-heavy
    float[][] scores = new float[n][labels];
    boolean[][] truth = new boolean[n][labels];
    for (int i = 0; i < n; i++) {
      if (type == ClassificationType.MULTICLASS) {
        double[] w = new double[labels];
        double sum = 0;
        for (int l = 0; l < labels; l++) {
          w[l] = quantised ? random.nextInt(4) : random.nextDouble();
          sum += w[l];
        }
        if (sum == 0) {
          w[random.nextInt(labels)] = 1;
          sum = 1;
        }
        for (int l = 0; l < labels; l++) {
          scores[i][l] = (float) (w[l] / sum);
        }
        truth[i][random.nextInt(labels)] = true;
      } else {
        double p = random.nextDouble();
        for (int l = 0; l < labels; l++) {
          scores[i][l] = quantised ? random.nextInt(5) / 4f : random.nextFloat();
          truth[i][l] = random.nextDouble() < p;
        }
      }
    }
    return new Case(type, n, labels, scores, truth);
  }

  @Test
  void evaluate_randomInputs_matchBruteForceDefinitions() {
    Random random = new Random(0x5EED_CAFEL);
    int withUndefinedLabel = 0;
    for (int c = 0; c < CASES; c++) {
      Case k = randomCase(random);
      EvaluationResult r = Evaluator.evaluate(k.input());
      String label = "case " + c + " " + k.type() + " n=" + k.n() + " L=" + k.labels();

      // Overall = all pairs.
      List<Float> pos = new ArrayList<>();
      List<Float> neg = new ArrayList<>();
      for (int i = 0; i < k.n(); i++) {
        for (int l = 0; l < k.labels(); l++) {
          (k.truth()[i][l] ? pos : neg).add(k.scores()[i][l]);
        }
      }
      assertClose(r.auRoc(), bruteAuc(pos, neg), label + " auRoc");
      assertClose(r.auPrc(), bruteAp(pos, neg), label + " auPrc");
      checkOperatingPoints(r, pos, neg, label);

      int[] top = bruteTop1(k);
      for (int l = 0; l < k.labels(); l++) {
        List<Float> colPos = new ArrayList<>();
        List<Float> colNeg = new ArrayList<>();
        for (int i = 0; i < k.n(); i++) {
          (k.truth()[i][l] ? colPos : colNeg).add(k.scores()[i][l]);
        }
        LabelEvaluation e = r.labelEvaluations().get(l);
        assertClose(e.auRoc(), bruteAuc(colPos, colNeg), label + " label " + l + " auRoc");
        assertClose(e.auPrc(), bruteAp(colPos, colNeg), label + " label " + l + " auPrc");
        if (colPos.isEmpty()) {
          withUndefinedLabel++;
        }
        assertClose(e.logLoss(), bruteColumnLogLoss(k, l), label + " label " + l + " logLoss");
        checkTable(e.thresholdMetrics(), k, top, l, label + " label " + l);
      }
      checkTable(r.thresholdMetrics(), k, top, -1, label + " overall");
      assertClose(r.logLoss(), bruteLogLoss(k), label + " logLoss");
      checkConfusionAndAccuracy(r, k, top, label);
      checkMisclassified(r, k, top, label);
    }
    // The generator does produce the undefined case (a label with no true image).
    assertThat(withUndefinedLabel).isGreaterThan(10);
  }

  @Test
  void evaluate_operatingPointThresholds_reproduceTheirCountsInTheTable() {
    Random random = new Random(77L);
    int checked = 0;
    for (int c = 0; c < 200; c++) {
      Case k = randomCase(random);
      EvaluationResult r = Evaluator.evaluate(k.input());
      List<Double> thresholds =
          r.operatingPoints().stream().map(OperatingPoint::threshold).toList();
      EvaluationResult again =
          Evaluator.evaluate(k.input(), EvaluationOptions.defaults().withThresholds(thresholds));
      for (int p = 0; p < thresholds.size(); p++) {
        OperatingPoint point = r.operatingPoints().get(p);
        ThresholdMetrics row = again.thresholdMetrics().get(p);
        assertThat(row.truePositives()).isEqualTo(point.truePositives());
        assertThat(row.falsePositives()).isEqualTo(point.falsePositives());
        assertThat(row.falseNegatives()).isEqualTo(point.falseNegatives());
        assertThat(row.precision()).isEqualTo(point.precision());
        assertThat(row.recall()).isEqualTo(point.recall());
        assertThat(row.f1()).isEqualTo(point.f1());
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(200);
  }

  @Test
  void evaluate_largeTiedInput_matchesBruteForceDefinitions() {
    // 2,500 images x 3 labels = 7,500 pairs: the arrays are large enough for the radix sort.
    Random random = new Random(4242L);
    int n = 2500;
    int labels = 3;
    float[][] scores = new float[n][labels];
    boolean[][] truth = new boolean[n][labels];
    for (int i = 0; i < n; i++) {
      for (int l = 0; l < labels; l++) {
        truth[i][l] = random.nextInt(3) == 0;
        float base = random.nextBoolean() ? random.nextInt(11) / 10f : random.nextFloat();
        scores[i][l] = truth[i][l] ? Math.max(base, random.nextFloat()) : base;
      }
    }
    Case k = new Case(ClassificationType.MULTILABEL, n, labels, scores, truth);
    EvaluationResult r = Evaluator.evaluate(k.input());
    List<Float> pos = new ArrayList<>();
    List<Float> neg = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      for (int l = 0; l < labels; l++) {
        (truth[i][l] ? pos : neg).add(scores[i][l]);
      }
    }
    assertThat(pos.size()).isGreaterThan(2000);
    assertClose(r.auRoc(), bruteAuc(pos, neg), "auRoc");
    assertClose(r.auPrc(), bruteAp(pos, neg), "auPrc");
    int[] top = bruteTop1(k);
    checkTable(r.thresholdMetrics(), k, top, -1, "overall");
    checkOperatingPoints(r, pos, neg, "large");
    for (int l = 0; l < labels; l++) {
      List<Float> colPos = new ArrayList<>();
      List<Float> colNeg = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        (truth[i][l] ? colPos : colNeg).add(scores[i][l]);
      }
      assertClose(r.labelEvaluations().get(l).auRoc(), bruteAuc(colPos, colNeg), "auRoc " + l);
      assertClose(r.labelEvaluations().get(l).auPrc(), bruteAp(colPos, colNeg), "auPrc " + l);
    }
    assertClose(r.logLoss(), bruteLogLoss(k), "logLoss");
    checkMisclassified(r, k, top, "large");
  }

  // ---------------------------------------------------------------- reference implementations

  /** Pairs (true, false) ordered correctly, ties counting 1/2, over all such pairs. */
  static double bruteAuc(List<Float> pos, List<Float> neg) {
    if (pos.isEmpty() || neg.isEmpty()) {
      return Double.NaN;
    }
    double wins = 0;
    for (float p : pos) {
      for (float q : neg) {
        wins += p > q ? 1 : p == q ? 0.5 : 0;
      }
    }
    return wins / ((double) pos.size() * neg.size());
  }

  /** Mean over true pairs of the precision at threshold "score >= that pair's score". */
  static double bruteAp(List<Float> pos, List<Float> neg) {
    if (pos.isEmpty()) {
      return Double.NaN;
    }
    double sum = 0;
    for (float s : pos) {
      long tp = pos.stream().filter(v -> v >= s).count();
      long fp = neg.stream().filter(v -> v >= s).count();
      sum += (double) tp / (tp + fp);
    }
    return sum / pos.size();
  }

  private static int[] bruteTop1(Case k) {
    int[] top = new int[k.n()];
    for (int i = 0; i < k.n(); i++) {
      for (int l = 0; l < k.labels(); l++) {
        if (k.scores()[i][l] > k.scores()[i][top[i]]) {
          top[i] = l;
        }
      }
    }
    return top;
  }

  private static double clippedNll(double p) {
    return -Math.log(Math.min(Math.max(p, 1e-15), 1 - 1e-15));
  }

  private static double bruteColumnLogLoss(Case k, int l) {
    double sum = 0;
    for (int i = 0; i < k.n(); i++) {
      float s = k.scores()[i][l];
      sum += k.truth()[i][l] ? clippedNll(s) : clippedNll(1.0 - s);
    }
    return sum / k.n();
  }

  private static double bruteLogLoss(Case k) {
    double sum = 0;
    if (k.type() == ClassificationType.MULTICLASS) {
      for (int i = 0; i < k.n(); i++) {
        for (int l = 0; l < k.labels(); l++) {
          if (k.truth()[i][l]) {
            sum += clippedNll(k.scores()[i][l]);
          }
        }
      }
      return sum / k.n();
    }
    for (int l = 0; l < k.labels(); l++) {
      sum += bruteColumnLogLoss(k, l) * k.n();
    }
    return sum / (k.n() * k.labels());
  }

  /** Table rows by direct counting; {@code only} = a label, or -1 for all pairs. */
  private static void checkTable(
      List<ThresholdMetrics> table, Case k, int[] top, int only, String label) {
    assertThat(table).hasSize(24);
    for (ThresholdMetrics row : table) {
      float t = (float) row.threshold();
      long tp = 0, fp = 0, fn = 0, tn = 0, tp1 = 0, fp1 = 0, fn1 = 0, tn1 = 0;
      for (int i = 0; i < k.n(); i++) {
        for (int l = 0; l < k.labels(); l++) {
          if (only >= 0 && l != only) {
            continue;
          }
          boolean y = k.truth()[i][l];
          boolean predicted = k.scores()[i][l] >= t;
          boolean predictedAt1 = top[i] == l && k.scores()[i][l] >= t;
          if (predicted) {
            if (y) tp++; else fp++;
          } else {
            if (y) fn++; else tn++;
          }
          if (predictedAt1) {
            if (y) tp1++; else fp1++;
          } else {
            if (y) fn1++; else tn1++;
          }
        }
      }
      String where = label + " t=" + row.threshold();
      assertThat(new long[] {row.truePositives(), row.falsePositives(), row.falseNegatives(),
              row.trueNegatives(), row.truePositivesAt1(), row.falsePositivesAt1(),
              row.falseNegativesAt1(), row.trueNegativesAt1()})
          .as(where)
          .containsExactly(tp, fp, fn, tn, tp1, fp1, fn1, tn1);
      assertClose(row.precision(), tp + fp == 0 ? 1.0 : (double) tp / (tp + fp), where + " P");
      double recall = tp + fn == 0 ? Double.NaN : (double) tp / (tp + fn);
      assertClose(row.recall(), recall, where + " R");
      double precision = tp + fp == 0 ? 1.0 : (double) tp / (tp + fp);
      double f1 = Double.isNaN(recall) ? Double.NaN
          : precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
      assertClose(row.f1(), f1, where + " F1 (harmonic mean)");
      assertClose(row.falsePositiveRate(), fp + tn == 0 ? Double.NaN : (double) fp / (fp + tn),
          where + " FPR");
      assertClose(row.precisionAt1(), tp1 + fp1 == 0 ? 1.0 : (double) tp1 / (tp1 + fp1), where + " P@1");
    }
  }

  private static void checkOperatingPoints(
      EvaluationResult r, List<Float> pos, List<Float> neg, String label) {
    TreeSet<Float> distinct = new TreeSet<>(Comparator.reverseOrder());
    distinct.addAll(pos);
    distinct.addAll(neg);
    double bestF1 = -1;
    float bestThreshold = Float.NaN;
    double[] targets = {0.90, 0.95, 0.99};
    Float[] lowest = new Float[3];
    for (float s : distinct) { // high to low
      long tp = pos.stream().filter(v -> v >= s).count();
      long fp = neg.stream().filter(v -> v >= s).count();
      if (!pos.isEmpty()) {
        double f1 = 2.0 * tp / (tp + fp + pos.size());
        if (f1 >= bestF1 - 1e-15) { // ties -> the lower threshold
          bestF1 = f1;
          bestThreshold = s;
        }
      }
      for (int q = 0; q < 3; q++) {
        if ((double) tp / (tp + fp) >= targets[q]) {
          lowest[q] = s;
        }
      }
    }
    if (pos.isEmpty()) {
      assertThat(r.operatingPoint("max_f1")).as(label).isEmpty();
    } else {
      OperatingPoint p = r.operatingPoint("max_f1").orElseThrow();
      assertThat(p.threshold()).as(label + " max_f1").isEqualTo(bestThreshold);
      assertClose(p.f1(), bestF1, label + " max_f1 F1");
    }
    String[] names = {"precision_at_0.90", "precision_at_0.95", "precision_at_0.99"};
    for (int q = 0; q < 3; q++) {
      if (lowest[q] == null) {
        assertThat(r.operatingPoint(names[q])).as(label + " " + names[q]).isEmpty();
      } else {
        OperatingPoint p = r.operatingPoint(names[q]).orElseThrow();
        assertThat(p.threshold()).as(label + " " + names[q]).isEqualTo((double) lowest[q]);
        assertThat(p.precision()).isGreaterThanOrEqualTo(targets[q]);
      }
    }
  }

  private static void checkConfusionAndAccuracy(EvaluationResult r, Case k, int[] top, String label) {
    int[][] cm = new int[k.labels()][k.labels()];
    int hits = 0;
    int withTruth = 0;
    for (int i = 0; i < k.n(); i++) {
      boolean any = false;
      for (int l = 0; l < k.labels(); l++) {
        if (k.truth()[i][l]) {
          cm[l][top[i]]++;
          any = true;
        }
      }
      if (any) {
        withTruth++;
      }
      if (k.truth()[i][top[i]]) {
        hits++;
      }
    }
    for (int t = 0; t < k.labels(); t++) {
      assertThat(r.confusionMatrix().row(t)).as(label + " row " + t).containsExactly(cm[t]);
      int support = 0;
      for (int p = 0; p < k.labels(); p++) {
        support += cm[t][p];
      }
      LabelEvaluation e = r.labelEvaluations().get(t);
      assertThat(e.evaluatedExampleCount()).isEqualTo(support);
      assertClose(e.accuracy(), support == 0 ? Double.NaN : (double) cm[t][t] / support,
          label + " accuracy of " + t);
    }
    double expected = k.type() == ClassificationType.MULTICLASS
        ? (double) hits / k.n()
        : withTruth == 0 ? Double.NaN : (double) hits / withTruth;
    assertClose(r.accuracy(), expected, label + " accuracy");
  }

  private static void checkMisclassified(EvaluationResult r, Case k, int[] top, String label) {
    List<String> wrongIds = new ArrayList<>();
    List<Double> confidences = new ArrayList<>();
    float threshold = (float) r.misclassifiedThreshold();
    for (int i = 0; i < k.n(); i++) {
      if (k.type() == ClassificationType.MULTICLASS) {
        if (!k.truth()[i][top[i]]) {
          wrongIds.add("e" + i);
          confidences.add((double) k.scores()[i][top[i]]);
        }
      } else {
        double worst = -1;
        for (int l = 0; l < k.labels(); l++) {
          float s = k.scores()[i][l];
          if ((s >= threshold) != k.truth()[i][l]) {
            worst = Math.max(worst, s >= threshold ? s : 1.0 - s);
          }
        }
        if (worst >= 0) {
          wrongIds.add("e" + i);
          confidences.add(worst);
        }
      }
    }
    assertThat(r.misclassifiedCount()).as(label).isEqualTo(wrongIds.size());
    assertThat(r.misclassified()).extracting(Misclassified::exampleId)
        .as(label).containsExactlyInAnyOrderElementsOf(wrongIds);
    for (int m = 1; m < r.misclassified().size(); m++) {
      Misclassified a = r.misclassified().get(m - 1);
      Misclassified b = r.misclassified().get(m);
      boolean ordered = a.confidence() > b.confidence()
          || (a.confidence() == b.confidence() && a.exampleId().compareTo(b.exampleId()) < 0);
      assertThat(ordered).as(label + " order at " + m).isTrue();
    }
    for (Misclassified m : r.misclassified()) {
      assertThat(m.confidence()).isEqualTo(confidences.get(wrongIds.indexOf(m.exampleId())));
    }
    if (k.type() == ClassificationType.MULTILABEL) {
      double expected = r.operatingPoint("max_f1").map(OperatingPoint::threshold).orElse(0.5);
      assertThat(r.misclassifiedThreshold()).isEqualTo(expected);
    }
  }

  private static void assertClose(double actual, double expected, String what) {
    if (Double.isNaN(expected)) {
      assertThat(actual).as(what).isNaN();
    } else {
      assertThat(actual).as(what).isCloseTo(expected, within(TOLERANCE));
    }
  }
}
