package dev.nimbus.server.evaluation;

import static dev.nimbus.server.evaluation.Fixtures.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.nimbus.v1.ClassificationType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** MULTICLASS cases small enough to compute by hand; the arithmetic is in the comments. */
class MulticlassHandComputedTest {

  private static final double EXACT = 1e-12;
  /** Scores are floats: 0.9f is 0.899999976..., so float-derived logs agree to ~1e-7. */
  private static final double FLOAT = 1e-6;

  /**
   * Four images, labels cat (0) and dog (1).
   *
   * <pre>
   *   id  true  cat   dog   top-1
   *   a   cat   0.9   0.1   cat  (right)
   *   b   cat   0.4   0.6   dog  (wrong, 0.6)
   *   c   dog   0.3   0.7   dog  (right)
   *   d   dog   0.8   0.2   cat  (wrong, 0.8)
   * </pre>
   */
  private static EvaluationResult fourImages() {
    return Evaluator.evaluate(
        EvaluationInput.multiclass(
            List.of("cat", "dog"),
            List.of("a", "b", "c", "d"),
            new float[][] {{0.9f, 0.1f}, {0.4f, 0.6f}, {0.3f, 0.7f}, {0.8f, 0.2f}},
            new int[] {0, 0, 1, 1}));
  }

  @Test
  void evaluate_fourImagesTwoLabels_overallAreasAccuracyAndLogLoss() {
    EvaluationResult r = fourImages();

    // Pairs by score, descending (P = true pair, N = false pair):
    //   0.9 P(a,cat)  0.8 N(d,cat)  0.7 P(c,dog)  0.6 N(b,dog)
    //   0.4 P(b,cat)  0.3 N(c,cat)  0.2 P(d,dog)  0.1 N(a,dog)
    // Average precision: each P adds recall step 1/4 times precision at its score:
    //   1/4 * (1/1 + 2/3 + 3/5 + 4/7) = 1/4 * 298/105 = 298/420
    assertThat(r.auPrc()).isCloseTo(298.0 / 420.0, within(EXACT));
    // ROC AUC = share of (P, N) pairs ordered correctly:
    //   0.9 beats 4 N, 0.7 beats 3 (0.6 0.3 0.1), 0.4 beats 2, 0.2 beats 1 -> 10 / 16
    assertThat(r.auRoc()).isCloseTo(10.0 / 16.0, within(EXACT));
    // Top-1 right for a and c: 2 / 4.
    assertThat(r.accuracy()).isEqualTo(0.5);
    // -(ln 0.9 + ln 0.4 + ln 0.7 + ln 0.2) / 4
    //   = (0.1053605 + 0.9162907 + 0.3566749 + 1.6094379) / 4 = 0.7469410
    assertThat(r.logLoss()).isCloseTo(0.7469410, within(FLOAT));
    assertThat(r.evaluatedExampleCount()).isEqualTo(4);
    assertThat(r.type()).isEqualTo(ClassificationType.MULTICLASS);
  }

  @Test
  void evaluate_fourImagesTwoLabels_perLabelMetrics() {
    EvaluationResult r = fourImages();

    LabelEvaluation cat = r.label("cat");
    // cat column descending: 0.9 P(a), 0.8 N(d), 0.4 P(b), 0.3 N(c)
    //   AP = 1/2 * 1/1 + 1/2 * 2/3 = 5/6; AUC: 0.9 beats 2, 0.4 beats 1 -> 3/4
    assertThat(cat.auPrc()).isCloseTo(5.0 / 6.0, within(EXACT));
    assertThat(cat.auRoc()).isCloseTo(0.75, within(EXACT));
    // Images of cat: a (top-1 cat), b (top-1 dog) -> accuracy 1/2; evaluated = 2 cat images.
    assertThat(cat.accuracy()).isEqualTo(0.5);
    assertThat(cat.evaluatedExampleCount()).isEqualTo(2);
    // Binary cross-entropy of the cat column: a -ln .9, b -ln .4, c -ln(1-.3), d -ln(1-.8)
    //   = same four numbers as above -> 0.7469410
    assertThat(cat.logLoss()).isCloseTo(0.7469410, within(FLOAT));

    LabelEvaluation dog = r.label("dog");
    // dog column descending: 0.7 P(c), 0.6 N(b), 0.2 P(d), 0.1 N(a): AP 5/6, AUC 3/4
    assertThat(dog.auPrc()).isCloseTo(5.0 / 6.0, within(EXACT));
    assertThat(dog.auRoc()).isCloseTo(0.75, within(EXACT));
    assertThat(dog.accuracy()).isEqualTo(0.5);
    assertThat(dog.labelIndex()).isEqualTo(1);
    assertThat(dog.labelName()).isEqualTo("dog");
  }

  @Test
  void evaluate_fourImagesTwoLabels_overallThresholdTable() {
    EvaluationResult r = fourImages();
    assertThat(r.thresholdMetrics()).hasSize(24);

    // t = 0: every pair predicted: TP 4, FP 4, FN 0, TN 0 -> P 1/2, R 1, F1 8/12, FPR 1.
    // At 1: every image's top-1 predicted: hits a, c; misses b, d -> TP 2, FP 2,
    //   FN = 4 true pairs - 2 = 2, TN = 4 false pairs - 2 = 2.
    assertThat(row(r.thresholdMetrics(), 0.0))
        .isEqualTo(new ThresholdMetrics(0.0, 4, 4, 0, 0, 0.5, 1.0, 8.0 / 12.0, 1.0,
            2, 2, 2, 2, 0.5, 0.5, 0.5, 0.5));
    // t = 0.5: pairs >= 0.5 are 0.9 P, 0.8 N, 0.7 P, 0.6 N -> TP 2 FP 2 FN 2 TN 2.
    // At 1: top-1 scores 0.9 (hit), 0.6 (miss), 0.7 (hit), 0.8 (miss) all >= 0.5 -> same.
    assertThat(row(r.thresholdMetrics(), 0.5))
        .isEqualTo(new ThresholdMetrics(0.5, 2, 2, 2, 2, 0.5, 0.5, 0.5, 0.5,
            2, 2, 2, 2, 0.5, 0.5, 0.5, 0.5));
    // t = 0.85: only 0.9 P -> TP 1 FP 0 FN 3 TN 4: P 1, R 1/4, F1 2/(2+0+3) = 0.4, FPR 0.
    assertThat(row(r.thresholdMetrics(), 0.85))
        .isEqualTo(new ThresholdMetrics(0.85, 1, 0, 3, 4, 1.0, 0.25, 0.4, 0.0,
            1, 0, 3, 4, 1.0, 0.25, 0.4, 0.0));
    // t = 0.95: nothing predicted -> precision 1 by convention, recall 0, F1 0, FPR 0.
    assertThat(row(r.thresholdMetrics(), 0.95))
        .isEqualTo(new ThresholdMetrics(0.95, 0, 0, 4, 4, 1.0, 0.0, 0.0, 0.0,
            0, 0, 4, 4, 1.0, 0.0, 0.0, 0.0));
  }

  @Test
  void evaluate_fourImagesTwoLabels_perLabelThresholdTable() {
    EvaluationResult r = fourImages();
    // cat column: a .9 P, b .4 P, c .3 N, d .8 N. t = 0.5 -> a TP, d FP, b FN, c TN.
    // At 1: images whose top-1 is cat: a (.9, has cat) and d (.8, lacks cat) -> TP 1 FP 1,
    //   FN = 2 cat images - 1 = 1, TN = 2 other images - 1 = 1.
    assertThat(row(r.label("cat").thresholdMetrics(), 0.5))
        .isEqualTo(new ThresholdMetrics(0.5, 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5,
            1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5));
    // dog column: a .1 N, b .6 N, c .7 P, d .2 P. t = 0.65 -> c TP; b, a TN; d FN.
    // At 1: top-1 dog: b (.6 < .65, not counted), c (.7, has dog) -> TP 1 FP 0 FN 1 TN 2.
    assertThat(row(r.label("dog").thresholdMetrics(), 0.65))
        .isEqualTo(new ThresholdMetrics(0.65, 1, 0, 1, 2, 1.0, 0.5, 2.0 / 3.0, 0.0,
            1, 0, 1, 2, 1.0, 0.5, 2.0 / 3.0, 0.0));
  }

  @Test
  void evaluate_fourImagesTwoLabels_confusionAndErrors() {
    EvaluationResult r = fourImages();
    // Rows true, columns top-1: cat -> {a: cat, b: dog}, dog -> {d: cat, c: dog}.
    assertThat(r.confusionMatrix().row(0)).containsExactly(1, 1);
    assertThat(r.confusionMatrix().row(1)).containsExactly(1, 1);
    // Both off-diagonal cells count 1: tie broken by true label name, cat < dog.
    assertThat(r.mostConfused())
        .containsExactly(
            new ConfusedPair(0, "cat", 1, "dog", 1, 0.5), new ConfusedPair(1, "dog", 0, "cat", 1, 0.5));
    // Wrong: d (cat at 0.8) before b (dog at 0.6).
    assertThat(r.misclassifiedCount()).isEqualTo(2);
    assertThat(r.misclassified())
        .containsExactly(
            new Misclassified("d", 3, List.of("dog"), List.of("cat"), 0.8f, 0.8f),
            new Misclassified("b", 1, List.of("cat"), List.of("dog"), 0.6f, 0.6f));
    assertThat(r.misclassifiedThreshold()).isNaN();
  }

  @Test
  void evaluate_fourImagesTwoLabels_operatingPoints() {
    EvaluationResult r = fourImages();
    // Over the distinct scores (P = 4 true pairs), F1 = 2TP / (TP + FP + 4):
    //   .9: TP1 FP0 2/5 | .8: TP1 FP1 2/6 | .7: TP2 FP1 4/7 | .6: TP2 FP2 4/8
    //   .4: TP3 FP2 6/9 | .3: TP3 FP3 6/10 | .2: TP4 FP3 8/11 | .1: TP4 FP4 8/12
    // max F1 = 8/11 at 0.2: precision 4/7, recall 1.
    assertThat(r.operatingPoint("max_f1"))
        .contains(new OperatingPoint("max_f1", 0.2f, 4.0 / 7.0, 1.0, 8.0 / 11.0, 4, 3, 0));
    // Precision >= 0.90 (and 0.95, 0.99) only at 0.9 (1/1); below it precision <= 2/3.
    for (String name : List.of("precision_at_0.90", "precision_at_0.95", "precision_at_0.99")) {
      assertThat(r.operatingPoint(name))
          .contains(new OperatingPoint(name, 0.9f, 1.0, 0.25, 0.4, 1, 0, 3));
    }
    assertThat(r.operatingPoints())
        .extracting(OperatingPoint::name)
        .containsExactly("max_f1", "precision_at_0.90", "precision_at_0.95", "precision_at_0.99");
  }
}
