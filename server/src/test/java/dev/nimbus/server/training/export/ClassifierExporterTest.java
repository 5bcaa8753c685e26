package dev.nimbus.server.training.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.Translator;
import dev.nimbus.server.engine.Decoding;
import dev.nimbus.server.engine.ImageBatch;
import dev.nimbus.server.engine.ImageBatchTranslator;
import dev.nimbus.server.engine.TestImages;
import dev.nimbus.server.training.Embeddings;
import dev.nimbus.server.training.HeadOptions;
import dev.nimbus.server.training.HeadTrainer;
import dev.nimbus.server.training.Labels;
import dev.nimbus.server.training.ScratchCnnOptions;
import dev.nimbus.server.training.ScratchCnnTrainer;
import dev.nimbus.server.training.TrainingLimits;
import dev.nimbus.server.training.TrainingListener;
import dev.nimbus.v1.ClassificationType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

class ClassifierExporterTest {

  private static final List<String> LABELS = List.of("horizontal", "vertical", "square");
  private static final float TOLERANCE = 1e-5f;

  private static ScratchCnnTrainer trainer;
  private static TestImages.Set images;

  @TempDir Path temp;

  @BeforeAll
  static void trainSmallCnn() {
    TestImages.Set train = TestImages.patterns(300, 16, 3, 21);
    images = TestImages.patterns(12, 16, 3, 22);
    trainer = new ScratchCnnTrainer(16, 16, 3, ClassificationType.MULTICLASS, 3,
        ScratchCnnOptions.defaults().withBatchSize(32));
    trainer.fit(train.images(), train.labels(3), null, null, TrainingLimits.of(3, Duration.ofMinutes(1)),
        TrainingListener.NONE);
  }

  @AfterAll
  static void close() {
    trainer.close();
  }

  @Test
  void export_scratchCnn_djlServingDefaultMatchesTrainerPredictions() throws Exception {
    Path dir = temp.resolve("cnn");
    new ClassifierExporter().export(trainer.weights().exportable(LABELS), dir);
    float[][] expected = trainer.predict(images.images());

    try (ZooModel<ImageBatch, float[][]> model = load(dir, ClassifierExporter.SERVING_SIGNATURE,
            ImageBatch.class, float[][].class, new ImageBatchTranslator());
        Predictor<ImageBatch, float[][]> predictor = model.newPredictor()) {
      float[][] actual = predictor.predict(images.images());

      assertThat(actual.length).isEqualTo(expected.length);
      for (int i = 0; i < expected.length; i++) {
        assertThat(actual[i]).containsExactly(expected[i], within(TOLERANCE));
      }
    }
  }

  @Test
  void export_scratchCnn_djlImageBytesOfAPngMatchesTrainerPrediction() throws Exception {
    Path dir = temp.resolve("cnn-bytes");
    new ClassifierExporter().export(trainer.weights().exportable(LABELS), dir);
    float[][] expected = trainer.predict(images.images());

    try (ZooModel<byte[], float[]> model = load(dir, ClassifierExporter.IMAGE_BYTES_SIGNATURE,
            byte[].class, float[].class, new EncodedImageTranslator());
        Predictor<byte[], float[]> predictor = model.newPredictor()) {
      for (int i = 0; i < 4; i++) {
        byte[] png = TestImages.encode(TestImages.toBufferedImage(images.images(), i), "png");

        // PNG is lossless and already 16x16, so the decoded pixels are the trainer's pixels exactly
        assertThat(predictor.predict(png)).containsExactly(expected[i], within(TOLERANCE));
      }
    }
  }

  @Test
  void export_scratchCnn_loadsWithTfJavaAndBothSignaturesAgree() throws Exception {
    Path dir = temp.resolve("cnn-tfjava");
    new ClassifierExporter().export(trainer.weights().exportable(LABELS), dir);
    float[][] expected = trainer.predict(images.images().range(0, 1));
    byte[] png = TestImages.encode(TestImages.toBufferedImage(images.images(), 0), "png");

    try (SavedModelBundle bundle = SavedModelBundle.load(dir.toString(), "serve");
        TUint8 x = TUint8.tensorOf(Shape.of(1, 16, 16, 3));
        TString bytes = TString.tensorOfBytes(NdArrays.scalarOfObject(png))) {
      x.asRawTensor().data().write(images.images().range(0, 1).pixels());
      try (Result viaImages = bundle.function("serving_default").call(Map.of("images", x));
          Result viaBytes = bundle.function("image_bytes").call(Map.of("image_bytes", bytes))) {
        assertThat(floats(viaImages.get("probabilities").orElseThrow())).containsExactly(expected[0], within(TOLERANCE));
        assertThat(floats(viaBytes.get("probabilities").orElseThrow())).containsExactly(expected[0], within(TOLERANCE));
      }
      assertThat(bundle.signatures()).extracting(s -> s.key())
          .containsExactlyInAnyOrder("serving_default", "image_bytes");
    }
  }

  @Test
  void export_grayscaleModel_imageBytesAcceptsAColourJpeg() throws Exception {
    TestImages.Set gray = TestImages.patterns(150, 16, 1, 23);
    try (ScratchCnnTrainer grayTrainer = new ScratchCnnTrainer(16, 16, 1, ClassificationType.MULTICLASS, 3,
        ScratchCnnOptions.defaults().withBatchSize(32))) {
      grayTrainer.fit(gray.images(), gray.labels(3), null, null, TrainingLimits.of(1, Duration.ofMinutes(1)),
          TrainingListener.NONE);
      Path dir = temp.resolve("gray");
      new ClassifierExporter().export(grayTrainer.weights().exportable(LABELS), dir);
      byte[] jpeg = TestImages.encode(TestImages.gradient(40, 30, 1), "jpg");
      ImageBatch decoded;
      try (Decoding decoding = new Decoding(16, 16, 1)) {
        decoded = decoding.decode(List.of(jpeg));
      }
      float[] expected = grayTrainer.predict(decoded)[0];

      try (ZooModel<byte[], float[]> model = load(dir, ClassifierExporter.IMAGE_BYTES_SIGNATURE,
              byte[].class, float[].class, new EncodedImageTranslator());
          Predictor<byte[], float[]> predictor = model.newPredictor()) {
        // image_bytes preprocesses exactly like Decoding, so a served JPEG scores as in evaluation
        assertThat(predictor.predict(jpeg)).containsExactly(expected, within(TOLERANCE));
      }
    }
  }

  @Test
  void export_backboneWithTrainedHead_matchesHeadTrainerOnBackboneFeatures() throws Exception {
    MeanColorBackbone backbone = new MeanColorBackbone(32);
    ImageBatch photos = colourImages(60, 32);
    int[] classes = new int[60];
    for (int i = 0; i < 60; i++) {
      classes[i] = i % 3;
    }
    Embeddings features = MeanColorBackbone.compute(photos);
    try (HeadTrainer headTrainer = new HeadTrainer(3, ClassificationType.MULTICLASS, 3,
        HeadOptions.defaults().withLearningRate(0.05f))) {
      headTrainer.fit(features, Labels.multiclass(classes, 3), null, null,
          TrainingLimits.of(30, Duration.ofMinutes(1)), TrainingListener.NONE);
      Path dir = temp.resolve("backbone");
      ExportedModel exported =
          new ClassifierExporter().export(ExportableClassifier.of(backbone, headTrainer.head(), LABELS), dir);
      float[][] expected = headTrainer.predict(features);

      try (ZooModel<ImageBatch, float[][]> model = load(dir, ClassifierExporter.SERVING_SIGNATURE,
              ImageBatch.class, float[][].class, new ImageBatchTranslator());
          Predictor<ImageBatch, float[][]> predictor = model.newPredictor()) {
        float[][] actual = predictor.predict(photos);
        for (int i = 0; i < expected.length; i++) {
          assertThat(actual[i]).containsExactly(expected[i], within(TOLERANCE));
        }
      }
      assertThat(exported.directory()).isEqualTo(dir);
      assertThat(exported.sizeBytes()).isPositive();
    }
  }

  @Test
  void export_writesLabelsOnePerLineInOutputOrder() throws Exception {
    Path dir = temp.resolve("labels");
    new ClassifierExporter().export(trainer.weights().exportable(LABELS), dir);

    assertThat(Files.readAllLines(dir.resolve("labels.txt"), StandardCharsets.UTF_8)).isEqualTo(LABELS);
    assertThat(dir.resolve("saved_model.pb")).isRegularFile();
  }

  @Test
  void export_directoryExists_refusesAndLeavesItAlone() throws Exception {
    Path dir = Files.createDirectory(temp.resolve("taken"));
    Files.writeString(dir.resolve("model-card.json"), "{}");

    assertThatThrownBy(() -> new ClassifierExporter().export(trainer.weights().exportable(LABELS), dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected: not to exist yet");
    try (var files = Files.list(temp)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("taken");
    }
  }

  @Test
  void exportable_labelCountDiffersFromHead_isRejected() {
    assertThatThrownBy(() -> trainer.weights().exportable(List.of("a", "b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("labels: 2 names (expected: 3");
  }

  static <I, O> ZooModel<I, O> load(
      Path dir, String signature, Class<I> in, Class<O> out, Translator<I, O> translator)
      throws Exception {
    return Criteria.builder()
        .setTypes(in, out)
        .optEngine("TensorFlow")
        .optModelPath(dir)
        .optOption("SignatureDefKey", signature)
        .optTranslator(translator)
        .build()
        .loadModel();
  }

  private static float[] floats(Tensor tensor) {
    TFloat32 t = (TFloat32) tensor;
    float[] out = new float[(int) t.shape().size()];
    t.asRawTensor().data().asFloats().read(out);
    return out;
  }

  private static ImageBatch colourImages(int count, int size) {
    Random random = new Random(31);
    byte[] pixels = new byte[count * size * size * 3];
    for (int i = 0; i < count; i++) {
      int dominant = i % 3;
      for (int p = 0; p < size * size; p++) {
        for (int c = 0; c < 3; c++) {
          int v = (c == dominant ? 170 : 60) + random.nextInt(60);
          pixels[(i * size * size + p) * 3 + c] = (byte) v;
        }
      }
    }
    return new ImageBatch(pixels, count, size, size, 3);
  }
}
