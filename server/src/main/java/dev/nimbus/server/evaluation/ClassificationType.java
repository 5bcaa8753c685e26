package dev.nimbus.server.evaluation;

/** How the model's scores and the ground truth are to be read; see {@link dev.nimbus.server.evaluation}. */
public enum ClassificationType {
  /**
   * Exactly one true label per image; the scores of an image are softmax probabilities that sum to
   * 1.
   */
  MULTICLASS,
  /**
   * Zero or more true labels per image; the scores of an image are independent sigmoid
   * probabilities.
   */
  MULTILABEL
}
