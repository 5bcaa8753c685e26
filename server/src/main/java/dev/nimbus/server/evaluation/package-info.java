/**
 * Evaluation of an image classifier on the TEST split, in the shape of AutoML Vision's {@code
 * ClassificationEvaluationMetrics}. Entry point: {@link
 * dev.nimbus.server.evaluation.Evaluator#evaluate(EvaluationInput, EvaluationOptions)}, a pure
 * function from an {@link dev.nimbus.server.evaluation.EvaluationInput} (N images, L &gt;= 2
 * labels, scores {@code float[N][L]} in [0, 1], true labels, label names, example ids) to an
 * {@link dev.nimbus.server.evaluation.EvaluationResult}.
 *
 * <h2>Terms</h2>
 *
 * <ul>
 *   <li><b>Pair</b>: an (image, label) pair; it is <i>true</i> when the label is one of the image's
 *       true labels. There are N x L pairs. The <b>overall</b> (micro-averaged) metrics treat every
 *       pair as one binary prediction; the <b>per-label</b> metrics use only that label's column
 *       (one-vs-rest over all N images).
 *   <li><b>Top-1 label</b> of an image: its highest-scoring label; ties go to the lower label
 *       index.
 *   <li><b>Threshold</b>: a pair is predicted positive when {@code score >= threshold}. Scores are
 *       floats; a threshold is compared in float precision, {@code score >= (float) threshold}.
 *   <li><b>Undefined</b> values are {@link java.lang.Double#NaN} (map to "absent" in the API).
 *       NaN appears only where the test data lack true pairs (or false pairs) for the quantity:
 *       it is never a substitute for zero.
 * </ul>
 *
 * <h2>Areas</h2>
 *
 * <ul>
 *   <li><b>auPrc</b> is the average precision {@code sum_n (R_n - R_{n-1}) P_n} (the definition
 *       of scikit-learn's {@code average_precision_score}), over the distinct scores s from highest
 *       to lowest, where P_n and R_n are precision and recall at threshold s and R_0 = 0. Tied
 *       scores form one step, so the value does not depend on the order of the input. Undefined
 *       when there is no true pair (a label absent from the test split).
 *   <li><b>auRoc</b> is the trapezoidal area under the ROC curve through (0, 0) and the (FPR, TPR)
 *       points of the distinct scores, which equals the probability that a random true pair
 *       scores above a random false pair, ties counting one half. Undefined when there is no true
 *       pair or no false pair.
 * </ul>
 *
 * <h2>Log loss</h2>
 *
 * The probability the model gave to the actual outcome (p for a true pair, 1 - p for a false
 * pair) is clipped to [1e-15, 1 - 1e-15] before taking its logarithm. MULTICLASS overall: the
 * mean over images of {@code -ln p(true label)}. MULTILABEL overall: the mean binary cross-entropy {@code -[y ln p +
 * (1 - y) ln(1 - p)]} over all N x L pairs. Per label (both types): the mean binary cross-entropy
 * of that label's column over all N images; defined even for an absent label.
 *
 * <h2>Accuracy and counts</h2>
 *
 * Overall accuracy, MULTICLASS: the fraction of images whose top-1 label is the true label.
 * MULTILABEL: the fraction of images having at least one true label whose top-1 label is one of
 * them (images without a true label cannot be hit and are left out; NaN if no image has one).
 * Per label: the fraction of the images having that label whose top-1 label is that label
 * (diagonal over row total of the confusion matrix; NaN for an absent label). {@code
 * evaluatedExampleCount} is N overall and, as in AutoML, the number of images having the label
 * per label.
 *
 * <h2>Threshold tables</h2>
 *
 * One {@link dev.nimbus.server.evaluation.ThresholdMetrics} row per threshold of {@link
 * dev.nimbus.server.evaluation.EvaluationOptions#thresholds()} (default 0.00, 0.05, ..., 0.95,
 * 0.96, 0.97, 0.98, 0.99), for all pairs overall and for the label's column per label. TP, FP, FN,
 * TN count pairs. The "at 1" columns predict only each image's top-1 label, and only if its score
 * meets the threshold; all its other pairs are predicted negative. <b>Precision is 1.0 when
 * nothing is predicted positive</b>, so the PR curve starts at (recall 0, precision 1) and an
 * over-high threshold reads as "no false alarms, nothing found" (recall 0, F1 0). Recall and F1
 * are NaN when the scope has no true pair, the false positive rate when it has no false pair.
 * F1 = 2TP / (2TP + FP + FN), 0 when TP = 0.
 *
 * <h2>Operating points</h2>
 *
 * Chosen exactly over every distinct score of the overall (micro) curve, not only the table's
 * thresholds; each threshold is itself a score and predictions are {@code score >= threshold}.
 * {@code max_f1}: the threshold maximising F1 (exact integer comparison), the lowest one on ties;
 * absent when there is no true pair. {@code precision_at_0.90}, {@code _0.95}, {@code _0.99}: the
 * lowest threshold at which precision &gt;= the target, i.e. the most recall at that precision;
 * omitted when no threshold reaches it (a threshold that predicts nothing does not count).
 *
 * <h2>Confusion matrix and errors</h2>
 *
 * {@link dev.nimbus.server.evaluation.ConfusionMatrix}: L x L for any L, row = true label, column
 * = top-1 label, no threshold. MULTILABEL: an image adds one count to (t, top-1) for each of its
 * true labels t, so rows still sum to the label's image count (an image with no true label adds
 * nothing; the off-diagonal may then hold an image whose top-1 is another of its true labels).
 * Most-confused pairs: the non-zero off-diagonal cells, count descending, then true label name,
 * then predicted label name ascending, the first K (default 10).
 *
 * <p>Misclassified images: MULTICLASS, those whose top-1 label is wrong, with confidence = the
 * top-1 score. MULTILABEL, those whose predicted set (scores &gt;= the {@code max_f1} threshold,
 * 0.5 when there is none) differs from the true set, with confidence = the highest of the score
 * of a falsely predicted label and of 1 - score of a missed label. Sorted by confidence
 * descending (the most confidently wrong first), then example id ascending.
 */
package dev.nimbus.server.evaluation;
