package dev.nimbus.server.engine;

/** Whether an image has exactly one label (softmax) or any subset of the labels (independent sigmoids). */
public enum ClassificationKind {
  MULTICLASS,
  MULTILABEL
}
