package dev.nimbus.server.training;

import dev.nimbus.server.training.graph.GraphVariables;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;

/**
 * The session plumbing the trainers share: the evaluation and prediction loops (run a graph over a data set in
 * slices, feeding each slice's input tensor, features or images, and for evaluation its dense targets) and the
 * optimizer step of the training loop ({@link SessionTrainable}).
 */
final class SessionLoops {
  private SessionLoops() {}

  /** The input tensor of examples {@code [from, to)}; the caller's to close (the loops do). */
  @FunctionalInterface
  interface Slicer {
    Tensor slice(int from, int to);
  }

  /** Mean loss and accuracy over {@code count} examples, or null if {@code cancelled} turned true. */
  static Evaluation evaluate(Session session, Operand<?> input, Operand<TFloat32> targets, Operand<TFloat32> lossSum,
      Operand<TFloat32> correctSum, Labels labels, int count, int slice, Slicer slicer, BooleanSupplier cancelled) {
    double loss = 0;
    double correct = 0;
    for (int from = 0; from < count; from += slice) {
      if (cancelled.getAsBoolean()) {
        return null;
      }
      int to = Math.min(count, from + slice);
      try (Tensor x = slicer.slice(from, to);
           TFloat32 y = TFloat32.tensorOf(Shape.of(to - from, labels.labelCount()),
               DataBuffers.of(labels.denseRange(from, to), true, false));
           Result result = session.runner().feed(input, x).feed(targets, y).fetch(lossSum).fetch(correctSum).run()) {
        loss += ((TFloat32) result.get(0)).getFloat();
        correct += ((TFloat32) result.get(1)).getFloat();
      }
    }
    return new Evaluation(loss / count, correct / count, count);
  }

  /** Probabilities [count][labelCount]. */
  static float[][] predict(Session session, Operand<?> input, Operand<TFloat32> probabilities, int count,
      int labelCount, int slice, Slicer slicer) {
    float[][] out = new float[count][labelCount];
    for (int from = 0; from < count; from += slice) {
      int to = Math.min(count, from + slice);
      try (Tensor x = slicer.slice(from, to);
           Result result = session.runner().feed(input, x).fetch(probabilities).run()) {
        FloatDataBuffer data = ((TFloat32) result.get(0)).asRawTensor().data().asFloats();
        for (int i = from; i < to; i++) {
          data.offset((long) (i - from) * labelCount).read(out[i]);
        }
      }
    }
    return out;
  }

  /**
   * A trainer's side of {@link TrainingLoop}: one optimizer step is one session run that feeds a batch (as the
   * trainer does it), runs Adam and fetches the training loss; the weights are snapshot and restored through
   * {@code weights}. The trainers differ only in how a batch is fed and how validation is scored.
   */
  abstract static class SessionTrainable implements TrainingLoop.Trainable<List<float[]>> {
    private final Session session;
    private final GraphVariables weights;
    private final Op train;
    private final Operand<TFloat32> trainLoss;
    private final int exampleCount;
    private final int batchSize;
    private final int validationCount;

    SessionTrainable(Session session, GraphVariables weights, Op train, Operand<TFloat32> trainLoss,
        int exampleCount, int batchSize, int validationCount) {
      this.session = session;
      this.weights = weights;
      this.train = train;
      this.trainLoss = trainLoss;
      this.exampleCount = exampleCount;
      this.batchSize = batchSize;
      this.validationCount = validationCount;
    }

    /** Feeds examples {@code order[from, from + n)} as the next batch. */
    abstract Session.Runner feed(Session.Runner runner, int[] order, int from, int n);

    @Override
    public final int exampleCount() {
      return exampleCount;
    }

    @Override
    public final int batchSize() {
      return batchSize;
    }

    @Override
    public final int validationCount() {
      return validationCount;
    }

    @Override
    public final TrainingLoop.StepResult step(int[] order, int from, int n) {
      Session.Runner runner = feed(session.runner(), order, from, n).addTarget(train).fetch(trainLoss);
      long start = System.nanoTime();
      try (Result result = runner.run()) {
        long nanos = System.nanoTime() - start;
        return new TrainingLoop.StepResult(((TFloat32) result.get(0)).getFloat(), nanos);
      }
    }

    @Override
    public final List<float[]> snapshot() {
      return weights.read(session);
    }

    @Override
    public final void restore(List<float[]> snapshot) {
      weights.assign(session, snapshot);
    }
  }
}
