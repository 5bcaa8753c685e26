package dev.nimbus.server.training;

import java.util.function.BooleanSupplier;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.types.TFloat32;

/**
 * The evaluation and prediction loops the trainers share: run a graph over a data set in slices, feeding each
 * slice's input tensor (features or images, whichever the trainer has) and, for evaluation, its dense targets.
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
}
