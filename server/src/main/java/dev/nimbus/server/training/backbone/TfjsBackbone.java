package dev.nimbus.server.training.backbone;

import dev.nimbus.server.engine.ModelFormatException;
import dev.nimbus.server.training.tfjs.KerasGraphBuilder;
import dev.nimbus.server.training.tfjs.KerasLayer;
import dev.nimbus.server.training.tfjs.KerasModel;
import dev.nimbus.server.training.tfjs.TfjsModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A backbone imported from a TF.js / Keras layers model (model.json + binary shards): the model's layers up to one
 * or more cut layers, each cut's output global-average-pooled (when spatial) and the results concatenated.
 *
 * <p>Loading reads and validates everything in Java and needs no TensorFlow natives; {@link #features} does.
 */
public final class TfjsBackbone implements Backbone {
  /** The last ImageNet-frozen block of the nsfwjs MobileNetV2; see docs on pretrained weights. */
  public static final String DEFAULT_CUT = "block_10_project_BN";

  private final TfjsModel model;
  private final List<String> cutKeys;
  private final boolean foldBatchNorm;
  private final KerasGraphBuilder builder;
  private final int inputSize;
  private final int featureDim;
  private final String id;

  private TfjsBackbone(TfjsModel model, List<String> cutKeys, boolean foldBatchNorm) {
    this.model = model;
    this.cutKeys = List.copyOf(cutKeys);
    this.foldBatchNorm = foldBatchNorm;
    this.builder = new KerasGraphBuilder(model.topology(), model.weights(), foldBatchNorm);
    KerasModel topology = model.topology();
    int[] in = topology.inputShape();
    if (in.length != 3 || in[0] <= 0 || in[0] != in[1] || in[2] != 3) {
      throw new ModelFormatException(
          model.modelJson() + ": input shape " + Arrays.toString(in) + " is not [S, S, 3] with a known S");
    }
    this.inputSize = in[0];
    int dim = 0;
    for (String k : cutKeys) {
      int[] s = topology.shape(k);
      if (s.length != 3 && s.length != 1) {
        throw new ModelFormatException("cut layer '" + k + "' has output rank " + (s.length + 1) + "; expected 4 or 2");
      }
      dim += s[s.length - 1];
    }
    this.featureDim = dim;
    this.id = "tfjs:" + displayName(model) + ":" + String.join("+", cutKeys) + ":" + idHash();
  }

  /** Cut at {@link #DEFAULT_CUT}. */
  public static TfjsBackbone load(Path modelJson) throws IOException {
    return load(modelJson, DEFAULT_CUT);
  }

  public static TfjsBackbone load(Path modelJson, String cutLayer) throws IOException {
    return load(modelJson, List.of(cutLayer));
  }

  /** Features are the pooled outputs of {@code cutLayers}, concatenated in that order. */
  public static TfjsBackbone load(Path modelJson, List<String> cutLayers) throws IOException {
    return load(modelJson, cutLayers, true);
  }

  /**
   * @param foldBatchNorm fold BatchNormalization into the preceding convolution (faster; differs from the
   *     unfolded graph only by float rounding)
   */
  public static TfjsBackbone load(Path modelJson, List<String> cutLayers, boolean foldBatchNorm)
      throws IOException {
    if (cutLayers.isEmpty()) {
      throw new IllegalArgumentException("cutLayers: [] (expected: at least one layer name)");
    }
    TfjsModel model = TfjsModel.read(modelJson);
    List<String> keys = new ArrayList<>();
    for (String name : cutLayers) {
      keys.add(model.topology().layer(name).key());
    }
    return new TfjsBackbone(model, keys, foldBatchNorm);
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

  public List<String> cutLayers() {
    return cutKeys;
  }

  /** SHA-256 of model.json and its shards. */
  public String modelSha256() {
    return model.sha256();
  }

  public KerasModel topology() {
    return model.topology();
  }

  @Override
  public Operand<TFloat32> features(Ops tf, Operand<TFloat32> images01) {
    Ops scope = GraphScopes.uniqueSubScope(tf, scopeBase());
    List<Operand<TFloat32>> outs = builder.build(scope, images01, cutKeys);
    List<Operand<TFloat32>> pooled = new ArrayList<>();
    for (int i = 0; i < outs.size(); i++) {
      Operand<TFloat32> o = outs.get(i);
      pooled.add(o.shape().numDimensions() == 4
          ? scope.withName("pool_" + i).math.mean(o, scope.constant(new int[] {1, 2}))
          : o);
    }
    if (pooled.size() == 1) {
      return scope.withName("features").identity(pooled.get(0));
    }
    return scope.withName("features").concat(pooled, scope.constant(1));
  }

  /**
   * The raw (unpooled) outputs of the named layers, e.g. [N, 14, 14, 96] for block_10_project_BN; for tests
   * and diagnostics.
   */
  public List<Operand<TFloat32>> layerOutputs(Ops tf, Operand<TFloat32> images01, List<String> layerNames) {
    List<String> keys = new ArrayList<>();
    for (String n : layerNames) {
      KerasLayer l = model.topology().layer(n);
      keys.add(l.key());
    }
    return builder.build(GraphScopes.uniqueSubScope(tf, scopeBase()), images01, keys);
  }

  private String scopeBase() {
    String n = displayName(model).replaceAll("[^A-Za-z0-9_.\\-]", "_");
    return n.isEmpty() || !Character.isLetterOrDigit(n.charAt(0)) ? "tfjs_" + n : n;
  }

  /** The model's folder name (e.g. mobilenet_v2), which says more than Keras's "model_1". */
  private static String displayName(TfjsModel model) {
    Path parent = model.modelJson().toAbsolutePath().getParent();
    return parent != null && parent.getFileName() != null ? parent.getFileName().toString() : model.topology().name();
  }

  private String idHash() {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(model.sha256().getBytes(StandardCharsets.UTF_8));
      d.update(("|cut=" + String.join("+", cutKeys) + "|fold=" + foldBatchNorm).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return id + " (input " + inputSize + ", features " + featureDim + ")";
  }
}
