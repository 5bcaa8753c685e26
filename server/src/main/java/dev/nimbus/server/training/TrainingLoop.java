package dev.nimbus.server.training;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The epoch/step loop shared by both trainers, kept free of TensorFlow so its stopping rules are tested with a
 * fake model and a fake clock.
 */
final class TrainingLoop {

  /** What the loop needs from a model; implemented by the trainers around their TF session. */
  interface Trainable<S> {

    int exampleCount();

    int batchSize();

    /** Examples in the validation set, 0 if none; used to reserve time for the last validation. */
    int validationCount();

    /** One optimizer step on the examples {@code order[from .. from + n)}. */
    StepResult step(int[] order, int from, int n);

    /** Loss and accuracy on the validation set, or null when there is none or {@code limits} cancelled it. */
    Evaluation validate(TrainingLimits limits);

    /** A copy of the current weights. */
    S snapshot();

    void restore(S snapshot);
  }

  /**
   * @param loss the mini-batch loss
   * @param computeNanos time inside the session run, without gathering and copying the batch
   */
  record StepResult(double loss, long computeNanos) {}

  private TrainingLoop() {}

  static <S> TrainingResult run(
      Trainable<S> model, TrainingLimits limits, TrainingListener listener, long shuffleSeed) {
    long start = limits.nanoClock().getAsLong();
    long deadline = start + limits.timeBudget().toNanos();
    int n = model.exampleCount();
    int batch = model.batchSize();
    int stepsPerEpoch = (n + batch - 1) / batch;
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    SplittableRandom random = new SplittableRandom(shuffleSeed);

    List<EpochProgress> history = new ArrayList<>();
    StopReason reason = StopReason.MAX_EPOCHS;
    S best = null;
    int bestEpoch = 0;
    Evaluation bestValidation = null;
    double bestLoss = Double.POSITIVE_INFINITY;
    long lastStepNanos = 0;
    long validationNanos = -1; // unknown until the first validation ran
    boolean weightsChangedSinceBest = false;
    int epoch = 0;

    while (epoch < limits.maxEpochs()) {
      epoch++;
      shuffle(order, random);
      long epochStart = limits.nanoClock().getAsLong();
      long computeNanos = 0;
      double lossSum = 0;
      int steps = 0;
      int images = 0;
      for (int from = 0; from < n; from += batch) {
        if (limits.cancelled().getAsBoolean()) {
          reason = StopReason.CANCELLED;
          break;
        }
        long reserve = lastStepNanos + estimateValidationNanos(model, validationNanos, lastStepNanos);
        if (limits.nanoClock().getAsLong() + reserve > deadline) {
          reason = StopReason.TIME_BUDGET;
          break;
        }
        int size = Math.min(batch, n - from);
        long stepStart = limits.nanoClock().getAsLong();
        StepResult result = model.step(order, from, size);
        lastStepNanos = limits.nanoClock().getAsLong() - stepStart;
        weightsChangedSinceBest = true;
        if (!Double.isFinite(result.loss())) {
          reason = StopReason.DIVERGED;
          break;
        }
        steps++;
        images += size;
        computeNanos += result.computeNanos();
        lossSum += result.loss();
        listener.onStep(
            new StepProgress(epoch, steps, stepsPerEpoch, result.loss(), perSecond(size, result.computeNanos())));
      }
      long epochNanos = limits.nanoClock().getAsLong() - epochStart;
      if (steps == 0 || reason == StopReason.CANCELLED || reason == StopReason.DIVERGED) {
        epoch--; // a step-less or abandoned epoch is not reported as one
        break;
      }
      long validationStart = limits.nanoClock().getAsLong();
      Evaluation validation = model.validate(limits);
      validationNanos = limits.nanoClock().getAsLong() - validationStart;
      if (limits.cancelled().getAsBoolean()) {
        reason = StopReason.CANCELLED;
        epoch--;
        break;
      }
      EpochProgress progress =
          new EpochProgress(
              epoch,
              steps,
              lossSum / steps,
              validation,
              perSecond(images, computeNanos),
              perSecond(images, epochNanos),
              Duration.ofNanos(limits.nanoClock().getAsLong() - start));
      history.add(progress);
      listener.onEpoch(progress);

      if (progress.monitoredLoss() < bestLoss) {
        bestLoss = progress.monitoredLoss();
        bestEpoch = epoch;
        bestValidation = validation;
        best = model.snapshot();
        weightsChangedSinceBest = false;
      }
      if (reason == StopReason.TIME_BUDGET) {
        break;
      }
      if (limits.patience() > 0 && epoch - bestEpoch >= limits.patience()) {
        reason = StopReason.EARLY_STOPPING;
        break;
      }
    }
    if (best != null && weightsChangedSinceBest) {
      model.restore(best);
    }
    return new TrainingResult(
        reason,
        epoch,
        bestEpoch,
        bestValidation,
        history,
        Duration.ofNanos(limits.nanoClock().getAsLong() - start));
  }

  /**
   * Before the first validation its cost is unknown; a forward pass costs about a third of a training step per
   * image, which is close enough to keep the run inside its budget.
   */
  private static long estimateValidationNanos(Trainable<?> model, long measured, long lastStepNanos) {
    if (measured >= 0) {
      return measured;
    }
    if (model.validationCount() == 0 || lastStepNanos == 0) {
      return 0;
    }
    return lastStepNanos * model.validationCount() / (3L * model.batchSize());
  }

  private static void shuffle(int[] order, SplittableRandom random) {
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }

  private static double perSecond(int images, long nanos) {
    return nanos <= 0 ? 0 : images * 1e9 / nanos;
  }
}
