package dev.nimbus.bench;

import dev.nimbus.client.NimbusClient;
import dev.nimbus.server.NimbusServer;
import dev.nimbus.server.config.ConfigLoader;
import dev.nimbus.v1.ClassificationType;
import dev.nimbus.v1.CreateModelRequest;
import dev.nimbus.v1.ImportDataResponse;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.ModelEvaluation;
import dev.nimbus.v1.TrainingParams;
import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;

/**
 * Training quality and speed on real data: Fashion-MNIST from Debian's {@code dataset-fashion-mnist}
 * ({@code apt-get install dataset-fashion-mnist}), written out as PNGs with an AutoML CSV (the 60,000 training
 * images as TRAIN, 5,000 of them as VALIDATION, the 10,000 test images as TEST), imported into a fresh server and
 * trained through the API: {@code scratch_cnn} on all of it within a wall-clock budget, and {@code mobilenet_v2} on
 * a 5,000-image subset. Reports test accuracy (the server's own evaluation), wall times and throughput.
 *
 * <p>Usage: {@code FashionMnistBenchmark [--data /usr/share/datasets/fashion-mnist] [--budget 600] [--subset 5000]
 * [--models scratch_cnn,mobilenet_v2] [--out bench/results]}.
 */
public final class FashionMnistBenchmark {
  static final String[] LABELS = {"tshirt_top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker",
      "bag", "ankle_boot"};

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = Args.parse(args, Map.of("data", "/usr/share/datasets/fashion-mnist",
        "budget", "600", "subset", "5000", "models", "scratch_cnn,mobilenet_v2", "out", "bench/results",
        "validation", "5000", "max-epochs", "0"));
    Path data = Path.of(opts.get("data"));
    if (!Files.isDirectory(data)) {
      System.err.println("Fashion-MNIST is not at " + data + "; install it with: apt-get install dataset-fashion-mnist");
      System.exit(2);
    }
    Path work = Files.createTempDirectory("nimbus-bench-fashion");
    long t0 = System.nanoTime();
    byte[][] trainImages = images(data.resolve("train-images-idx3-ubyte.gz"));
    int[] trainLabels = labels(data.resolve("train-labels-idx1-ubyte.gz"));
    byte[][] testImages = images(data.resolve("t10k-images-idx3-ubyte.gz"));
    int[] testLabels = labels(data.resolve("t10k-labels-idx1-ubyte.gz"));
    int validation = Integer.parseInt(opts.get("validation"));
    Path full = writeCsv(work, "full", trainImages, trainLabels, testImages, testLabels, trainImages.length,
        testImages.length, validation);
    int subset = Integer.parseInt(opts.get("subset"));
    // The subset keeps the full set's proportions: 80% train (10% of it validation), 20% test... of 5,000.
    int subTrain = subset * 8 / 10;
    Path small = writeCsv(work, "subset", trainImages, trainLabels, testImages, testLabels, subTrain,
        subset - subTrain, subTrain / 10);
    System.err.printf("wrote %d PNGs and CSVs in %.0f s under %s%n", trainImages.length + testImages.length,
        (System.nanoTime() - t0) / 1e9, work);

    Report report = new Report("fashion-mnist", opts.get("out"));
    StringBuilder md = new StringBuilder("| base model | images (train/val/test) | import s | CreateModel s (wall) |"
        + " epochs | stop | embedding images/s | training images/s | test accuracy | AuPRC |\n"
        + "|---|---|---|---|---|---|---|---|---|---|\n");
    NimbusServer server = NimbusServer.netty(ConfigLoader.load(System.getenv(), Map.of("port", "0", "http-port", "-1",
        "data-dir", work.resolve("data").toString())), Clock.systemUTC()).start();
    try (NimbusClient client = NimbusClient.builder().target("127.0.0.1:" + server.port()).plaintext()
        .defaultDeadline(Duration.ofMinutes(2)).build()) {
      for (String base : opts.get("models").split(",")) {
        boolean scratch = base.equals("scratch_cnn");
        Path csv = scratch ? full : small;
        String dataset = scratch ? "fashion" : "fashion_subset";
        if (client.datasets().list().stream().noneMatch(d -> d.getName().equals("datasets/" + dataset))) {
          client.datasets().create(dataset, ClassificationType.MULTICLASS);
          long i0 = System.nanoTime();
          ImportDataResponse imported = client.datasets().importCsv(dataset, csv).get(60, TimeUnit.MINUTES);
          double importSeconds = (System.nanoTime() - i0) / 1e9;
          report.put(dataset + "_import_seconds", importSeconds);
          report.put(dataset + "_imported", imported.getImportedCount());
          System.err.printf("imported %d images into %s in %.0f s (%.0f/s)%n", imported.getImportedCount(), dataset,
              importSeconds, imported.getImportedCount() / importSeconds);
        }
        String modelId = dataset + "_" + base;
        long m0 = System.nanoTime();
        Model model = client.models().create(CreateModelRequest.newBuilder().setModelId(modelId)
            .setModel(Model.newBuilder().setDataset("datasets/" + dataset).setBaseModel(base)
                .setTrainingParams(TrainingParams.newBuilder()
                    .setTrainBudgetSeconds(Long.parseLong(opts.get("budget")))
                    .setMaxEpochs(Integer.parseInt(opts.get("max-epochs")))))
            .build())
            .onProgress(m -> System.err.println("  " + base + ": " + m.getStatusMessage()))
            .get(3, TimeUnit.HOURS);
        double wall = (System.nanoTime() - m0) / 1e9;
        ModelEvaluation overall = client.models().getEvaluation(model.getName() + "/modelEvaluations/overall");
        var s = model.getTrainingSummary();
        float accuracy = overall.getClassificationEvaluationMetrics().getAccuracy();
        System.err.printf("%s: test accuracy %.4f, %d epochs, %.0f s wall, %.0f train images/s (%s)%n", base,
            accuracy, s.getCurveCount(), wall, s.getTrainImagesPerSecond(), model.getStopReason());
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("test_accuracy", accuracy);
        r.put("au_prc", overall.getClassificationEvaluationMetrics().getAuPrc());
        r.put("wall_seconds", wall);
        r.put("training_seconds", s.getTrainingDuration().getSeconds() + s.getTrainingDuration().getNanos() / 1e9);
        r.put("epochs", s.getCurveCount());
        r.put("stop_reason", model.getStopReason().name());
        r.put("train_images_per_second", s.getTrainImagesPerSecond());
        r.put("embedding_images_per_second", s.getEmbeddingImagesPerSecond());
        r.put("curve", s.getCurveList().stream().map(e -> List.of(e.getEpoch(), e.getTrainLoss(),
            e.getValidationLoss(), e.getValidationAccuracy(), e.getElapsed().getSeconds())).toList());
        report.put(modelId, r);
        long trainCount = s.getLabelCountsList().stream().mapToLong(c -> c.getTrain()).sum();
        md.append(String.format(Locale.ROOT, "| %s | %d/%d/%d | %.0f | %.0f | %d | %s | %s | %.0f | %.4f | %.4f |%n",
            base, trainCount, s.getValidationExampleCount(), s.getTestExampleCount(),
            ((Number) report.get(dataset + "_import_seconds", 0.0)).doubleValue(), wall, s.getCurveCount(),
            model.getStopReason().name(), scratch ? "-" : String.format(Locale.ROOT, "%.0f",
                s.getEmbeddingImagesPerSecond()), s.getTrainImagesPerSecond(), accuracy,
            overall.getClassificationEvaluationMetrics().getAuPrc()));
      }
    } finally {
      server.close();
    }
    report.write(md.toString());
  }

  /** IDX3 images (gzip): one byte[] of rows x cols gray pixels per image. */
  static byte[][] images(Path file) throws IOException {
    try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(file), 1 << 16))) {
      if (in.readInt() != 2051) {
        throw new IOException(file + " is not an IDX image file");
      }
      int n = in.readInt();
      int rows = in.readInt();
      int cols = in.readInt();
      byte[][] out = new byte[n][rows * cols];
      for (byte[] img : out) {
        in.readFully(img);
      }
      return out;
    }
  }

  static int[] labels(Path file) throws IOException {
    try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(file)))) {
      if (in.readInt() != 2049) {
        throw new IOException(file + " is not an IDX label file");
      }
      int n = in.readInt();
      int[] out = new int[n];
      for (int i = 0; i < n; i++) {
        out[i] = in.readUnsignedByte();
      }
      return out;
    }
  }

  /**
   * Writes PNGs (once) and a CSV using the first {@code train} training images (the last {@code validation} of them
   * as VALIDATION) and the first {@code test} test images.
   */
  static Path writeCsv(Path work, String name, byte[][] trainImages, int[] trainLabels, byte[][] testImages,
      int[] testLabels, int train, int test, int validation) throws IOException {
    Path dir = work.resolve("png");
    StringBuilder csv = new StringBuilder();
    for (int i = 0; i < train; i++) {
      String file = "train/" + i + ".png";
      png(dir.resolve(file), trainImages[i]);
      csv.append(i >= train - validation ? "VALIDATION," : "TRAIN,").append("png/").append(file).append(',')
          .append(LABELS[trainLabels[i]]).append('\n');
    }
    for (int i = 0; i < test; i++) {
      String file = "test/" + i + ".png";
      png(dir.resolve(file), testImages[i]);
      csv.append("TEST,png/").append(file).append(',').append(LABELS[testLabels[i]]).append('\n');
    }
    return Files.writeString(work.resolve(name + ".csv"), csv);
  }

  private static void png(Path file, byte[] gray) throws IOException {
    if (Files.exists(file)) {
      return;
    }
    Files.createDirectories(file.getParent());
    int side = (int) Math.sqrt(gray.length);
    BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_BYTE_GRAY);
    img.getRaster().setDataElements(0, 0, side, side, gray);
    ImageIO.write(img, "png", file.toFile());
  }

}
