package dev.nimbus.server.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nimbus.v1.ClassificationType;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Loud validation of the input. */
class EvaluationInputTest {

  private static final List<String> AB = List.of("A", "B");

  private static float[][] valid(int n) {
    float[][] scores = new float[n][];
    for (int i = 0; i < n; i++) {
      scores[i] = new float[] {0.75f, 0.25f};
    }
    return scores;
  }

  @Test
  void multiclass_nanScore_rejectedWithPosition() {
    float[][] scores = valid(4);
    scores[3][1] = Float.NaN;
    assertThatThrownBy(() -> EvaluationInput.multiclass(AB, Fixtures.ids(4), scores, new int[4]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("scores[3][1]: NaN (expected: 0..1)");
  }

  @Test
  void multilabel_outOfRangeScores_rejectedWithPosition() {
    float[][] scores = valid(3);
    scores[2][0] = 1.5f;
    assertThatThrownBy(
            () -> EvaluationInput.multilabel(AB, Fixtures.ids(3), scores, new int[3][0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("scores[2][0]: 1.5 (expected: 0..1)");
    scores[2][0] = -0.001f;
    assertThatThrownBy(
            () -> EvaluationInput.multilabel(AB, Fixtures.ids(3), scores, new int[3][0]))
        .hasMessage("scores[2][0]: -0.001 (expected: 0..1)");
    scores[2][0] = Float.POSITIVE_INFINITY;
    assertThatThrownBy(
            () -> EvaluationInput.multilabel(AB, Fixtures.ids(3), scores, new int[3][0]))
        .hasMessage("scores[2][0]: Infinity (expected: 0..1)");
  }

  @Test
  void multiclass_rowOfWrongLength_rejected() {
    float[][] scores = valid(3);
    scores[1] = new float[] {1f};
    assertThatThrownBy(() -> EvaluationInput.multiclass(AB, Fixtures.ids(3), scores, new int[3]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("scores[1]: 1 scores (expected: 2, one per label)");
    scores[1] = null;
    assertThatThrownBy(() -> EvaluationInput.multiclass(AB, Fixtures.ids(3), scores, new int[3]))
        .hasMessage("scores[1]: null (expected: 2 scores, one per label)");
  }

  @Test
  void multiclass_mismatchedLengths_rejected() {
    assertThatThrownBy(() -> EvaluationInput.multiclass(AB, Fixtures.ids(3), valid(4), new int[3]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("scores: 4 entries (expected: 3, one per example id)");
    assertThatThrownBy(() -> EvaluationInput.multiclass(AB, Fixtures.ids(3), valid(3), new int[2]))
        .hasMessage("trueLabels: 2 entries (expected: 3, one per example id)");
    assertThatThrownBy(
            () -> EvaluationInput.multilabel(AB, Fixtures.ids(3), valid(3), new int[5][0]))
        .hasMessage("trueLabels: 5 entries (expected: 3, one per example id)");
  }

  @Test
  void multiclass_labelIndexOutOfRange_rejected() {
    assertThatThrownBy(
            () -> EvaluationInput.multiclass(AB, Fixtures.ids(3), valid(3), new int[] {0, 2, 1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("trueLabels[1]: 2 (expected: 0..1)");
    assertThatThrownBy(
            () -> EvaluationInput.multiclass(AB, Fixtures.ids(3), valid(3), new int[] {0, 1, -1}))
        .hasMessage("trueLabels[2]: -1 (expected: 0..1)");
  }

  @Test
  void multilabel_badLabelSets_rejected() {
    assertThatThrownBy(
            () ->
                EvaluationInput.multilabel(
                    AB, Fixtures.ids(2), valid(2), new int[][] {{0}, {1, 7}}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("trueLabels[1][1]: 7 (expected: 0..1)");
    assertThatThrownBy(
            () ->
                EvaluationInput.multilabel(
                    AB, Fixtures.ids(2), valid(2), new int[][] {{1, 1}, {}}))
        .hasMessage("trueLabels[0][1]: 1 (expected: each label at most once)");
    assertThatThrownBy(
            () -> EvaluationInput.multilabel(AB, Fixtures.ids(2), valid(2), new int[][] {{0}, null}))
        .hasMessage("trueLabels[1]: null (expected: label indices, possibly none)");
  }

  @Test
  void multiclass_rowNotSummingToOne_rejected() {
    float[][] scores = valid(2);
    scores[1] = new float[] {0.5f, 0.4f};
    assertThatThrownBy(() -> EvaluationInput.multiclass(AB, Fixtures.ids(2), scores, new int[2]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("scores[1]: sums to 0.9")
        .hasMessageContaining("(expected: 1 ± 0.001");
    // The same scores are fine as independent MULTILABEL sigmoids.
    assertThat(EvaluationInput.multilabel(AB, Fixtures.ids(2), scores, new int[2][0]).exampleCount())
        .isEqualTo(2);
  }

  @Test
  void multiclass_badLabelsOrIds_rejected() {
    assertThatThrownBy(
            () -> EvaluationInput.multiclass(List.of("A"), Fixtures.ids(1), new float[][] {{1f}}, new int[1]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("labelNames: 1 labels (expected: at least 2)");
    assertThatThrownBy(
            () -> EvaluationInput.multiclass(List.of("A", "A"), Fixtures.ids(1), valid(1), new int[1]))
        .hasMessage("labelNames[1]: \"A\" (expected: distinct names; same as labelNames[0])");
    assertThatThrownBy(
            () -> EvaluationInput.multiclass(AB, List.of("x", "y", "x"), valid(3), new int[3]))
        .hasMessage("exampleIds[2]: \"x\" (expected: distinct ids; same as exampleIds[0])");
    assertThatThrownBy(
            () -> EvaluationInput.multiclass(AB, Arrays.asList("x", null), valid(2), new int[2]))
        .hasMessage("exampleIds[1]: null (expected: an id)");
    assertThatThrownBy(() -> EvaluationInput.multiclass(AB, List.of(), new float[0][], new int[0]))
        .hasMessage("exampleIds: 0 examples (expected: at least 1)");
    assertThatThrownBy(() -> EvaluationInput.multiclass(AB, Fixtures.ids(1), null, new int[1]))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("scores");
  }

  @Test
  void multiclass_callerArraysChangedAfterwards_inputUnchanged() {
    float[][] scores = valid(2);
    int[] truth = {0, 1};
    EvaluationInput input = EvaluationInput.multiclass(AB, Fixtures.ids(2), scores, truth);
    EvaluationResult before = Evaluator.evaluate(input);
    scores[0][0] = 0f;
    scores[0][1] = 1f;
    truth[1] = 0;
    assertThat(input.score(0, 0)).isEqualTo(0.75f);
    assertThat(input.trueLabels(1)).containsExactly(1);
    assertThat(Evaluator.evaluate(input)).isEqualTo(before);
  }

  @Test
  void multiclass_negativeZeroScore_tiesWithZero() {
    // -0.0 passes the range check and is stored as +0.0, so it ties with 0.0.
    EvaluationInput input =
        EvaluationInput.multilabel(
            AB, Fixtures.ids(2), new float[][] {{-0.0f, 0.5f}, {0.0f, 0.5f}}, new int[][] {{0}, {}});
    assertThat(Float.floatToRawIntBits(input.score(0, 0))).isZero();
    // A column: true 0.0 (image 0), false 0.0 (image 1): a tie -> AUC 1/2.
    assertThat(Evaluator.evaluate(input).label("A").auRoc()).isEqualTo(0.5);
  }

  @Test
  void accessors_describeTheInput() {
    EvaluationInput input =
        EvaluationInput.multilabel(
            AB, List.of("p", "q"), new float[][] {{0.1f, 0.9f}, {0.3f, 0.4f}}, new int[][] {{1, 0}, {}});
    assertThat(input.type()).isEqualTo(ClassificationType.MULTILABEL);
    assertThat(input.labelCount()).isEqualTo(2);
    assertThat(input.exampleCount()).isEqualTo(2);
    assertThat(input.trueLabels(0)).containsExactly(0, 1);
    assertThat(input.trueLabels(1)).isEmpty();
    assertThat(input.isTrue(0, 1)).isTrue();
    assertThat(input.isTrue(1, 1)).isFalse();
    assertThat(input.score(1, 1)).isEqualTo(0.4f);
    assertThatThrownBy(() -> input.score(2, 0)).isInstanceOf(IndexOutOfBoundsException.class);
  }
}
