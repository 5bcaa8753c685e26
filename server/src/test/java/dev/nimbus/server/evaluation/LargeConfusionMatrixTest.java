package dev.nimbus.server.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The confusion matrix has no size limit (AutoML stops at 10 labels). */
class LargeConfusionMatrixTest {

  private static final int L = 15;

  /**
   * Labels L00..L14. For each label t: 2 images predicted t, 1 image predicted (t + 1) mod 15.
   * Plus 2 images of L07 predicted L03 and 3 images of L14 predicted L00. N = 45 + 5 = 50.
   * The predicted label scores .72, the other 14 labels .02 each (sum 1).
   */
  private static EvaluationResult result(EvaluationOptions options) {
    List<String> labels = new ArrayList<>();
    for (int l = 0; l < L; l++) {
      labels.add(String.format("L%02d", l));
    }
    List<int[]> truePredicted = new ArrayList<>();
    for (int t = 0; t < L; t++) {
      truePredicted.add(new int[] {t, t});
      truePredicted.add(new int[] {t, t});
      truePredicted.add(new int[] {t, (t + 1) % L});
    }
    for (int k = 0; k < 2; k++) {
      truePredicted.add(new int[] {7, 3});
    }
    for (int k = 0; k < 3; k++) {
      truePredicted.add(new int[] {14, 0});
    }
    int n = truePredicted.size();
    float[][] scores = new float[n][L];
    int[] truth = new int[n];
    for (int i = 0; i < n; i++) {
      Arrays.fill(scores[i], 0.02f);
      scores[i][truePredicted.get(i)[1]] = 0.72f;
      truth[i] = truePredicted.get(i)[0];
    }
    return Evaluator.evaluate(
        EvaluationInput.multiclass(labels, Fixtures.ids(n), scores, truth), options);
  }

  @Test
  void evaluate_fifteenLabels_fullMatrix() {
    EvaluationResult r = result(EvaluationOptions.defaults());
    ConfusionMatrix m = r.confusionMatrix();
    assertThat(m.size()).isEqualTo(15);
    assertThat(m.counts()).hasSize(225);
    for (int t = 0; t < L; t++) {
      for (int p = 0; p < L; p++) {
        int expected;
        if (p == t) {
          expected = 2;
        } else if (t == 14 && p == 0) {
          expected = 1 + 3; // the (t + 1) mod 15 image plus the 3 extra
        } else if (t == 7 && p == 3) {
          expected = 2;
        } else {
          expected = p == (t + 1) % L ? 1 : 0;
        }
        assertThat(m.count(t, p)).as("cell (%d, %d)", t, p).isEqualTo(expected);
      }
    }
    // Row totals = images per label: 3, L07 5, L14 6.
    assertThat(m.rowTotal(0)).isEqualTo(3);
    assertThat(m.rowTotal(7)).isEqualTo(5);
    assertThat(m.rowTotal(14)).isEqualTo(6);
    // 30 of 50 on the diagonal.
    assertThat(r.accuracy()).isEqualTo(0.6);
    assertThat(r.label("L14").accuracy()).isEqualTo(2.0 / 6.0);
    assertThat(r.misclassifiedCount()).isEqualTo(20);
  }

  @Test
  void evaluate_fifteenLabels_mostConfusedTopTen() {
    EvaluationResult r = result(EvaluationOptions.defaults());
    // Count 4 (L14 -> L00, 4 of 6), count 2 (L07 -> L03, 2 of 5), then the 15 count-1 cells
    // ordered by true label name: L00->L01 ... L07->L08 fill the remaining 8 of K = 10.
    assertThat(r.mostConfused())
        .extracting(ConfusedPair::trueLabel, ConfusedPair::predictedLabel, ConfusedPair::count)
        .containsExactly(
            tuple("L14", "L00", 4),
            tuple("L07", "L03", 2),
            tuple("L00", "L01", 1),
            tuple("L01", "L02", 1),
            tuple("L02", "L03", 1),
            tuple("L03", "L04", 1),
            tuple("L04", "L05", 1),
            tuple("L05", "L06", 1),
            tuple("L06", "L07", 1),
            tuple("L07", "L08", 1));
    assertThat(r.mostConfused().get(0).fractionOfTrue()).isEqualTo(4.0 / 6.0);
    assertThat(r.mostConfused().get(1).fractionOfTrue()).isEqualTo(2.0 / 5.0);
  }

  @Test
  void evaluate_mostConfusedLimit_respected() {
    assertThat(result(EvaluationOptions.defaults().withMostConfusedLimit(2)).mostConfused())
        .extracting(ConfusedPair::count)
        .containsExactly(4, 2);
    // 16 non-zero off-diagonal cells: 1 (L14->L00) + 1 (L07->L03) + 14 other (t+1) cells.
    assertThat(result(EvaluationOptions.defaults().withMostConfusedLimit(100)).mostConfused())
        .hasSize(16);
    assertThat(result(EvaluationOptions.defaults().withMostConfusedLimit(0)).mostConfused())
        .isEmpty();
  }

  @Test
  void evaluate_misclassifiedLimit_keepsCountAndMostConfidentFirst() {
    EvaluationResult r = result(EvaluationOptions.defaults().withMisclassifiedLimit(3));
    assertThat(r.misclassifiedCount()).isEqualTo(20);
    assertThat(r.misclassified()).hasSize(3);
    // All wrong predictions score .72: ties ordered by id ascending ("e11" < "e14" < "e17").
    assertThat(r.misclassified()).extracting(Misclassified::exampleId)
        .containsExactly("e11", "e14", "e17");
  }
}
