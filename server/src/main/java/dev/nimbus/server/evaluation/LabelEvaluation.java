package dev.nimbus.server.evaluation;

import java.util.List;

/**
 * The one-vs-rest evaluation of one label: every metric except {@code accuracy} and {@code
 * evaluatedExampleCount} is computed on all N test images, from that label's score column and
 * whether each image has that label. {@link Double#NaN} means undefined (see {@link
 * dev.nimbus.server.evaluation}).
 *
 * @param evaluatedExampleCount the number of test images that have this label (as in AutoML);
 *     0 for a label absent from the test split
 * @param auPrc average precision of this label's column; NaN when the label is absent
 * @param auRoc area under this label's ROC curve; NaN when the label is absent or on every image
 * @param logLoss mean binary cross-entropy of this label's column over all N images
 * @param accuracy the fraction of the images having this label whose top-1 label is this label
 *     (the confusion matrix's diagonal cell over its row total); NaN when the label is absent
 * @param thresholdMetrics the threshold table of this label's column
 */
public record LabelEvaluation(
    int labelIndex,
    String labelName,
    int evaluatedExampleCount,
    double auPrc,
    double auRoc,
    double logLoss,
    double accuracy,
    List<ThresholdMetrics> thresholdMetrics) {

  public LabelEvaluation {
    thresholdMetrics = List.copyOf(thresholdMetrics);
  }
}
