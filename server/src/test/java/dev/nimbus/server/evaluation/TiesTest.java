package dev.nimbus.server.evaluation;


import static dev.nimbus.server.evaluation.Fixtures.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Tied scores form one threshold step; nothing depends on the order of the images. */
class TiesTest {

  private static final double EXACT = 1e-12;

  /**
   * Labels A (0), B (1).
   *
   * <pre>
   *   id  true  A    B    top-1
   *   a   A     .5   .5   A (tie -> lower index; right)
   *   b   B     .5   .5   A (tie -> lower index; wrong)
   *   c   A     .8   .2   A
   *   d   B     .2   .8   B
   * </pre>
   */
  private static EvaluationInput tied(int[] order) {
    String[] ids = {"a", "b", "c", "d"};
    float[][] scores = {{0.5f, 0.5f}, {0.5f, 0.5f}, {0.8f, 0.2f}, {0.2f, 0.8f}};
    int[] truth = {0, 1, 0, 1};
    List<String> permutedIds = new ArrayList<>();
    float[][] permutedScores = new float[4][];
    int[] permutedTruth = new int[4];
    for (int k = 0; k < 4; k++) {
      permutedIds.add(ids[order[k]]);
      permutedScores[k] = scores[order[k]];
      permutedTruth[k] = truth[order[k]];
    }
    return EvaluationInput.multiclass(List.of("A", "B"), permutedIds, permutedScores, permutedTruth);
  }

  @Test
  void evaluate_tiedScores_oneStepPerDistinctScore() {
    EvaluationResult r = Evaluator.evaluate(tied(new int[] {0, 1, 2, 3}));
    // True pairs: .5 (a,A) .5 (b,B) .8 (c,A) .8 (d,B); false: .5 (a,B) .5 (b,A) .2 (c,B) .2 (d,A).
    // Steps: .8 -> TP2 FP0 (P 1, R 1/2); .5 -> TP4 FP2 (P 4/6, R 1); .2 -> TP4 FP4.
    //   AP = 1/2 * 1 + 1/2 * 4/6 = 5/6.
    //   (Positives-first tie order would give 1; negatives-first 1/4*(1 + 1 + 3/5 + 4/6) = .8167.)
    assertThat(r.auPrc()).isCloseTo(5.0 / 6.0, within(EXACT));
    // AUC: each .8 beats all 4 negatives (8); each .5 ties two .5s (2 * 1/2) and beats two .2s
    //   -> 3 each (6); (8 + 6) / 16 = 0.875.
    assertThat(r.auRoc()).isCloseTo(14.0 / 16.0, within(EXACT));
    // Per label A: true .5 (a) .8 (c); false .5 (b) .2 (d).
    //   AP: .8 -> TP1 FP0 (1/2 * 1), .5 -> TP2 FP1 (1/2 * 2/3) = 5/6.
    //   AUC: .8 beats 2; .5 ties .5 (1/2) and beats .2 -> 3.5 / 4.
    assertThat(r.label("A").auPrc()).isCloseTo(5.0 / 6.0, within(EXACT));
    assertThat(r.label("A").auRoc()).isCloseTo(3.5 / 4.0, within(EXACT));
    // At t = 0.5 the four .5 pairs all count: TP (a,A) (b,B) (c,A) (d,B) = 4, FP (a,B) (b,A) = 2.
    ThresholdMetrics half = row(r.thresholdMetrics(), 0.5);
    assertThat(half.truePositives()).isEqualTo(4);
    assertThat(half.falsePositives()).isEqualTo(2);
    assertThat(half.trueNegatives()).isEqualTo(2);
    // At 0.55 only the .8s: TP 2, FP 0.
    ThresholdMetrics above = row(r.thresholdMetrics(), 0.55);
    assertThat(above.truePositives()).isEqualTo(2);
    assertThat(above.falsePositives()).isZero();
  }

  @Test
  void evaluate_tiedTopScores_lowerLabelIndexWins() {
    EvaluationResult r = Evaluator.evaluate(tied(new int[] {0, 1, 2, 3}));
    // a and b both predict A: a right, b wrong; c right, d right -> 3/4.
    assertThat(r.accuracy()).isEqualTo(0.75);
    assertThat(r.confusionMatrix().row(0)).containsExactly(2, 0); // a, c
    assertThat(r.confusionMatrix().row(1)).containsExactly(1, 1); // b -> A, d -> B
    assertThat(r.misclassified()).extracting(Misclassified::exampleId).containsExactly("b");
    assertThat(r.misclassified().get(0).predictedLabels()).containsExactly("A");
  }

  @Test
  void evaluate_everyPermutationOfTiedImages_sameResult() {
    EvaluationResult reference = Evaluator.evaluate(tied(new int[] {0, 1, 2, 3}));
    int[][] permutations = allPermutations(4);
    assertThat(permutations).hasNumberOfRows(24);
    for (int[] order : permutations) {
      EvaluationResult r = Evaluator.evaluate(tied(order));
      assertThat(r.auPrc()).isEqualTo(reference.auPrc());
      assertThat(r.auRoc()).isEqualTo(reference.auRoc());
      assertThat(r.thresholdMetrics()).isEqualTo(reference.thresholdMetrics());
      assertThat(r.operatingPoints()).isEqualTo(reference.operatingPoints());
      assertThat(r.confusionMatrix()).isEqualTo(reference.confusionMatrix());
      for (int l = 0; l < 2; l++) {
        LabelEvaluation got = r.labelEvaluations().get(l);
        LabelEvaluation want = reference.labelEvaluations().get(l);
        assertThat(got.auPrc()).isEqualTo(want.auPrc());
        assertThat(got.auRoc()).isEqualTo(want.auRoc());
        assertThat(got.thresholdMetrics()).isEqualTo(want.thresholdMetrics());
      }
      assertThat(r.logLoss()).isCloseTo(reference.logLoss(), within(EXACT));
    }
  }

  @Test
  void evaluate_shuffledHeavilyTiedInputs_sameCurvesAndTables() {
    // 60 images, 3 labels, MULTILABEL scores drawn from only 5 values: ties everywhere.
    Random random = new Random(20240611L);
    int n = 60;
    float[] levels = {0f, 0.25f, 0.5f, 0.75f, 1f};
    float[][] scores = new float[n][3];
    int[][] truth = new int[n][];
    for (int i = 0; i < n; i++) {
      List<Integer> labels = new ArrayList<>();
      for (int l = 0; l < 3; l++) {
        scores[i][l] = levels[random.nextInt(levels.length)];
        if (random.nextBoolean()) {
          labels.add(l);
        }
      }
      truth[i] = labels.stream().mapToInt(Integer::intValue).toArray();
    }
    List<String> names = List.of("x", "y", "z");
    EvaluationResult reference =
        Evaluator.evaluate(EvaluationInput.multilabel(names, Fixtures.ids(n), scores, truth));
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    for (int round = 0; round < 20; round++) {
      Collections.shuffle(order, random);
      float[][] s = new float[n][];
      int[][] t = new int[n][];
      List<String> ids = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        s[k] = scores[order.get(k)];
        t[k] = truth[order.get(k)];
        ids.add("e" + order.get(k));
      }
      EvaluationResult r = Evaluator.evaluate(EvaluationInput.multilabel(names, ids, s, t));
      assertThat(r.auPrc()).isEqualTo(reference.auPrc());
      assertThat(r.auRoc()).isEqualTo(reference.auRoc());
      assertThat(r.thresholdMetrics()).isEqualTo(reference.thresholdMetrics());
      assertThat(r.operatingPoints()).isEqualTo(reference.operatingPoints());
      assertThat(r.confusionMatrix()).isEqualTo(reference.confusionMatrix());
      assertThat(r.misclassified()).extracting(Misclassified::exampleId)
          .isEqualTo(reference.misclassified().stream().map(Misclassified::exampleId).toList());
      for (int l = 0; l < 3; l++) {
        assertThat(r.labelEvaluations().get(l).auPrc())
            .isEqualTo(reference.labelEvaluations().get(l).auPrc());
        assertThat(r.labelEvaluations().get(l).auRoc())
            .isEqualTo(reference.labelEvaluations().get(l).auRoc());
      }
    }
  }

  private static int[][] allPermutations(int n) {
    List<int[]> out = new ArrayList<>();
    permute(new int[n], new boolean[n], 0, out);
    return out.toArray(new int[0][]);
  }

  private static void permute(int[] current, boolean[] used, int depth, List<int[]> out) {
    if (depth == current.length) {
      out.add(current.clone());
      return;
    }
    for (int v = 0; v < current.length; v++) {
      if (!used[v]) {
        used[v] = true;
        current[depth] = v;
        permute(current, used, depth + 1, out);
        used[v] = false;
      }
    }
  }
}
