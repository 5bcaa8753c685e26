package dev.nimbus.server.training.backbone;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.nimbus.server.engine.TensorFlowRuntime;
import dev.nimbus.server.training.testing.ReferenceImages;
import dev.nimbus.server.training.testing.TestModels;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * The imported MobileNetV2 agrees with TensorFlow.js (pure JS CPU backend) on three deterministic images: the
 * fixture was written by src/test/node/reference.js from the same model files.
 */
class TfjsBackboneReferenceTest {
  private static final String FIXTURE = "/dev/nimbus/server/training/mobilenet_v2_reference.json";
  /** |java - js| <= ABS_TOL * max|js over the layer| + REL_TOL * |js|. */
  private static final double ABS_TOL = 1e-4;
  private static final double REL_TOL = 1e-3;

  private static JsonObject fixture;
  private Path modelJson;

  /** Per test, so a missing model shows as skipped tests with the reason, not as an empty class. */
  @BeforeEach
  void setUp() throws IOException {
    modelJson = TestModels.mobilenetV2();
    if (fixture != null) {
      return;
    }
    TensorFlowRuntime.ensureLoaded();
    try (Reader r = new InputStreamReader(
        TfjsBackboneReferenceTest.class.getResourceAsStream(FIXTURE), StandardCharsets.UTF_8)) {
      fixture = JsonParser.parseReader(r).getAsJsonObject();
    }
    String shardSha = fixture.getAsJsonObject("model").getAsJsonArray("shardSha256").get(0).getAsString();
    assertThat(sha256(modelJson.resolveSibling("group1-shard1of1.bin")))
        .as("the fetched weights are not the ones the fixture was made from; regenerate it with"
            + " node src/test/node/reference.js <model dir> src/test/resources" + FIXTURE)
        .isEqualTo(shardSha);
  }

  @ParameterizedTest(name = "foldBatchNorm={0}")
  @ValueSource(booleans = {false, true})
  void layerOutputs_matchTensorFlowJs(boolean fold) throws IOException {
    TfjsBackbone backbone = TfjsBackbone.load(modelJson, List.of(TfjsBackbone.DEFAULT_CUT), fold);
    JsonObject layers = fixture.getAsJsonObject("layers");
    List<String> names = new ArrayList<>(layers.keySet());
    names.add(fixture.getAsJsonObject("output").get("layer").getAsString());
    int count = fixture.getAsJsonObject("images").get("count").getAsInt();
    int size = fixture.getAsJsonObject("images").get("size").getAsInt();

    try (Graph g = new Graph(); Session s = new Session(g); TFloat32 images = ReferenceImages.tensor(count, size)) {
      Ops tf = Ops.create(g);
      var input = tf.withName("images").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, size, size, 3)));
      List<Operand<TFloat32>> outs = backbone.layerOutputs(tf, input, names);
      var runner = s.runner().feed(input, images);
      outs.forEach(runner::fetch);
      try (Result r = runner.run()) {
        for (int li = 0; li < names.size() - 1; li++) {
          String name = names.get(li);
          JsonObject ref = layers.getAsJsonObject(name);
          float[] got = values((TFloat32) r.get(li));
          int[] shape = ints(ref.getAsJsonArray("shape"));
          int h = shape[0];
          int w = shape[1];
          int d = shape[2];
          assertThat(got).hasSize(count * h * w * d);
          Errors err = new Errors(name);
          JsonArray pooled = ref.getAsJsonArray("pooled");
          for (int k = 0; k < count; k++) {
            float[] want = floats(pooled.get(k).getAsJsonArray());
            double[] mean = new double[d];
            for (int i = 0; i < h * w; i++) {
              for (int c = 0; c < d; c++) {
                mean[c] += got[(k * h * w + i) * d + c];
              }
            }
            for (int c = 0; c < d; c++) {
              err.add(mean[c] / (h * w), want[c]);
            }
          }
          for (JsonElement e : ref.getAsJsonArray("samples")) {
            JsonObject sample = e.getAsJsonObject();
            int k = sample.get("image").getAsInt();
            int y = sample.get("y").getAsInt();
            int x = sample.get("x").getAsInt();
            float[] want = floats(sample.getAsJsonArray("values"));
            for (int c = 0; c < want.length; c++) {
              err.add(got[((k * h + y) * w + x) * d + c], want[c]);
            }
          }
          err.check();
        }
        float[] probs = values((TFloat32) r.get(names.size() - 1));
        Errors err = new Errors("output " + names.get(names.size() - 1));
        JsonArray want = fixture.getAsJsonObject("output").getAsJsonArray("values");
        int classes = want.get(0).getAsJsonArray().size();
        for (int k = 0; k < count; k++) {
          float[] wk = floats(want.get(k).getAsJsonArray());
          for (int c = 0; c < classes; c++) {
            err.add(probs[k * classes + c], wk[c]);
          }
        }
        err.check();
      }
    }
  }

  @ParameterizedTest(name = "cuts={0}")
  @ValueSource(strings = {"block_10_project_BN", "block_6_project_BN,block_10_project_BN", "out_relu"})
  void features_arePooledCutsInOrder(String cuts) throws IOException {
    List<String> cutList = List.of(cuts.split(","));
    TfjsBackbone backbone = TfjsBackbone.load(modelJson, cutList);
    JsonObject layers = fixture.getAsJsonObject("layers");
    int expectedDim = 0;
    for (String c : cutList) {
      expectedDim += layers.getAsJsonObject(c).getAsJsonArray("shape").get(2).getAsInt();
    }
    assertThat(backbone.featureDim()).isEqualTo(expectedDim);
    assertThat(backbone.inputSize()).isEqualTo(224);

    try (Graph g = new Graph(); Session s = new Session(g); TFloat32 images = ReferenceImages.tensor(3, 224)) {
      Ops tf = Ops.create(g);
      var input = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 224, 224, 3)));
      Operand<TFloat32> features = backbone.features(tf, input);
      assertThat(features.shape().asArray()).containsExactly(-1L, (long) expectedDim);
      try (Result r = s.runner().feed(input, images).fetch(features).run()) {
        float[] got = values((TFloat32) r.get(0));
        Errors err = new Errors("features " + cuts);
        for (int k = 0; k < 3; k++) {
          int offset = 0;
          for (String c : cutList) {
            float[] want = floats(layers.getAsJsonObject(c).getAsJsonArray("pooled").get(k).getAsJsonArray());
            for (int i = 0; i < want.length; i++) {
              err.add(got[k * expectedDim + offset + i], want[i]);
            }
            offset += want.length;
          }
        }
        err.check();
      }
    }
  }

  /** Max absolute and relative error of one layer, against a tolerance scaled by the layer's magnitude. */
  private static final class Errors {
    final String layer;
    final List<double[]> pairs = new ArrayList<>();

    Errors(String layer) {
      this.layer = layer;
    }

    void add(double got, double want) {
      pairs.add(new double[] {got, want});
    }

    void check() {
      double scale = 0;
      for (double[] p : pairs) {
        scale = Math.max(scale, Math.abs(p[1]));
      }
      double maxAbs = 0;
      double maxRel = 0;
      int bad = 0;
      String firstBad = null;
      for (double[] p : pairs) {
        double abs = Math.abs(p[0] - p[1]);
        maxAbs = Math.max(maxAbs, abs);
        if (Math.abs(p[1]) > 1e-2 * scale) {
          maxRel = Math.max(maxRel, abs / Math.abs(p[1]));
        }
        if (abs > ABS_TOL * scale + REL_TOL * Math.abs(p[1])) {
          bad++;
          if (firstBad == null) {
            firstBad = "got " + p[0] + " want " + p[1];
          }
        }
      }
      System.out.printf(Locale.ROOT, "%-40s n=%6d max|ref|=%9.4f maxAbsErr=%.3e maxRelErr(|ref|>1%%max)=%.3e%n",
          layer, pairs.size(), scale, maxAbs, maxRel);
      assertThat(bad).as("%s: %d of %d values out of tolerance, first: %s", layer, bad, pairs.size(), firstBad)
          .isZero();
    }
  }

  static float[] values(TFloat32 t) {
    float[] out = new float[(int) t.shape().size()];
    t.asRawTensor().data().asFloats().read(out);
    return out;
  }

  private static float[] floats(JsonArray a) {
    float[] out = new float[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).getAsFloat();
    }
    return out;
  }

  private static int[] ints(JsonArray a) {
    int[] out = new int[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).getAsInt();
    }
    return out;
  }

  static String sha256(Path file) throws IOException {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
