package dev.nimbus.server.training.graph;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Float variables that are set from and read into Java arrays. Initial values come from Java (seeded, so runs are
 * reproducible without TF's random ops), and the same assign ops restore the best epoch's weights at the end of
 * training.
 */
public final class GraphVariables {

  private final Ops tf;
  private final List<Variable<TFloat32>> variables = new ArrayList<>();
  private final List<Shape> shapes = new ArrayList<>();
  private final List<Placeholder<TFloat32>> values = new ArrayList<>();
  private final List<Assign<TFloat32>> assigns = new ArrayList<>();

  public GraphVariables(Ops tf) {
    this.tf = tf;
  }

  public Variable<TFloat32> add(String name, Shape shape) {
    Variable<TFloat32> variable = tf.withName(name).variable(shape, TFloat32.class);
    Placeholder<TFloat32> value =
        tf.withName(name + "_value").placeholder(TFloat32.class, Placeholder.shape(shape));
    variables.add(variable);
    shapes.add(shape);
    values.add(value);
    assigns.add(tf.withName(name + "_assign").assign(variable, value));
    return variable;
  }

  public List<Variable<TFloat32>> all() {
    return List.copyOf(variables);
  }

  /** Sets every variable in one session run; {@code arrays} in the order the variables were added. */
  public void assign(Session session, List<float[]> arrays) {
    if (arrays.size() != variables.size()) {
      throw new IllegalArgumentException(
          "arrays: %s (expected: %s, one per variable)".formatted(arrays.size(), variables.size()));
    }
    List<TFloat32> tensors = new ArrayList<>(arrays.size());
    try {
      Session.Runner runner = session.runner();
      for (int i = 0; i < arrays.size(); i++) {
        TFloat32 t = TFloat32.tensorOf(shapes.get(i), DataBuffers.of(arrays.get(i), true, false));
        tensors.add(t);
        runner.feed(values.get(i), t).addTarget(assigns.get(i));
      }
      runner.run().close();
    } finally {
      tensors.forEach(TFloat32::close);
    }
  }

  /** Copies every variable's value out, in the order they were added. */
  public List<float[]> read(Session session) {
    Session.Runner runner = session.runner();
    variables.forEach(runner::fetch);
    List<float[]> out = new ArrayList<>(variables.size());
    try (Result result = runner.run()) {
      for (int i = 0; i < variables.size(); i++) {
        float[] array = new float[(int) shapes.get(i).size()];
        ((TFloat32) result.get(i)).asRawTensor().data().asFloats().read(array);
        out.add(array);
      }
    }
    return out;
  }
}
