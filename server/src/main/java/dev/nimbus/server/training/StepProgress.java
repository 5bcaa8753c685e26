package dev.nimbus.server.training;

/**
 * Reported after every optimizer step.
 *
 * @param epoch 1-based
 * @param step 1-based within the epoch
 * @param trainLoss loss of this mini-batch
 * @param imagesPerSecond this step's batch size over its compute time (session run only)
 */
public record StepProgress(int epoch, int step, int stepsPerEpoch, double trainLoss, double imagesPerSecond) {}
