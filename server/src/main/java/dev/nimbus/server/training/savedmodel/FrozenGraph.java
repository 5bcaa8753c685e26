package dev.nimbus.server.training.savedmodel;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.nimbus.server.engine.ModelFormatException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

/**
 * The part of a SavedModel's graph that computes one output from one input, with every variable replaced by a
 * constant holding its value: a self-contained list of NodeDefs that {@link GraphCopier} can add to any graph,
 * fed by any operand.
 *
 * <p>Handles graphs built in graph mode (TF1 SavedModels, TF-Java's exporter, TF-Hub TF1 modules): resource
 * variables (VarHandleOp read by ReadVariableOp) and reference variables (VariableV2). Graphs whose computation
 * sits in functions (TF2 / Keras SavedModels: StatefulPartitionedCall into the function library) are rejected with a
 * {@link ModelFormatException} that says so.
 *
 * @param nodes the nodes in topological order; variables are already constants
 * @param input the name of the placeholder that the caller's operand replaces
 * @param output the output tensor
 * @param variableCount how many variables were frozen
 */
public record FrozenGraph(List<NodeDef> nodes, String input, TensorRef output, int variableCount) {
  private static final Set<String> REF_VARIABLES = Set.of("VariableV2", "Variable");
  private static final Set<String> PLACEHOLDERS = Set.of("Placeholder", "PlaceholderV2");

  public FrozenGraph {
    nodes = List.copyOf(nodes);
  }

  /**
   * SHA-256 (hex) of the frozen nodes in order, serialized deterministically: equal for equal computations, even
   * when the SavedModel files differ (re-exports write new bytes).
   */
  public String sha256() {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      out.useDeterministicSerialization();
      for (NodeDef n : nodes) {
        out.writeMessageNoTag(n);
      }
      out.writeStringNoTag(input + "|" + output);
      out.flush();
      return HexFormat.of().formatHex(d.digest(bytes.toByteArray()));
    } catch (NoSuchAlgorithmException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Number of float values held by the frozen constants (for logging). */
  public long constantBytes() {
    long n = 0;
    for (NodeDef d : nodes) {
      if (d.getOp().equals("Const")) {
        n += d.getAttrOrDefault("value", AttrValue.getDefaultInstance()).getTensor().getSerializedSize();
      }
    }
    return n;
  }

  /**
   * Extracts and freezes the subgraph from {@code inputTensor} to {@code outputTensor} ("name:index").
   *
   * @param bundle a loaded SavedModel; its session provides the variable values
   */
  public static FrozenGraph freeze(SavedModelBundle bundle, String inputTensor, String outputTensor) {
    return freeze(bundle.metaGraphDef().getGraphDef(), bundle.session(), inputTensor, outputTensor);
  }

  /**
   * Same, from a graph and a session over it in which the variables hold their values.
   *
   * @param graphDef the graph, e.g. {@code graph.toGraphDef()}
   */
  public static FrozenGraph freeze(GraphDef graphDef, Session session, String inputTensor, String outputTensor) {
    Map<String, NodeDef> byName = new HashMap<>();
    for (NodeDef n : graphDef.getNodeList()) {
      byName.put(n.getName(), n);
    }
    TensorRef in = TensorRef.parse(inputTensor);
    TensorRef out = TensorRef.parse(outputTensor);
    NodeDef inputNode = byName.get(in.node());
    if (inputNode == null || !PLACEHOLDERS.contains(inputNode.getOp())) {
      throw new ModelFormatException("signature input " + inputTensor + " is not a Placeholder");
    }
    if (!byName.containsKey(out.node())) {
      throw new ModelFormatException("signature output " + outputTensor + " is not in the graph");
    }

    // Everything the output depends on through data edges, stopping at the input.
    Set<String> needed = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>(List.of(out.node()));
    while (!todo.isEmpty()) {
      String name = todo.pop();
      if (!needed.add(name) || name.equals(in.node())) {
        continue;
      }
      NodeDef n = byName.get(name);
      if (n == null) {
        throw new ModelFormatException("node '" + name + "' is referenced but not in the graph");
      }
      rejectFunctions(n);
      for (String i : n.getInputList()) {
        TensorRef r = TensorRef.parse(i);
        if (!r.control()) {
          todo.push(r.node());
        }
      }
    }

    // Classify: variable reads become constants, variable handles disappear.
    Map<String, NodeDef> kept = new LinkedHashMap<>();
    List<String> toFetch = new ArrayList<>();
    Set<String> handles = new HashSet<>();
    for (NodeDef n : graphDef.getNodeList()) {
      if (!needed.contains(n.getName())) {
        continue;
      }
      String op = n.getOp();
      if (n.getName().equals(in.node())) {
        kept.put(n.getName(), n);
      } else if (op.equals("VarHandleOp")) {
        handles.add(n.getName());
      } else if (op.equals("ReadVariableOp") || REF_VARIABLES.contains(op)) {
        toFetch.add(n.getName());
        kept.put(n.getName(), n);
      } else if (PLACEHOLDERS.contains(op)) {
        throw new ModelFormatException(
            "the output also depends on placeholder '" + n.getName() + "', which the signature does not feed");
      } else {
        kept.put(n.getName(), n);
      }
    }
    for (NodeDef n : kept.values()) {
      if (n.getOp().equals("ReadVariableOp")) {
        continue;
      }
      for (String i : n.getInputList()) {
        TensorRef r = TensorRef.parse(i);
        if (!r.control() && handles.contains(r.node())) {
          throw new ModelFormatException(
              "node '" + n.getName() + "' (" + n.getOp() + ") uses variable '" + r.node()
                  + "' other than through ReadVariableOp; it cannot be frozen");
        }
      }
    }

    Map<String, NodeDef> frozen = fetchAsConstants(session, toFetch);
    List<NodeDef> result = new ArrayList<>();
    for (NodeDef n : kept.values()) {
      NodeDef f = frozen.get(n.getName());
      if (f != null) {
        result.add(f);
        continue;
      }
      // Control edges to nodes outside the subgraph (initialisers, asserts) are dropped.
      NodeDef.Builder b = n.toBuilder().clearInput();
      for (String i : n.getInputList()) {
        TensorRef r = TensorRef.parse(i);
        if (!r.control() || kept.containsKey(r.node()) && !frozen.containsKey(r.node())) {
          b.addInput(i);
        }
      }
      result.add(b.build());
    }
    return new FrozenGraph(topological(result), in.node(), out, toFetch.size());
  }

  private static void rejectFunctions(NodeDef n) {
    for (Map.Entry<String, AttrValue> a : n.getAttrMap().entrySet()) {
      AttrValue v = a.getValue();
      if (v.hasFunc() || v.hasList() && v.getList().getFuncCount() > 0) {
        throw new ModelFormatException(
            "node '" + n.getName() + "' (" + n.getOp() + ") calls a function: this is a TF2 (function-based)"
                + " SavedModel, and only graph-mode SavedModels (TF1, TF-Java exports) can be frozen into another"
                + " graph; convert it to a graph-mode SavedModel or a frozen GraphDef first");
      }
    }
  }

  private static Map<String, NodeDef> fetchAsConstants(Session session, List<String> names) {
    if (names.isEmpty()) {
      return Collections.emptyMap();
    }
    Map<String, NodeDef> out = new HashMap<>();
    Session.Runner runner = session.runner();
    names.forEach(n -> runner.fetch(n, 0));
    try (Result r = runner.run()) {
      for (int i = 0; i < names.size(); i++) {
        String name = names.get(i);
        Tensor t = r.get(i);
        DataType dtype = t.dataType();
        if (dtype == DataType.DT_STRING || dtype == DataType.DT_RESOURCE || dtype == DataType.DT_VARIANT) {
          throw new ModelFormatException("variable read '" + name + "' has type " + dtype + "; cannot freeze it");
        }
        byte[] bytes = new byte[(int) t.numBytes()];
        t.asRawTensor().data().read(bytes);
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : t.shape().asArray()) {
          shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
        }
        TensorProto value = TensorProto.newBuilder()
            .setDtype(dtype)
            .setTensorShape(shape)
            .setTensorContent(ByteString.copyFrom(bytes))
            .build();
        out.put(name, NodeDef.newBuilder()
            .setName(name)
            .setOp("Const")
            .putAttr("dtype", AttrValue.newBuilder().setType(dtype).build())
            .putAttr("value", AttrValue.newBuilder().setTensor(value).build())
            .build());
      }
    }
    return out;
  }

  /** Kahn's algorithm over data and control edges; GraphDefs need not be ordered. */
  private static List<NodeDef> topological(List<NodeDef> nodes) {
    Map<String, NodeDef> byName = new LinkedHashMap<>();
    nodes.forEach(n -> byName.put(n.getName(), n));
    Map<String, Integer> pending = new HashMap<>();
    Map<String, List<String>> consumers = new HashMap<>();
    for (NodeDef n : nodes) {
      int count = 0;
      for (String i : n.getInputList()) {
        String src = TensorRef.parse(i).node();
        if (!byName.containsKey(src)) {
          throw new ModelFormatException("node '" + n.getName() + "' reads '" + src + "', which is not in the subgraph");
        }
        count++;
        consumers.computeIfAbsent(src, k -> new ArrayList<>()).add(n.getName());
      }
      pending.put(n.getName(), count);
    }
    Deque<String> ready = new ArrayDeque<>();
    pending.forEach((k, v) -> {
      if (v == 0) {
        ready.add(k);
      }
    });
    List<NodeDef> ordered = new ArrayList<>();
    while (!ready.isEmpty()) {
      String name = ready.poll();
      ordered.add(byName.get(name));
      for (String c : consumers.getOrDefault(name, List.of())) {
        if (pending.merge(c, -1, Integer::sum) == 0) {
          ready.add(c);
        }
      }
    }
    if (ordered.size() != nodes.size()) {
      throw new ModelFormatException("the subgraph has a cycle (control flow loops are not supported)");
    }
    return ordered;
  }
}
