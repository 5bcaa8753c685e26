package dev.nimbus.server.training.savedmodel;

import dev.nimbus.server.engine.ModelFormatException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.GraphOperationBuilder;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;

/**
 * Adds the nodes of a {@link FrozenGraph} to another graph, op by op through the public builder API, with the
 * frozen graph's input placeholder replaced by a caller's operand. This is the input mapping that
 * {@code Graph.importGraphDef} lacks.
 *
 * <p>List-valued inputs (ConcatV2's values, AddN's inputs, ...) are grouped with the op's registered OpDef;
 * attributes are copied verbatim, except internal ones ("_class", "_output_shapes"...) and devices, so the
 * caller's scope decides placement.
 */
public final class GraphCopier {
  private static Map<String, OpDef> registry;

  private GraphCopier() {}

  /**
   * Copies {@code graph} into {@code tf}'s graph under the name prefix {@code prefix} ("prefix/node").
   *
   * @return the copied output tensor
   */
  public static Output<?> copy(Ops tf, FrozenGraph graph, String prefix, Operand<?> input) {
    if (!(tf.scope().env() instanceof Graph target)) {
      throw new IllegalArgumentException("a SavedModel backbone can only be added to a Graph, not to " + tf.scope().env());
    }
    Map<String, OpDef> ops = registry();
    Map<String, GraphOperation> copied = new HashMap<>();
    for (NodeDef n : graph.nodes()) {
      if (n.getName().equals(graph.input())) {
        continue;
      }
      OpDef def = ops.get(n.getOp());
      if (def == null) {
        throw new ModelFormatException(
            "node '" + n.getName() + "' uses op " + n.getOp() + ", which this TensorFlow build does not register");
      }
      GraphOperationBuilder b = target.opBuilder(n.getOp(), prefix + "/" + n.getName(), tf.scope());
      List<String> inputs = n.getInputList();
      int next = 0;
      for (OpDef.ArgDef arg : def.getInputArgList()) {
        int count = listLength(n, def, arg);
        if (count < 0) {
          b.addInput(resolve(inputs.get(next++), graph, input, copied));
        } else {
          Output<?>[] list = new Output<?>[count];
          for (int i = 0; i < count; i++) {
            list[i] = resolve(inputs.get(next++), graph, input, copied);
          }
          b.addInputList(list);
        }
      }
      for (; next < inputs.size(); next++) {
        TensorRef r = TensorRef.parse(inputs.get(next));
        if (!r.control()) {
          throw new ModelFormatException("node '" + n.getName() + "' has more inputs than its OpDef " + n.getOp() + " declares");
        }
        GraphOperation dep = copied.get(r.node());
        if (dep != null) {
          b.addControlInput(dep);
        }
      }
      for (Map.Entry<String, AttrValue> a : n.getAttrMap().entrySet()) {
        if (!a.getKey().startsWith("_")) {
          b.setAttr(a.getKey(), a.getValue());
        }
      }
      try {
        copied.put(n.getName(), b.build());
      } catch (RuntimeException e) {
        throw new ModelFormatException("cannot add node '" + n.getName() + "' (" + n.getOp() + "): " + e.getMessage(), e);
      }
    }
    return resolve(graph.output().toString(), graph, input, copied);
  }

  /** -1 for a single tensor, else the number of tensors in a list argument. */
  private static int listLength(NodeDef n, OpDef def, OpDef.ArgDef arg) {
    if (!arg.getNumberAttr().isEmpty()) {
      return (int) attr(n, def, arg.getNumberAttr()).getI();
    }
    if (!arg.getTypeListAttr().isEmpty()) {
      return attr(n, def, arg.getTypeListAttr()).getList().getTypeCount();
    }
    return -1;
  }

  private static AttrValue attr(NodeDef n, OpDef def, String name) {
    AttrValue v = n.getAttrMap().get(name);
    if (v != null) {
      return v;
    }
    for (OpDef.AttrDef a : def.getAttrList()) {
      if (a.getName().equals(name) && a.hasDefaultValue()) {
        return a.getDefaultValue();
      }
    }
    throw new ModelFormatException("node '" + n.getName() + "' lacks attribute '" + name + "'");
  }

  private static Output<?> resolve(String ref, FrozenGraph graph, Operand<?> input, Map<String, GraphOperation> copied) {
    TensorRef r = TensorRef.parse(ref);
    if (r.control()) {
      throw new ModelFormatException("control input " + ref + " where a tensor is expected");
    }
    if (r.node().equals(graph.input())) {
      return input.asOutput();
    }
    GraphOperation op = copied.get(r.node());
    if (op == null) {
      throw new ModelFormatException("input " + ref + " was not copied before its consumer");
    }
    return op.output(r.index());
  }

  private static synchronized Map<String, OpDef> registry() {
    if (registry == null) {
      Map<String, OpDef> m = new HashMap<>();
      for (OpDef d : TensorFlow.registeredOpList().getOpList()) {
        m.put(d.getName(), d);
      }
      registry = m;
    }
    return registry;
  }
}
