package dev.nimbus.server.evaluation;

import java.util.List;

/**
 * A test image the model got wrong.
 *
 * <p>MULTICLASS: the top-1 label is not the true label; {@code predictedLabels} is that one top-1
 * label and {@code confidence} its score (equal to {@code topScore}).
 *
 * <p>MULTILABEL: the set of labels scoring &gt;= {@link EvaluationResult#misclassifiedThreshold()}
 * differs from the set of true labels; {@code predictedLabels} is that set (possibly empty) and
 * {@code confidence} is how sure the model was of its most confident wrong decision: the maximum,
 * over the labels it got wrong, of the score of a falsely predicted label and of (1 - score) of a
 * missed label.
 *
 * @param exampleIndex the image's index in the input
 * @param trueLabels the true label names, in label-index order
 * @param predictedLabels the predicted label names, in label-index order
 * @param topScore the image's highest score
 * @param confidence what the list is sorted by, highest (most confidently wrong) first
 */
public record Misclassified(
    String exampleId,
    int exampleIndex,
    List<String> trueLabels,
    List<String> predictedLabels,
    double topScore,
    double confidence) {

  public Misclassified {
    trueLabels = List.copyOf(trueLabels);
    predictedLabels = List.copyOf(predictedLabels);
  }
}
