package dev.nimbus.server.evaluation;

import static dev.nimbus.server.evaluation.Fixtures.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A label that no TEST image has. */
class AbsentLabelTest {

  /**
   * Labels A, B, C; C is on no image.
   *
   * <pre>
   *   id  true  A    B    C    top-1
   *   a   A     .7   .2   .1   A
   *   b   B     .1   .6   .3   B
   *   c   A     .2   .3   .5   C (wrong)
   * </pre>
   */
  private static EvaluationResult result() {
    return Evaluator.evaluate(
        EvaluationInput.multiclass(
            List.of("A", "B", "C"),
            List.of("a", "b", "c"),
            new float[][] {{0.7f, 0.2f, 0.1f}, {0.1f, 0.6f, 0.3f}, {0.2f, 0.3f, 0.5f}},
            new int[] {0, 1, 0}));
  }

  @Test
  void evaluate_absentLabel_areasAndAccuracyUndefined() {
    LabelEvaluation c = result().label("C");
    assertThat(c.auPrc()).isNaN();
    assertThat(c.auRoc()).isNaN();
    assertThat(c.accuracy()).isNaN();
    assertThat(c.evaluatedExampleCount()).isZero();
    // Log loss is defined: column C, all false: -(ln .9 + ln .7 + ln .5) / 3
    //   = (0.1053605 + 0.3566749 + 0.6931472) / 3 = 0.3850609
    assertThat(c.logLoss()).isCloseTo(0.3850609, within(1e-6));
  }

  @Test
  void evaluate_absentLabel_tableStillComputed() {
    List<ThresholdMetrics> table = result().label("C").thresholdMetrics();
    assertThat(table).hasSize(24);
    // t = 0.3: column C .1 .3 .5, all false -> FP 2 (b, c), TN 1 (a), TP 0, FN 0:
    //   precision 0/2 = 0, recall and F1 undefined, FPR 2/3.
    // At 1: only c's top-1 is C (.5 >= .3) and c lacks C -> FP 1, TN 2.
    ThresholdMetrics t30 = row(table, 0.3);
    assertThat(t30.truePositives()).isZero();
    assertThat(t30.falsePositives()).isEqualTo(2);
    assertThat(t30.falseNegatives()).isZero();
    assertThat(t30.trueNegatives()).isEqualTo(1);
    assertThat(t30.precision()).isEqualTo(0.0);
    assertThat(t30.recall()).isNaN();
    assertThat(t30.f1()).isNaN();
    assertThat(t30.falsePositiveRate()).isCloseTo(2.0 / 3.0, within(1e-12));
    assertThat(t30.falsePositivesAt1()).isEqualTo(1);
    assertThat(t30.trueNegativesAt1()).isEqualTo(2);
    assertThat(t30.precisionAt1()).isEqualTo(0.0);
    assertThat(t30.recallAt1()).isNaN();
    assertThat(t30.falsePositiveRateAt1()).isCloseTo(1.0 / 3.0, within(1e-12));
    // t = 0.55: nothing predicted -> precision 1 by convention, FPR 0.
    ThresholdMetrics t55 = row(table, 0.55);
    assertThat(t55.precision()).isEqualTo(1.0);
    assertThat(t55.falsePositiveRate()).isEqualTo(0.0);
    assertThat(t55.trueNegatives()).isEqualTo(3);
  }

  @Test
  void evaluate_absentLabel_confusionRowZeroAndOverallStillIncludesItsColumn() {
    EvaluationResult r = result();
    assertThat(r.confusionMatrix().row(2)).containsExactly(0, 0, 0);
    assertThat(r.confusionMatrix().rowTotal(2)).isZero();
    assertThat(r.confusionMatrix().row(0)).containsExactly(1, 0, 1); // a -> A, c -> C
    assertThat(r.mostConfused()).containsExactly(new ConfusedPair(0, "A", 2, "C", 1, 0.5));
    // Overall over all 9 pairs, C's three false pairs included.
    // True: .7 (a,A) .6 (b,B) .2 (c,A). False: .5 (c,C) .3 (b,C) .3 (c,B) .2 (a,B) .1 (a,C) .1 (b,A)
    // Steps: .7 TP1 FP0 | .6 TP2 FP0 | .5 TP2 FP1 | .3 TP2 FP3 | .2 TP3 FP4 | .1 TP3 FP6
    //   AP = 1/3 * (1 + 1 + 3/7) = 2/3 + 1/7 = 17/21
    assertThat(r.auPrc()).isCloseTo(17.0 / 21.0, within(1e-12));
    // AUC: .7 beats 6, .6 beats 6, .2 beats 2 and ties 1 (2.5) -> 14.5 / 18
    assertThat(r.auRoc()).isCloseTo(14.5 / 18.0, within(1e-12));
    assertThat(r.accuracy()).isCloseTo(2.0 / 3.0, within(1e-12));
    assertThat(r.evaluatedExampleCount()).isEqualTo(3);
  }
}
