package dev.nimbus.server.training.backbone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ModelException;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import dev.nimbus.server.engine.ModelFormatException;
import dev.nimbus.server.engine.TensorFlowRuntime;
import dev.nimbus.server.training.testing.Fixtures;
import dev.nimbus.server.training.testing.ReferenceImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * A SavedModel feature extractor (exported here from TF-Java, with both kinds of variables) is frozen, composed
 * into a classifier graph, and the classifier exports as one self-contained SavedModel.
 */
class SavedModelBackboneTest {
  private static final int SIZE = 12;
  @TempDir Path tmp;

  @BeforeAll
  static void loadNatives() {
    TensorFlowRuntime.ensureLoaded();
  }

  @Test
  void features_matchTheSavedModelItself() throws IOException {
    Path dir = exportFeatureExtractor(tmp.resolve("extractor"));
    SavedModelBackbone backbone = SavedModelBackbone.load(dir);

    assertThat(backbone.inputSize()).isEqualTo(SIZE);
    assertThat(backbone.featureDim()).isEqualTo(10);
    assertThat(backbone.frozenVariables()).isEqualTo(2);
    assertThat(backbone.id()).startsWith("saved_model:extractor:")
        .isEqualTo(SavedModelBackbone.load(dir).id())
        // the same computation exported again (new files) keeps its id; other weights do not
        .isEqualTo(SavedModelBackbone.load(exportFeatureExtractor(tmp.resolve("again/extractor"))).id())
        .isNotEqualTo(SavedModelBackbone.load(exportFeatureExtractor(tmp.resolve("other/extractor"), 99)).id());

    float[] want;
    try (SavedModelBundle b = SavedModelBundle.load(dir.toString(), "serve");
        TFloat32 images = ReferenceImages.tensor(3, SIZE);
        Result r = b.session().runner().feed("images", images).fetch("features").run()) {
      want = TfjsBackboneReferenceTest.values((TFloat32) r.get(0));
    }
    try (Graph g = new Graph(); Session s = new Session(g); TFloat32 images = ReferenceImages.tensor(3, SIZE)) {
      Ops tf = Ops.create(g);
      var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, SIZE, SIZE, 3)));
      // Something in front of the backbone proves the input is really re-wired: the images go in halved and
      // are doubled again inside the graph. (Not bit-exact: TF's CPU kernels vary in the last float bits.)
      Operand<TFloat32> f = backbone.features(tf, tf.math.mul(x, tf.constant(2f)));
      try (TFloat32 half = scaled(images, 0.5f);
          Result r = s.runner().feed(x, half).fetch(f).run()) {
        assertThat(TfjsBackboneReferenceTest.values((TFloat32) r.get(0))).containsExactly(want, within(1e-5f));
      }
    }
  }

  @Test
  void classifierOnTop_exportsAsOneSelfContainedSavedModel() throws IOException {
    Path extractor = exportFeatureExtractor(tmp.resolve("extractor"));
    SavedModelBackbone backbone = SavedModelBackbone.load(extractor);
    Path classifier = tmp.resolve("classifier");
    float[] inMemory;
    try (Graph g = new Graph(); Session s = new Session(g); TFloat32 images = ReferenceImages.tensor(3, SIZE)) {
      Ops tf = Ops.create(g);
      var x = tf.withName("images").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, SIZE, SIZE, 3)));
      Operand<TFloat32> f = backbone.features(tf, x);
      var w = tf.variable(tf.constant(Shape.of(10, 4), DataBuffers.of(random(40, 7))));
      Operand<TFloat32> probs = tf.withName("probabilities").nn.softmax(tf.linalg.matMul(f, w));
      s.initialize();
      try (Result r = s.runner().feed(x, images).fetch(probs).run()) {
        inMemory = TfjsBackboneReferenceTest.values((TFloat32) r.get(0));
      }
      SavedModelBundle.exporter(classifier.toString())
          .withSession(s)
          .withSignature(Signature.builder().key(Signature.DEFAULT_KEY).input("images", x).output("probabilities", probs).build())
          .export();
    }
    deleteRecursively(extractor); // the classifier must not need it

    try (SavedModelBundle b = SavedModelBundle.load(classifier.toString(), "serve");
        TFloat32 images = ReferenceImages.tensor(3, SIZE);
        Result r = b.session().runner().feed("images", images).fetch("probabilities").run()) {
      float[] reloaded = TfjsBackboneReferenceTest.values((TFloat32) r.get(0));
      assertThat(reloaded).hasSize(12).containsExactly(inMemory, within(1e-6f));
    }
    // And DJL, which serves Nimbus models, loads and runs it too.
    Criteria<NDList, NDList> criteria = Criteria.builder()
        .setTypes(NDList.class, NDList.class)
        .optEngine("TensorFlow")
        .optModelPath(classifier)
        .build();
    try (ZooModel<NDList, NDList> model = criteria.loadModel();
        Predictor<NDList, NDList> predictor = model.newPredictor();
        NDManager manager = NDManager.newBaseManager("TensorFlow")) {
      NDArray images = manager.create(ReferenceImages.images(3, SIZE), new ai.djl.ndarray.types.Shape(3, SIZE, SIZE, 3));
      float[] served = predictor.predict(new NDList(images)).singletonOrThrow().toFloatArray();
      assertThat(served).containsExactly(inMemory, within(1e-6f));
    } catch (ModelException | TranslateException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void load_rejectsNonSavedModelFolder() {
    assertThatThrownBy(() -> SavedModelBackbone.load(tmp))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("no saved_model.pb");
  }

  /**
   * TF.js backbone (constants) -> a projection with variables -> relu; signature input "images", output
   * "features". Reference variables (VariableV2) only: TF-Java's exporter saves no resource variables.
   */
  static Path exportFeatureExtractor(Path dir) throws IOException {
    return exportFeatureExtractor(dir, 1);
  }

  static Path exportFeatureExtractor(Path dir, long seed) throws IOException {
    TfjsBackbone tfjs = TfjsBackbone.load(Fixtures.syntheticModel(), "features");
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      var x = tf.withName("images").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, SIZE, SIZE, 3)));
      Operand<TFloat32> f = tfjs.features(tf, x);
      var w = tf.withName("proj_w").variable(tf.constant(Shape.of(136, 10), DataBuffers.of(random(1360, seed))));
      var b = tf.withName("proj_b").variable(tf.constant(random(10, 2)));
      Operand<TFloat32> out = tf.withName("features").nn.relu(tf.math.add(tf.linalg.matMul(f, w), b));
      s.initialize();
      SavedModelBundle.exporter(dir.toString())
          .withSession(s)
          .withSignature(Signature.builder().key(Signature.DEFAULT_KEY).input("images", x).output("features", out).build())
          .export();
    }
    return dir;
  }

  private static float[] random(int n, long seed) {
    Random r = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (r.nextGaussian() * 0.3);
    }
    return v;
  }

  private static TFloat32 scaled(TFloat32 t, float factor) {
    float[] v = TfjsBackboneReferenceTest.values(t);
    for (int i = 0; i < v.length; i++) {
      v[i] *= factor;
    }
    return TFloat32.tensorOf(t.shape(), DataBuffers.of(v));
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
