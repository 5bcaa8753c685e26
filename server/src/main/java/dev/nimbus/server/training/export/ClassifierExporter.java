package dev.nimbus.server.training.export;

import dev.nimbus.server.engine.ImageGraphs;
import dev.nimbus.server.engine.TensorFlowRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/**
 * Writes a trained classifier as one self-contained TF SavedModel (tag {@code serve}) that DJL's TensorFlow engine,
 * TF-Java, TF Serving and Python TF can all load, with two signatures:
 *
 * <ul>
 *   <li>{@value #SERVING_SIGNATURE}: {@value #IMAGES_INPUT} uint8 [N, H, W, C] -> {@value #PROBABILITIES_OUTPUT}
 *       float [N, L]
 *   <li>{@value #IMAGE_BYTES_SIGNATURE}: {@value #IMAGE_BYTES_INPUT} scalar string (one JPEG, PNG, GIF or BMP) ->
 *       decode to C channels -> bilinear resize to H x W -> the same model -> {@value #PROBABILITIES_OUTPUT}
 *       [1, L]
 * </ul>
 *
 * <p>The graph is rebuilt for inference only, with the trained values as constants: no training ops, no optimizer
 * state, no dropout, no variables to restore. Measured against the same model with variables (2.2 M weights,
 * 224x224): same size on disk, load 25-30 ms vs 16-19 ms, first call 135 ms vs 20 ms (grappler folds and oneDNN
 * prepares constant weights once), then faster: 3.7 vs 5.4 ms at batch 1, 68-71 vs 75 ms at batch 32. Serving
 * warms a model up before it reports ready, so constants win. (Exporting the training session itself does not
 * even load: its data-set variables have no static shape and the generated restore op rejects them.) Both signatures share one copy of the model: {@code images} is a
 * {@code PlaceholderWithDefault} whose default is the decoded {@code image_bytes}, so feeding {@code images} prunes
 * the decoder and feeding {@code image_bytes} flows through it.
 */
public final class ClassifierExporter {

  public static final String SERVING_SIGNATURE = Signature.DEFAULT_KEY;
  public static final String IMAGE_BYTES_SIGNATURE = "image_bytes";
  public static final String IMAGES_INPUT = "images";
  public static final String IMAGE_BYTES_INPUT = "image_bytes";
  public static final String PROBABILITIES_OUTPUT = "probabilities";
  public static final String LABELS_FILE = "labels.txt";

  /**
   * Writes the model into {@code directory}, which must not exist yet. Everything is written to a sibling
   * temporary directory first and moved into place at the end, so a crash never leaves a half-written model
   * that a loader could pick up.
   */
  public ExportedModel export(ExportableClassifier model, Path directory) throws IOException {
    return export(model, directory, session -> {});
  }

  /**
   * @param initialize runs on the export session before saving; only for feature parts that keep their weights in
   *     variables (the alternative the export benchmark measures against constants)
   */
  ExportedModel export(ExportableClassifier model, Path directory, Consumer<Session> initialize)
      throws IOException {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(directory, "directory");
    if (Files.exists(directory)) {
      throw new IllegalArgumentException("directory: %s (expected: not to exist yet)".formatted(directory));
    }
    TensorFlowRuntime.ensureLoaded();
    long start = System.nanoTime();
    Path parent = directory.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path staging = Files.createTempDirectory(parent, directory.getFileName() + ".partial-");
    Path savedModel = staging.resolve("model");
    try {
      try (Graph graph = new Graph();
          Session session = new Session(graph)) {
        Ops tf = Ops.create(graph);
        Placeholder<TString> imageBytes =
            tf.withName(IMAGE_BYTES_INPUT).placeholder(TString.class, Placeholder.shape(Shape.scalar()));
        Operand<TUint8> decoded =
            ImageGraphs.decodeResize(tf, imageBytes, model.height(), model.width(), model.channels());
        Operand<TUint8> images =
            tf.withName(IMAGES_INPUT)
                .placeholderWithDefault(decoded, Shape.of(-1, model.height(), model.width(), model.channels()));
        Operand<TFloat32> features = model.features().features(tf, ImageGraphs.toUnitRange(tf, images));
        Operand<TFloat32> probabilities =
            tf.withName(PROBABILITIES_OUTPUT).identity(model.head().probabilities(tf, features));

        initialize.accept(session);
        SavedModelBundle.exporter(savedModel.toString())
            .withSession(session)
            .withSignature(
                Signature.builder(SERVING_SIGNATURE)
                    .input(IMAGES_INPUT, images)
                    .output(PROBABILITIES_OUTPUT, probabilities)
                    .build())
            .withSignature(
                Signature.builder(IMAGE_BYTES_SIGNATURE)
                    .input(IMAGE_BYTES_INPUT, imageBytes)
                    .output(PROBABILITIES_OUTPUT, probabilities)
                    .build())
            .export();
      }
      Files.write(
          savedModel.resolve(LABELS_FILE),
          (String.join("\n", model.labels()) + "\n").getBytes(StandardCharsets.UTF_8));
      Files.move(savedModel, directory, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      deleteRecursively(staging);
    }
    return new ExportedModel(
        directory, sizeOf(directory), Duration.ofNanos(System.nanoTime() - start));
  }

  private static long sizeOf(Path directory) throws IOException {
    try (Stream<Path> files = Files.walk(directory)) {
      return files.filter(Files::isRegularFile).mapToLong(ClassifierExporter::size).sum();
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
