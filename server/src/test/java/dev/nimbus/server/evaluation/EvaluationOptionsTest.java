package dev.nimbus.server.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class EvaluationOptionsTest {

  @Test
  void defaults_twentyFourThresholds() {
    assertThat(EvaluationOptions.defaults().thresholds())
        .containsExactly(
            0.00, 0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 0.65,
            0.70, 0.75, 0.80, 0.85, 0.90, 0.95, 0.96, 0.97, 0.98, 0.99);
    assertThat(EvaluationOptions.defaults().precisionTargets()).containsExactly(0.90, 0.95, 0.99);
    assertThat(EvaluationOptions.defaults().mostConfusedLimit()).isEqualTo(10);
    assertThat(EvaluationOptions.defaults().misclassifiedLimit()).isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void constructor_invalidValues_rejected() {
    EvaluationOptions d = EvaluationOptions.defaults();
    assertThatThrownBy(() -> d.withThresholds(List.of(0.5, 1.5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("thresholds[1]: 1.5 (expected: 0..1)");
    assertThatThrownBy(() -> d.withThresholds(List.of(Double.NaN)))
        .hasMessage("thresholds[0]: NaN (expected: 0..1)");
    assertThatThrownBy(() -> d.withPrecisionTargets(List.of(0.0)))
        .hasMessage("precisionTargets[0]: 0.0 (expected: greater than 0, at most 1)");
    assertThatThrownBy(() -> d.withMostConfusedLimit(-1))
        .hasMessage("mostConfusedLimit: -1 (expected: at least 0)");
    assertThatThrownBy(() -> d.withMisclassifiedLimit(-1))
        .hasMessage("misclassifiedLimit: -1 (expected: at least 0)");
  }

  @Test
  void precisionPointName_atLeastTwoDecimals() {
    assertThat(EvaluationOptions.precisionPointName(0.9)).isEqualTo("precision_at_0.90");
    assertThat(EvaluationOptions.precisionPointName(0.95)).isEqualTo("precision_at_0.95");
    assertThat(EvaluationOptions.precisionPointName(0.995)).isEqualTo("precision_at_0.995");
    assertThat(EvaluationOptions.precisionPointName(1.0)).isEqualTo("precision_at_1.00");
  }

  @Test
  void evaluate_customThresholds_oneRowEachInGivenOrder() {
    EvaluationInput input =
        EvaluationInput.multiclass(
            List.of("A", "B"), List.of("a", "b"), new float[][] {{0.7f, 0.3f}, {0.4f, 0.6f}},
            new int[] {0, 0});
    EvaluationResult r =
        Evaluator.evaluate(input, EvaluationOptions.defaults().withThresholds(List.of(0.7, 0.1, 0.65)));
    assertThat(r.thresholdMetrics()).extracting(ThresholdMetrics::threshold)
        .containsExactly(0.7, 0.1, 0.65);
    // 0.7f (0.699999988...) is below the double 0.7 but meets it in float precision:
    // t = 0.7 -> only the (a, A) pair at 0.7f: TP 1.
    assertThat(r.thresholdMetrics().get(0).truePositives()).isEqualTo(1);
    assertThat(r.thresholdMetrics().get(0).falsePositives()).isZero();
    assertThat(r.label("A").thresholdMetrics()).hasSize(3);
  }
}
