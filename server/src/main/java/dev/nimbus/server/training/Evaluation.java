package dev.nimbus.server.training;

/**
 * Loss and accuracy of a model on a labelled set.
 *
 * @param loss mean loss per example, weighted with the same class weights as training so that it is the quantity
 *     training minimises (early stopping compares like with like)
 * @param accuracy MULTICLASS: top-1 accuracy; MULTILABEL: fraction of (example, label) decisions that are right
 *     at threshold 0.5
 * @param count examples evaluated
 */
public record Evaluation(double loss, double accuracy, int count) {}
