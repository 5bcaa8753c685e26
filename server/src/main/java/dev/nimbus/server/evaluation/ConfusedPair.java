package dev.nimbus.server.evaluation;

/**
 * An off-diagonal cell of the {@link ConfusionMatrix}: images of true label {@code trueLabel}
 * whose top-1 prediction was {@code predictedLabel}.
 *
 * @param count the cell's count (&gt; 0)
 * @param fractionOfTrue {@code count} divided by the row total (the images of {@code trueLabel})
 */
public record ConfusedPair(
    int trueLabelIndex,
    String trueLabel,
    int predictedLabelIndex,
    String predictedLabel,
    int count,
    double fractionOfTrue) {}
