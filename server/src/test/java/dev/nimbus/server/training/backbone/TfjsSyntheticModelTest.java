package dev.nimbus.server.training.backbone;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.nimbus.server.engine.TensorFlowRuntime;
import dev.nimbus.server.training.testing.Fixtures;
import dev.nimbus.server.training.testing.ReferenceImages;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Every supported layer type and weight format, in a Teachable-Machine-shaped nested model, against
 * TensorFlow.js (src/test/node/synthetic.js wrote the model and the expected outputs).
 */
class TfjsSyntheticModelTest {
  private static JsonObject expected;

  @BeforeAll
  static void setUp() throws IOException {
    TensorFlowRuntime.ensureLoaded();
    expected = JsonParser.parseString(Files.readString(Fixtures.syntheticModel().resolveSibling("expected.json")))
        .getAsJsonObject();
  }

  @ParameterizedTest(name = "foldBatchNorm={0}")
  @ValueSource(booleans = {false, true})
  void everyLayer_matchesTensorFlowJs(boolean fold) throws IOException {
    TfjsBackbone backbone = TfjsBackbone.load(Fixtures.syntheticModel(), List.of("features"), fold);
    List<String> names = new ArrayList<>(expected.getAsJsonObject("layers").keySet());
    names.add("dense_Dense2");
    try (Graph g = new Graph(); Session s = new Session(g); TFloat32 images = images()) {
      Ops tf = Ops.create(g);
      var input = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 12, 12, 3)));
      List<Operand<TFloat32>> outs = backbone.layerOutputs(tf, input, names);
      var runner = s.runner().feed(input, images);
      outs.forEach(runner::fetch);
      try (Result r = runner.run()) {
        for (int i = 0; i < names.size(); i++) {
          JsonObject want = i < names.size() - 1
              ? expected.getAsJsonObject("layers").getAsJsonObject(names.get(i))
              : expected.getAsJsonObject("output");
          assertClose(names.get(i), TfjsBackboneReferenceTest.values((TFloat32) r.get(i)), want.getAsJsonArray("values"));
        }
      }
    }
  }

  @ParameterizedTest(name = "cut={0}")
  @ValueSource(strings = {"features", "dense_Dense2", "sequential_1/feature_net/gap"})
  void features_ofNestedCut(String cut) throws IOException {
    TfjsBackbone backbone = TfjsBackbone.load(Fixtures.syntheticModel(), cut);
    String key = cut.substring(cut.lastIndexOf('/') + 1);
    JsonObject want = key.equals("dense_Dense2")
        ? expected.getAsJsonObject("output")
        : expected.getAsJsonObject("layers").getAsJsonObject(key);
    try (Graph g = new Graph(); Session s = new Session(g); TFloat32 images = images()) {
      Ops tf = Ops.create(g);
      var input = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 12, 12, 3)));
      // Two backbones in one graph must not clash.
      backbone.features(tf, input);
      Operand<TFloat32> f = backbone.features(Ops.create(g), input);
      try (Result r = s.runner().feed(input, images).fetch(f).run()) {
        assertThat(f.shape().asArray()).containsExactly(-1L, (long) backbone.featureDim());
        assertClose(cut, TfjsBackboneReferenceTest.values((TFloat32) r.get(0)), want.getAsJsonArray("values"));
      }
    }
  }

  private static TFloat32 images() {
    float[] all = ReferenceImages.images(3, 12);
    float[] two = new float[2 * 12 * 12 * 3];
    System.arraycopy(all, 0, two, 0, 432);
    System.arraycopy(all, 2 * 432, two, 432, 432);
    return TFloat32.tensorOf(Shape.of(2, 12, 12, 3), DataBuffers.of(two));
  }

  private static void assertClose(String what, float[] got, JsonArray want) {
    assertThat(got).as(what).hasSize(want.size());
    double maxAbs = 0;
    for (int i = 0; i < got.length; i++) {
      double w = want.get(i).getAsDouble();
      double err = Math.abs(got[i] - w);
      maxAbs = Math.max(maxAbs, err);
      assertThat(err).as("%s[%d]: got %s want %s", what, i, got[i], w).isLessThanOrEqualTo(2e-5 + 2e-5 * Math.abs(w));
    }
    System.out.printf("%-32s n=%5d maxAbsErr=%.3e%n", what, got.length, maxAbs);
  }
}
