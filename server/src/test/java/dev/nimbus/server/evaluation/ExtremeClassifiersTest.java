package dev.nimbus.server.evaluation;

import static dev.nimbus.server.evaluation.Fixtures.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/** Perfect, always-confidently-wrong and uniform classifiers. */
class ExtremeClassifiersTest {

  private static final double EXACT = 1e-12;
  private static final List<String> ABC = List.of("A", "B", "C");

  /** Six images, two per label, one-hot scores on the true label. */
  private static EvaluationResult perfectOneHot() {
    int[] truth = {0, 1, 2, 0, 1, 2};
    float[][] scores = new float[6][3];
    for (int i = 0; i < 6; i++) {
      scores[i][truth[i]] = 1f;
    }
    return Evaluator.evaluate(EvaluationInput.multiclass(ABC, Fixtures.ids(6), scores, truth));
  }

  @Test
  void evaluate_perfectClassifier_allAreasOneAndNoErrors() {
    EvaluationResult r = perfectOneHot();
    // 6 true pairs all at 1.0, 12 false pairs all at 0.0: one step at 1.0 with P = 1, R = 1.
    assertThat(r.auPrc()).isEqualTo(1.0);
    assertThat(r.auRoc()).isEqualTo(1.0);
    assertThat(r.accuracy()).isEqualTo(1.0);
    // p(true) = 1 is clipped to 1 - 1e-15: -ln(1 - 1e-15) ~ 1e-15.
    assertThat(r.logLoss()).isCloseTo(0.0, within(1e-14)).isPositive();
    for (LabelEvaluation label : r.labelEvaluations()) {
      assertThat(label.auPrc()).isEqualTo(1.0);
      assertThat(label.auRoc()).isEqualTo(1.0);
      assertThat(label.accuracy()).isEqualTo(1.0);
      // each column: 2 true at 1 (clipped), 4 false at 0 (clipped to 1e-15): BCE ~ 1e-15
      assertThat(label.logLoss()).isCloseTo(0.0, within(1e-14));
    }
    // Diagonal 2, 2, 2; nothing off the diagonal.
    for (int t = 0; t < 3; t++) {
      for (int p = 0; p < 3; p++) {
        assertThat(r.confusionMatrix().count(t, p)).isEqualTo(t == p ? 2 : 0);
      }
    }
    assertThat(r.mostConfused()).isEmpty();
    assertThat(r.misclassified()).isEmpty();
    assertThat(r.misclassifiedCount()).isZero();
  }

  @Test
  void evaluate_perfectClassifier_maxF1AtTheOnlySeparatingScore() {
    EvaluationResult r = perfectOneHot();
    // Distinct scores 1.0 (TP6 FP0: F1 = 12/12) and 0.0 (TP6 FP12: F1 = 12/24).
    assertThat(r.operatingPoint("max_f1"))
        .contains(new OperatingPoint("max_f1", 1.0, 1.0, 1.0, 1.0, 6, 0, 0));
    assertThat(r.operatingPoint("precision_at_0.99"))
        .contains(new OperatingPoint("precision_at_0.99", 1.0, 1.0, 1.0, 1.0, 6, 0, 0));
    // Table at 0.5: TP 6, FP 0, FN 0, TN 12.
    ThresholdMetrics half = row(r.thresholdMetrics(), 0.5);
    assertThat(half.precision()).isEqualTo(1.0);
    assertThat(half.recall()).isEqualTo(1.0);
    assertThat(half.falsePositiveRate()).isEqualTo(0.0);
    assertThat(half.trueNegatives()).isEqualTo(12);
  }

  @Test
  void evaluate_perfectSoftClassifier_maxF1ThresholdBetweenClasses() {
    // True label 0.9, the other two 0.05: true pairs all at .9, false at .05.
    int[] truth = {0, 1, 2, 2};
    float[][] scores = new float[4][];
    for (int i = 0; i < 4; i++) {
      scores[i] = new float[] {0.05f, 0.05f, 0.05f};
      scores[i][truth[i]] = 0.9f;
    }
    EvaluationResult r =
        Evaluator.evaluate(EvaluationInput.multiclass(ABC, Fixtures.ids(4), scores, truth));
    // .9: TP4 FP0 -> F1 1; .05: TP4 FP8 -> F1 8/16. Threshold = lowest true score, 0.9,
    // above the highest false score .05.
    OperatingPoint maxF1 = r.operatingPoint("max_f1").orElseThrow();
    assertThat(maxF1.threshold()).isEqualTo(0.9f);
    assertThat(maxF1.threshold()).isGreaterThan(0.05f);
    assertThat(maxF1.f1()).isEqualTo(1.0);
    assertThat(r.auPrc()).isEqualTo(1.0);
    assertThat(r.auRoc()).isEqualTo(1.0);
    // -ln 0.9 each = 0.1053605
    assertThat(r.logLoss()).isCloseTo(0.1053605, within(1e-6));
    // Label C has images 2, 3: evaluated 2; A and B one each.
    assertThat(r.label("C").evaluatedExampleCount()).isEqualTo(2);
  }

  /** Two labels; every image puts 1.0 on the wrong label and 0.0 on the true one. */
  private static EvaluationResult alwaysConfidentlyWrong() {
    int[] truth = {0, 1, 0, 1};
    float[][] scores = new float[4][2];
    for (int i = 0; i < 4; i++) {
      scores[i][1 - truth[i]] = 1f;
    }
    return Evaluator.evaluate(
        EvaluationInput.multiclass(List.of("A", "B"), List.of("w", "x", "y", "z"), scores, truth));
  }

  @Test
  void evaluate_alwaysConfidentlyWrong_accuracyAndAucZero() {
    EvaluationResult r = alwaysConfidentlyWrong();
    assertThat(r.accuracy()).isEqualTo(0.0);
    // Every true pair (0.0) is below every false pair (1.0): AUC 0.
    assertThat(r.auRoc()).isEqualTo(0.0);
    // Steps: 1.0 -> TP0 FP4 (adds nothing), 0.0 -> TP4 FP4 (R 0 -> 1, P 1/2): AP = 1/2.
    assertThat(r.auPrc()).isEqualTo(0.5);
    // -ln(1e-15) = 34.538776394910684
    assertThat(r.logLoss()).isCloseTo(34.538776394910684, within(1e-9));
    for (LabelEvaluation label : r.labelEvaluations()) {
      assertThat(label.auRoc()).isEqualTo(0.0);
      assertThat(label.accuracy()).isEqualTo(0.0);
      // column: 2 true pairs at 0 (-ln 1e-15) and 2 false at 1 (-ln 1e-15): 34.5387...
      assertThat(label.logLoss()).isCloseTo(34.538776394910684, within(1e-9));
    }
    assertThat(r.confusionMatrix().row(0)).containsExactly(0, 2);
    assertThat(r.confusionMatrix().row(1)).containsExactly(2, 0);
    assertThat(r.mostConfused())
        .containsExactly(
            new ConfusedPair(0, "A", 1, "B", 2, 1.0), new ConfusedPair(1, "B", 0, "A", 2, 1.0));
    // All four wrong at confidence 1.0: tie broken by id.
    assertThat(r.misclassified()).extracting(Misclassified::exampleId)
        .containsExactly("w", "x", "y", "z");
    assertThat(r.misclassified()).extracting(Misclassified::confidence).containsOnly(1.0);
  }

  @Test
  void evaluate_alwaysConfidentlyWrong_noPrecisionPoint() {
    EvaluationResult r = alwaysConfidentlyWrong();
    // Precision is 0/4 at 1.0 and 4/8 at 0.0: no threshold reaches 0.90.
    // max F1: 1.0 -> 0; 0.0 -> 8 / (4 + 4 + 4) = 2/3, threshold 0.
    assertThat(r.operatingPoints())
        .containsExactly(new OperatingPoint("max_f1", 0.0, 0.5, 1.0, 2.0 / 3.0, 4, 4, 0));
    // At 1 and t = 0.5: the top-1 (1.0) is always wrong: TP 0, FP 4 -> precision 0, recall 0.
    ThresholdMetrics half = row(r.thresholdMetrics(), 0.5);
    assertThat(half.precisionAt1()).isEqualTo(0.0);
    assertThat(half.recallAt1()).isEqualTo(0.0);
    assertThat(half.f1At1()).isEqualTo(0.0);
    assertThat(half.falsePositiveRateAt1()).isEqualTo(1.0);
  }

  /** Eight images, four labels, every score 0.25; true labels A B C D A B C D. */
  private static EvaluationResult uniform() {
    List<String> labels = List.of("A", "B", "C", "D");
    float[][] scores = new float[8][4];
    for (float[] row : scores) {
      Arrays.fill(row, 0.25f);
    }
    return Evaluator.evaluate(
        EvaluationInput.multiclass(labels, Fixtures.ids(8), scores, new int[] {0, 1, 2, 3, 0, 1, 2, 3}));
  }

  @Test
  void evaluate_uniformClassifier_chanceLevelMetrics() {
    EvaluationResult r = uniform();
    // One step at 0.25: TP 8 FP 24 -> R 1, P 1/4: AP = 1/4. All pairs tied: AUC = 1/2.
    assertThat(r.auPrc()).isCloseTo(0.25, within(EXACT));
    assertThat(r.auRoc()).isCloseTo(0.5, within(EXACT));
    // -ln(1/4) = ln 4 = 1.3862944
    assertThat(r.logLoss()).isCloseTo(Math.log(4), within(EXACT));
    // Top-1 of a tie is label A (lowest index): right for the two A images: 2/8.
    assertThat(r.accuracy()).isEqualTo(0.25);
    assertThat(r.label("A").accuracy()).isEqualTo(1.0);
    assertThat(r.label("B").accuracy()).isEqualTo(0.0);
    for (LabelEvaluation label : r.labelEvaluations()) {
      assertThat(label.auPrc()).isCloseTo(0.25, within(EXACT)); // 2 true of 8, one step
      assertThat(label.auRoc()).isCloseTo(0.5, within(EXACT));
    }
    // Every row puts its 2 images in column A.
    for (int t = 0; t < 4; t++) {
      assertThat(r.confusionMatrix().row(t)).containsExactly(2, 0, 0, 0);
    }
    assertThat(r.mostConfused())
        .extracting(ConfusedPair::trueLabel, ConfusedPair::predictedLabel, ConfusedPair::count)
        .containsExactly(
            Tuple.tuple("B", "A", 2),
            Tuple.tuple("C", "A", 2),
            Tuple.tuple("D", "A", 2));
    assertThat(r.misclassifiedCount()).isEqualTo(6);
  }

  @Test
  void evaluate_uniformClassifier_tableAndNoPrecisionPoints() {
    EvaluationResult r = uniform();
    // t = 0.25: all 32 pairs predicted: TP 8 FP 24. At 1: each image predicts A:
    //   TP 2 (the A images), FP 6, FN 8 - 2 = 6, TN 24 - 6 = 18.
    assertThat(row(r.thresholdMetrics(), 0.25))
        .isEqualTo(new ThresholdMetrics(0.25, 8, 24, 0, 0, 0.25, 1.0, 16.0 / 40.0, 1.0,
            2, 6, 6, 18, 0.25, 0.25, 0.25, 0.25));
    // t = 0.30: nothing predicted: precision 1 (convention), recall 0, F1 0, FPR 0.
    assertThat(row(r.thresholdMetrics(), 0.3))
        .isEqualTo(new ThresholdMetrics(0.3, 0, 0, 8, 24, 1.0, 0.0, 0.0, 0.0,
            0, 0, 8, 24, 1.0, 0.0, 0.0, 0.0));
    // Only one threshold (0.25) with precision 1/4: max_f1 = 2*8/(8+24+8) = 0.4, no
    // precision_at_* point.
    assertThat(r.operatingPoints())
        .containsExactly(new OperatingPoint("max_f1", 0.25, 0.25, 1.0, 0.4, 8, 24, 0));
    assertThat(r.operatingPoint("precision_at_0.90")).isEmpty();
  }
}
