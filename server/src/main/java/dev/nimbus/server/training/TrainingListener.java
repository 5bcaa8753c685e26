package dev.nimbus.server.training;

/**
 * Progress of a training run, called on the training thread; keep it fast (it runs between steps) and do not
 * throw.
 */
public interface TrainingListener {

  TrainingListener NONE = new TrainingListener() {};

  default void onStep(StepProgress progress) {}

  default void onEpoch(EpochProgress progress) {}
}
