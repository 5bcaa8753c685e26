package dev.nimbus.server.training.savedmodel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nimbus.server.engine.ModelFormatException;
import dev.nimbus.server.engine.TensorFlowRuntime;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TFloat32;

/** Freezing resource and reference variables, list inputs, and what cannot be frozen. */
class FrozenGraphTest {
  @BeforeAll
  static void loadNatives() {
    TensorFlowRuntime.ensureLoaded();
  }

  @Test
  void freeze_turnsBothVariableKindsIntoConstants_andCopyRewiresTheInput() {
    FrozenGraph frozen;
    float[] want;
    try (Graph g = new Graph(); Session s = new Session(g);
        TFloat32 x = TFloat32.tensorOf(Shape.of(2, 3), DataBuffers.of(1f, 2f, 3f, 4f, 5f, 6f))) {
      Ops tf = Ops.create(g);
      var in = tf.withName("in").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 3)));
      var ref = tf.withName("ref_var").variable(tf.constant(new float[] {10f, 20f, 30f}));
      VarHandleOp handle = tf.withName("res_var").varHandleOp(TFloat32.class, Shape.of(3), VarHandleOp.sharedName("res_var"));
      tf.withInitScope().assignVariableOp(handle, tf.constant(new float[] {0.5f, 0.25f, 2f}));
      Operand<TFloat32> res = tf.readVariableOp(handle, TFloat32.class);
      // ConcatV2 takes a list input (N tensors), AddN too.
      Operand<TFloat32> cat = tf.concat(List.of(tf.math.mul(in, res), tf.expandDims(ref, tf.constant(0))), tf.constant(0));
      Operand<TFloat32> out = tf.withName("out").math.addN(List.of(cat, cat, tf.math.mul(cat, tf.constant(0f))));
      s.initialize();
      try (Result r = s.runner().feed(in, x).fetch(out).run()) {
        want = values((TFloat32) r.get(0));
      }
      frozen = FrozenGraph.freeze(g.toGraphDef(), s, "in:0", "out:0");
    }
    assertThat(frozen.variableCount()).isEqualTo(2);
    assertThat(frozen.nodes()).extracting(NodeDef::getOp).doesNotContain("VarHandleOp", "VariableV2", "ReadVariableOp", "AssignVariableOp");

    try (Graph g = new Graph(); Session s = new Session(g);
        TFloat32 x = TFloat32.tensorOf(Shape.of(2, 3), DataBuffers.of(1f, 2f, 3f, 4f, 5f, 6f))) {
      Ops tf = Ops.create(g);
      var in = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 3)));
      Output<?> out = GraphCopier.copy(tf, frozen, "copy", tf.math.add(in, tf.constant(0f)));
      try (Result r = s.runner().feed(in, x).fetch(out).run()) {
        assertThat(values((TFloat32) r.get(0))).containsExactly(want);
      }
      assertThat(want).containsExactly(1f, 1f, 12f, 4f, 2.5f, 24f, 20f, 40f, 60f);
    }
  }

  @Test
  void freeze_rejectsAnUnfedPlaceholder() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      var in = tf.withName("in").placeholder(TFloat32.class);
      var other = tf.withName("training_flag").placeholder(TFloat32.class);
      tf.withName("out").math.add(in, other);

      assertThatThrownBy(() -> FrozenGraph.freeze(g.toGraphDef(), s, "in:0", "out:0"))
          .isInstanceOf(ModelFormatException.class)
          .hasMessageContaining("placeholder 'training_flag'");
    }
  }

  private static float[] values(TFloat32 t) {
    float[] out = new float[(int) t.shape().size()];
    t.asRawTensor().data().asFloats().read(out);
    return out;
  }
}
