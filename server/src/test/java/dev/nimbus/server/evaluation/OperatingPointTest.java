package dev.nimbus.server.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/** Operating points are searched over every distinct score, not just the table thresholds. */
class OperatingPointTest {

  /**
   * MULTILABEL with labels A, B. {@code aScores[i]} is image i's A score, true iff {@code
   * hasA[i]}; every B score is 0 and never true (so B adds only false pairs at 0).
   */
  private static EvaluationResult labelAOnly(float[] aScores, boolean[] hasA) {
    int n = aScores.length;
    float[][] scores = new float[n][];
    int[][] truth = new int[n][];
    for (int i = 0; i < n; i++) {
      scores[i] = new float[] {aScores[i], 0f};
      truth[i] = hasA[i] ? new int[] {0} : new int[0];
    }
    return Evaluator.evaluate(
        EvaluationInput.multilabel(List.of("A", "B"), Fixtures.ids(n), scores, truth));
  }

  @Test
  void evaluate_precisionDipsThenRecovers_lowestQualifyingThresholdWins() {
    // A scores: 10 true at .95 .85 .80 .75 .70 .65 .60 .55 .50 .45, one false at .90.
    // Precision by step: .95 1/1, .90 1/2, .85 2/3, .80 3/4, .75 4/5, .70 5/6, .65 6/7, .60 7/8,
    //   .55 8/9, .50 9/10, .45 10/11, 0 10/22.
    // >= .90 is met at .95, .50 (exactly .9) and .45: the lowest is .45 (recall 1).
    // >= .95 and >= .99 only at .95 (recall 1/10).
    float[] a = {0.95f, 0.90f, 0.85f, 0.80f, 0.75f, 0.70f, 0.65f, 0.60f, 0.55f, 0.50f, 0.45f};
    boolean[] has = {true, false, true, true, true, true, true, true, true, true, true};
    EvaluationResult r = labelAOnly(a, has);
    assertThat(r.operatingPoint("precision_at_0.90"))
        .contains(new OperatingPoint("precision_at_0.90", 0.45f, 10.0 / 11.0, 1.0, 20.0 / 21.0, 10, 1, 0));
    assertThat(r.operatingPoint("precision_at_0.95"))
        .contains(new OperatingPoint("precision_at_0.95", 0.95f, 1.0, 0.1, 2.0 / 11.0, 1, 0, 9));
    assertThat(r.operatingPoint("precision_at_0.99"))
        .contains(new OperatingPoint("precision_at_0.99", 0.95f, 1.0, 0.1, 2.0 / 11.0, 1, 0, 9));
    // F1 = 2TP / (TP + FP + 10) peaks at .45: 20/21.
    assertThat(r.operatingPoint("max_f1").orElseThrow().threshold()).isEqualTo(0.45f);
  }

  @Test
  void evaluate_precisionExactlyAtTarget_counts() {
    // 9 true and 1 false A pair, all at .8; B pairs false at 0.
    // Step .8: TP 9, FP 1 -> precision exactly 9/10 = 0.90 (met); never 0.95 or 0.99.
    float[] a = new float[10];
    boolean[] has = new boolean[10];
    for (int i = 0; i < 10; i++) {
      a[i] = 0.8f;
      has[i] = i < 9;
    }
    EvaluationResult r = labelAOnly(a, has);
    assertThat(r.operatingPoint("precision_at_0.90"))
        .contains(new OperatingPoint("precision_at_0.90", 0.8f, 0.9, 1.0, 18.0 / 19.0, 9, 1, 0));
    assertThat(r.operatingPoint("precision_at_0.95")).isEmpty();
    assertThat(r.operatingPoint("precision_at_0.99")).isEmpty();
    assertThat(r.operatingPoints())
        .extracting(OperatingPoint::name)
        .containsExactly("max_f1", "precision_at_0.90");
  }

  @Test
  void evaluate_noThresholdReachesAnyTarget_onlyMaxF1() {
    // A: true .9, false .95 and .92 above it, true .1. Precision: .95 0/1, .92 0/2, .9 1/3,
    //   .1 2/4, 0 2/6 -> never >= .9.
    EvaluationResult r =
        labelAOnly(new float[] {0.95f, 0.92f, 0.9f, 0.1f}, new boolean[] {false, false, true, true});
    assertThat(r.operatingPoints()).extracting(OperatingPoint::name).containsExactly("max_f1");
    // F1 = 2TP / (TP + FP + 2): .95 0, .92 0, .9 2/5, .1 4/6, 0 4/8 -> .1.
    assertThat(r.operatingPoints().get(0))
        .isEqualTo(new OperatingPoint("max_f1", 0.1f, 0.5, 1.0, 2.0 / 3.0, 2, 2, 0));
  }

  @Test
  void evaluate_equalF1AtTwoThresholds_lowerThresholdWins() {
    // A: true .9, false .8, false .7, true .6 (P = 2). F1 = 2TP / (TP + FP + 2):
    //   .9 2/3, .8 2/4, .7 2/5, .6 4/6 = 2/3 (tie with .9), 0 4/10 -> .6.
    EvaluationResult r =
        labelAOnly(new float[] {0.9f, 0.8f, 0.7f, 0.6f}, new boolean[] {true, false, false, true});
    assertThat(r.operatingPoint("max_f1"))
        .contains(new OperatingPoint("max_f1", 0.6f, 0.5, 1.0, 2.0 / 3.0, 2, 2, 0));
  }

  @Test
  void evaluate_bestThresholdBetweenTableThresholds_foundExactly() {
    // Distinct scores .731 (true), .732 (false), .733 (true), ... the table's 0.70/0.75 rows miss
    // the optimum; the exact search finds it. A: true .733 .731, false .732, .2.
    // F1 = 2TP / (TP + FP + 2): .733 2/3, .732 2/4, .731 4/5, .2 4/6 -> .731.
    EvaluationResult r =
        labelAOnly(
            new float[] {0.733f, 0.732f, 0.731f, 0.2f}, new boolean[] {true, false, true, false});
    OperatingPoint best = r.operatingPoint("max_f1").orElseThrow();
    assertThat(best.threshold()).isEqualTo(0.731f);
    assertThat(best.f1()).isEqualTo(0.8);
    // The best table row (0.70: TP 2 FP 1, F1 4/5 too) would report 0.70, not the exact score.
    assertThat(Fixtures.row(r.thresholdMetrics(), 0.7).f1()).isEqualTo(0.8);
    assertThat(Fixtures.row(r.thresholdMetrics(), 0.75).f1()).isEqualTo(0.0);
  }

  @Test
  void evaluate_customPrecisionTargets_namedWithTwoOrMoreDecimals() {
    float[] a = {0.95f, 0.90f, 0.85f, 0.80f, 0.75f, 0.70f, 0.65f, 0.60f, 0.55f, 0.50f, 0.45f};
    boolean[] has = {true, false, true, true, true, true, true, true, true, true, true};
    int n = a.length;
    float[][] scores = new float[n][];
    int[][] truth = new int[n][];
    for (int i = 0; i < n; i++) {
      scores[i] = new float[] {a[i], 0f};
      truth[i] = has[i] ? new int[] {0} : new int[0];
    }
    EvaluationResult r =
        Evaluator.evaluate(
            EvaluationInput.multilabel(List.of("A", "B"), Fixtures.ids(n), scores, truth),
            EvaluationOptions.defaults().withPrecisionTargets(List.of(0.8, 0.875, 1.0)));
    // >= .8: lowest is .45 (10/11); >= .875: .45 too; >= 1.0: only .95.
    assertThat(r.operatingPoints())
        .extracting(OperatingPoint::name, OperatingPoint::threshold)
        .containsExactly(
            Tuple.tuple("max_f1", (double) 0.45f),
            Tuple.tuple("precision_at_0.80", (double) 0.45f),
            Tuple.tuple("precision_at_0.875", (double) 0.45f),
            Tuple.tuple("precision_at_1.00", (double) 0.95f));
  }
}
