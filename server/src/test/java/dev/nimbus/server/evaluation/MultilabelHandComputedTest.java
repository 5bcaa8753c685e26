package dev.nimbus.server.evaluation;

import static dev.nimbus.server.evaluation.Fixtures.nll;
import static dev.nimbus.server.evaluation.Fixtures.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.nimbus.v1.ClassificationType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** MULTILABEL cases small enough to compute by hand. */
class MultilabelHandComputedTest {

  private static final double EXACT = 1e-12;

  /**
   * Labels A (0), B (1), C (2); x has no true label, y has two.
   *
   * <pre>
   *   id  true   A     B    C    top-1
   *   x   {}     .1    .2   .3   C  (not counted in accuracy)
   *   y   {A,B}  .9    .6   .2   A  hit
   *   z   {C}    .3    .1   .8   C  hit
   *   w   {B}    .7    .4   .1   A  miss
   *   v   {A}    .05   .2   .1   B  miss
   * </pre>
   *
   * True pairs (P = 5): .9 .8 .6 .4 .05. False pairs (10): .7 .3 .3 .2 .2 .2 .1 .1 .1 .1.
   */
  private static EvaluationResult result() {
    return Evaluator.evaluate(
        EvaluationInput.multilabel(
            List.of("A", "B", "C"),
            List.of("x", "y", "z", "w", "v"),
            new float[][] {
              {0.1f, 0.2f, 0.3f},
              {0.9f, 0.6f, 0.2f},
              {0.3f, 0.1f, 0.8f},
              {0.7f, 0.4f, 0.1f},
              {0.05f, 0.2f, 0.1f}
            },
            new int[][] {{}, {1, 0}, {2}, {1}, {0}}));
  }

  @Test
  void evaluate_multilabel_overallAreas() {
    EvaluationResult r = result();
    // Steps (TP, FP): .9 (1,0) .8 (2,0) .7 (2,1) .6 (3,1) .4 (4,1) .3 (4,3) .2 (4,6) .1 (4,10)
    //   .05 (5,10). AP = 1/5 * (1 + 1 + 3/4 + 4/5 + 5/15) = 1/5 * 233/60 = 233/300.
    assertThat(r.auPrc()).isCloseTo(233.0 / 300.0, within(EXACT));
    // AUC: .9 and .8 beat all 10; .6 and .4 beat 9 (all but .7); .05 beats none -> 38 / 50.
    assertThat(r.auRoc()).isCloseTo(38.0 / 50.0, within(EXACT));
    assertThat(r.type()).isEqualTo(ClassificationType.MULTILABEL);
    assertThat(r.evaluatedExampleCount()).isEqualTo(5);
  }

  @Test
  void evaluate_multilabel_accuracyIgnoresImagesWithoutTruth() {
    EvaluationResult r = result();
    // Images with a true label: y, z, w, v; top-1 hits: y (A), z (C) -> 2/4. x is left out.
    assertThat(r.accuracy()).isEqualTo(0.5);
    // A: images y, v; top-1 A only for y -> 1/2. B: y, w; top-1 B for neither -> 0. C: z -> 1.
    assertThat(r.label("A").accuracy()).isEqualTo(0.5);
    assertThat(r.label("B").accuracy()).isEqualTo(0.0);
    assertThat(r.label("C").accuracy()).isEqualTo(1.0);
    assertThat(r.labelEvaluations())
        .extracting(LabelEvaluation::evaluatedExampleCount)
        .containsExactly(2, 2, 1);
  }

  @Test
  void evaluate_multilabel_logLossIsMeanBinaryCrossEntropyOverPairs() {
    EvaluationResult r = result();
    // 15 pair terms -ln(prob of the actual outcome):
    //   x: .9 .8 .7 | y: .9 .6 .8 | z: .7 .9 .8 | w: .3 .4 .9 | v: .05 .8 .9
    //   = 5(-ln .9) + 4(-ln .8) + 2(-ln .7) - ln .6 - ln .3 - ln .4 - ln .05
    //   = 0.5268026 + 0.8925742 + 0.7133499 + 0.5108256 + 1.2039728 + 0.9162907 + 2.9957323
    //   = 7.7595481; / 15 = 0.5173032
    assertThat(r.logLoss()).isCloseTo(0.5173032, within(1e-6));
    // Label A column: y .9 (true), v .05 (true), x .1, z .3, w .7 (false):
    //   (-ln .9 - ln .05 - ln .9 - ln .7 - ln .3) / 5
    double a = (nll(0.9f) + nll(0.05f) - Math.log(1.0 - 0.1f) - Math.log(1.0 - 0.3f) - Math.log(1.0 - 0.7f)) / 5;
    assertThat(r.label("A").logLoss()).isCloseTo(a, within(EXACT));
    assertThat(a).isCloseTo((0.1053605 + 2.9957323 + 0.1053605 + 0.3566749 + 1.2039728) / 5, within(1e-6));
  }

  @Test
  void evaluate_multilabel_perLabelAreas() {
    EvaluationResult r = result();
    // A: true .9 .05, false .7 .3 .1. Steps .9 (1,0) .7 (1,1) .3 (1,2) .1 (1,3) .05 (2,3):
    //   AP = 1/2 * 1 + 1/2 * 2/5 = 0.7; AUC: .9 beats 3, .05 none -> 3/6.
    assertThat(r.label("A").auPrc()).isCloseTo(0.7, within(EXACT));
    assertThat(r.label("A").auRoc()).isCloseTo(0.5, within(EXACT));
    // C: true .8, false .3 .2 .1 .1 -> AP 1, AUC 1.
    assertThat(r.label("C").auPrc()).isEqualTo(1.0);
    assertThat(r.label("C").auRoc()).isEqualTo(1.0);
    // B: true .6 .4, false .2 (x) .1 (z) .2 (v). Both true above all false -> 1, 1.
    assertThat(r.label("B").auPrc()).isEqualTo(1.0);
    assertThat(r.label("B").auRoc()).isEqualTo(1.0);
  }

  @Test
  void evaluate_multilabel_thresholdTable() {
    EvaluationResult r = result();
    // t = 0.5: pairs >= .5: .9 T .8 T .7 F .6 T -> TP 3, FP 1, FN 2, TN 9.
    // At 1: top-1 scores x .3 (miss), y .9 (hit), z .8 (hit), w .7 (miss), v .2 (miss);
    //   >= .5: y, z hit, w miss -> TP 2, FP 1, FN 5 - 2 = 3, TN 10 - 1 = 9.
    assertThat(row(r.thresholdMetrics(), 0.5))
        .isEqualTo(new ThresholdMetrics(0.5, 3, 1, 2, 9, 0.75, 0.6, 6.0 / 9.0, 0.1,
            2, 1, 3, 9, 2.0 / 3.0, 0.4, 4.0 / 8.0, 0.1));
  }

  @Test
  void evaluate_multilabel_confusionMatrixCountsEachTrueLabelAgainstTop1() {
    EvaluationResult r = result();
    // x adds nothing; y (top A) adds (A,A) and (B,A); z adds (C,C); w (top A) adds (B,A);
    // v (top B) adds (A,B).
    assertThat(r.confusionMatrix().row(0)).containsExactly(1, 1, 0);
    assertThat(r.confusionMatrix().row(1)).containsExactly(2, 0, 0);
    assertThat(r.confusionMatrix().row(2)).containsExactly(0, 0, 1);
    assertThat(r.mostConfused())
        .containsExactly(
            new ConfusedPair(1, "B", 0, "A", 2, 1.0), new ConfusedPair(0, "A", 1, "B", 1, 0.5));
  }

  @Test
  void evaluate_multilabel_misclassifiedAtMaxF1Threshold() {
    EvaluationResult r = result();
    // F1 = 2TP / (TP + FP + 5): .9 2/6, .8 4/7, .7 4/8, .6 6/9, .4 8/10, .3 8/12, .2 8/15,
    //   .1 8/19, .05 10/20 -> max 0.8 at 0.4 (P 4/5, R 4/5).
    assertThat(r.operatingPoint("max_f1"))
        .contains(new OperatingPoint("max_f1", 0.4f, 0.8, 0.8, 0.8, 4, 1, 1));
    assertThat(r.misclassifiedThreshold()).isEqualTo(0.4f);
    // Predicted sets at >= .4: x {} = {}; y {A,B} = {A,B}; z {C} = {C};
    //   w {A,B} vs {B}: A falsely predicted at .7 -> confidence .7;
    //   v {} vs {A}: A missed at .05 -> confidence 1 - .05 = .95.
    assertThat(r.misclassifiedCount()).isEqualTo(2);
    assertThat(r.misclassified())
        .containsExactly(
            new Misclassified("v", 4, List.of("A"), List.of(), 0.2f, 1.0 - 0.05f),
            new Misclassified("w", 3, List.of("B"), List.of("A", "B"), 0.7f, 0.7f));
  }

  @Test
  void evaluate_multilabel_precisionPoints() {
    EvaluationResult r = result();
    // Precision by step: .9 1, .8 1, .7 2/3, .6 3/4, .4 4/5, then lower. The lowest threshold
    // with precision >= .90 (and .95, .99) is .8: TP 2, FP 0, recall 2/5, F1 4/7.
    for (String name : List.of("precision_at_0.90", "precision_at_0.95", "precision_at_0.99")) {
      assertThat(r.operatingPoint(name))
          .contains(new OperatingPoint(name, 0.8f, 1.0, 0.4, 4.0 / 7.0, 2, 0, 3));
    }
  }

  @Test
  void evaluate_multilabelWithoutAnyTrueLabel_undefinedAreasAndFallbackThreshold() {
    // Two images, no true label at all; scores (A, B): (.6, .1), (.2, .3).
    EvaluationResult r =
        Evaluator.evaluate(
            EvaluationInput.multilabel(
                List.of("A", "B"),
                List.of("p", "q"),
                new float[][] {{0.6f, 0.1f}, {0.2f, 0.3f}},
                new int[][] {{}, {}}));
    assertThat(r.auPrc()).isNaN();
    assertThat(r.auRoc()).isNaN();
    assertThat(r.accuracy()).isNaN(); // no image has a true label
    assertThat(r.operatingPoints()).isEmpty(); // F1 undefined, precision 0 everywhere
    // -(ln .4 + ln .9 + ln .8 + ln .7) / 4 = (0.9162907 + 0.1053605 + 0.2231436 + 0.3566749) / 4
    assertThat(r.logLoss()).isCloseTo(1.6014697 / 4, within(1e-6));
    ThresholdMetrics half = row(r.thresholdMetrics(), 0.5);
    assertThat(half.falsePositives()).isEqualTo(1);
    assertThat(half.recall()).isNaN();
    assertThat(half.f1()).isNaN();
    assertThat(half.falsePositiveRate()).isEqualTo(0.25);
    // No max-F1 point: the predicted sets use 0.5. p predicts {A} (0.6) -> wrong, confidence .6;
    // q predicts {} -> right.
    assertThat(r.misclassifiedThreshold()).isEqualTo(0.5);
    assertThat(r.misclassified())
        .containsExactly(new Misclassified("p", 0, List.of(), List.of("A"), 0.6f, 0.6f));
    assertThat(r.confusionMatrix().counts()).containsOnly(0);
  }
}
