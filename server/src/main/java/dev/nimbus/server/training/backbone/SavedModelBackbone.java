package dev.nimbus.server.training.backbone;

import dev.nimbus.server.engine.ModelFormatException;
import dev.nimbus.server.engine.TensorFlowRuntime;
import dev.nimbus.server.training.savedmodel.FrozenGraph;
import dev.nimbus.server.training.savedmodel.GraphCopier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.types.TFloat32;

/**
 * A backbone from a TensorFlow SavedModel that follows the TF-Hub image feature-vector convention: one float input
 * [N, H, W, 3] in [0, 1], one output [N, D]. The serving signature's subgraph is frozen (variables read once from
 * the SavedModel's session and turned into constants) and, on {@link #features}, copied op by op into the caller's
 * graph with the input placeholder replaced by the caller's operand, so the result exports as one SavedModel.
 *
 * <p>Graph-mode SavedModels only (TF1, TF-Java exports, TF-Hub TF1 format); see {@link FrozenGraph}.
 */
public final class SavedModelBackbone implements Backbone {
  private static final List<String> OUTPUT_KEYS = List.of("features", "feature_vector", "default", "output_0");

  private final Path dir;
  private final FrozenGraph graph;
  private final int inputSize;
  private final int featureDim;
  private final String id;

  private SavedModelBackbone(Path dir, FrozenGraph graph, int inputSize, int featureDim, String id) {
    this.dir = dir;
    this.graph = graph;
    this.inputSize = inputSize;
    this.featureDim = featureDim;
    this.id = id;
  }

  /** Loads the "serve" tag, signature "serving_default" (or the only one), its only (or "features") output. */
  public static SavedModelBackbone load(Path dir) throws IOException {
    return load(dir, null, null);
  }

  /**
   * @param signatureKey the signature to use, or null for "serving_default" / the only one
   * @param outputKey the output to use, or null for the only one / the first of features, feature_vector, default,
   *     output_0
   */
  public static SavedModelBackbone load(Path dir, String signatureKey, String outputKey) throws IOException {
    if (!Files.isRegularFile(dir.resolve("saved_model.pb"))) {
      throw new ModelFormatException(dir + " is not a SavedModel folder (no saved_model.pb)");
    }
    TensorFlowRuntime.ensureLoaded();
    try (SavedModelBundle bundle = SavedModelBundle.load(dir.toString(), SavedModelBundle.DEFAULT_TAG)) {
      Map<String, SignatureDef> signatures = bundle.metaGraphDef().getSignatureDefMap();
      String sigKey = pick(signatures.keySet(), signatureKey, List.of("serving_default"), "signature", dir);
      SignatureDef sig = signatures.get(sigKey);
      if (sig.getInputsCount() != 1) {
        throw new ModelFormatException(
            dir + ": signature '" + sigKey + "' has inputs " + sig.getInputsMap().keySet() + "; expected exactly one image input");
      }
      TensorInfo in = sig.getInputsMap().values().iterator().next();
      String outKey = pick(sig.getOutputsMap().keySet(), outputKey, OUTPUT_KEYS, "output", dir);
      TensorInfo out = sig.getOutputsMap().get(outKey);
      if (in.getDtype() != DataType.DT_FLOAT || out.getDtype() != DataType.DT_FLOAT) {
        throw new ModelFormatException(dir + ": signature '" + sigKey + "' must map float images to float features, has "
            + in.getDtype() + " -> " + out.getDtype());
      }
      long[] inShape = dims(in.getTensorShape());
      if (inShape.length != 4 || inShape[3] != 3 || inShape[1] <= 0 || inShape[1] != inShape[2]) {
        throw new ModelFormatException(dir + ": input " + in.getName() + " has shape " + Arrays.toString(inShape)
            + "; expected [N, S, S, 3] with a known S (the TF-Hub image convention with a fixed size)");
      }
      FrozenGraph frozen = FrozenGraph.freeze(bundle, in.getName(), out.getName());
      int size = (int) inShape[1];
      int dim = featureDim(frozen, size, dims(out.getTensorShape()), dir);
      String id = "saved_model:" + dir.getFileName() + ":" + frozen.sha256().substring(0, 16);
      return new SavedModelBackbone(dir, frozen, size, dim, id);
    }
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public int inputSize() {
    return inputSize;
  }

  @Override
  public int featureDim() {
    return featureDim;
  }

  /** How many variables were turned into constants. */
  public int frozenVariables() {
    return graph.variableCount();
  }

  @Override
  public Operand<TFloat32> features(Ops tf, Operand<TFloat32> images01) {
    Ops scope = GraphScopes.uniqueSubScope(tf, "saved_model");
    String prefix = scope.scope().makeOpName("graph");
    Output<?> out = GraphCopier.copy(scope, graph, prefix, images01);
    if (out.dataType() != DataType.DT_FLOAT) {
      throw new ModelFormatException(dir + ": output has type " + out.dataType());
    }
    return scope.withName("features").identity(out.expect(TFloat32.class));
  }

  private static int featureDim(FrozenGraph frozen, int size, long[] declared, Path dir) {
    if (declared.length == 2 && declared[1] > 0) {
      return (int) declared[1];
    }
    // Not in the signature: let TensorFlow's shape inference find it.
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, size, size, 3)));
      Shape s = GraphCopier.copy(tf, frozen, "probe", x).shape();
      if (s.numDimensions() != 2 || s.get(1) <= 0) {
        throw new ModelFormatException(dir + ": output shape " + s + " is not [N, D] with a known D");
      }
      return (int) s.get(1);
    }
  }

  private static String pick(Set<String> keys, String wanted, List<String> preferred, String what, Path dir) {
    if (wanted != null) {
      if (!keys.contains(wanted)) {
        throw new ModelFormatException(dir + ": no " + what + " '" + wanted + "'; has " + keys);
      }
      return wanted;
    }
    if (keys.size() == 1) {
      return keys.iterator().next();
    }
    for (String p : preferred) {
      if (keys.contains(p)) {
        return p;
      }
    }
    throw new ModelFormatException(dir + ": several " + what + "s " + keys + "; say which one to use");
  }

  private static long[] dims(TensorShapeProto shape) {
    if (shape.getUnknownRank()) {
      return new long[0];
    }
    return shape.getDimList().stream().mapToLong(TensorShapeProto.Dim::getSize).toArray();
  }

  @Override
  public String toString() {
    return id + " (input " + inputSize + ", features " + featureDim + ", " + graph.nodes().size() + " nodes)";
  }
}
