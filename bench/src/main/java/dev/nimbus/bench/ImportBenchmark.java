package dev.nimbus.bench;

import dev.nimbus.client.NimbusClient;
import dev.nimbus.server.NimbusServer;
import dev.nimbus.server.config.ConfigLoader;
import dev.nimbus.v1.ClassificationType;
import dev.nimbus.v1.ImportDataResponse;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * Import throughput and server start-up time, measured over the real gRPC API on this machine.
 *
 * <p>Writes N photo-like 224x224 JPEGs and a CSV of the AutoML form (no ML_USE column, three labels), then for
 * each run starts a Netty server on a fresh data directory, imports the CSV through the SDK and times it from
 * the ImportData call to the operation's end. Runs alternate between the configurations compared (import
 * threads), so drift on a shared machine hits them alike; a warm-up import comes first and is not counted.
 * Start-up: launches the server as a new JVM several times and times it from launch to the first answered
 * call, on an empty data directory and on one holding the imported dataset.
 *
 * <p>Usage: {@code ImportBenchmark [--images N] [--runs R] [--threads 2,8] [--warmup 1] [--out DIR]}. Results go
 * to {@code DIR/import.json} and {@code DIR/import.md}.
 */
public final class ImportBenchmark {
  public static void main(String[] args) throws Exception {
    Map<String, String> opts = Args.parse(args, Map.of("images", "2000", "runs", "3", "threads", "2,8",
        "out", "bench/results", "startups", "5", "warmup", "1"));
    int images = Integer.parseInt(opts.get("images"));
    int runs = Integer.parseInt(opts.get("runs"));
    List<Integer> threadCounts = new ArrayList<>();
    for (String t : opts.get("threads").split(",")) {
      threadCounts.add(Integer.parseInt(t.trim()));
    }
    Path work = Files.createTempDirectory("nimbus-bench-import");
    Path csv = writeImages(work.resolve("images"), images);
    System.err.printf("wrote %d JPEGs (%s total) under %s%n", images, mb(folderSize(work.resolve("images"))), work);

    // JIT compilation and the first touches of the file system make the first imports slow; they are not counted.
    for (int w = 0; w < Integer.parseInt(opts.get("warmup")); w++) {
      double[] m = importOnce(csv, work.resolve("warmup-" + w), threadCounts.get(threadCounts.size() - 1));
      System.err.printf("warm-up import: %.0f images/s (not counted)%n", images / m[0]);
    }
    Map<Integer, List<double[]>> results = new LinkedHashMap<>();
    Path lastDataDir = null;
    for (int r = 0; r < runs; r++) {
      for (int threads : threadCounts) {
        Path dataDir = work.resolve("data-" + threads + "-" + r);
        double[] m = importOnce(csv, dataDir, threads);
        results.computeIfAbsent(threads, k -> new ArrayList<>()).add(m);
        System.err.printf("run %d, import-threads=%d: %d images in %.2f s = %.0f images/s (server says %.0f/s)%n",
            r + 1, threads, images, m[0], images / m[0], m[1]);
        lastDataDir = dataDir;
      }
    }

    int startups = Integer.parseInt(opts.get("startups"));
    List<Double> coldEmpty = new ArrayList<>();
    List<Double> coldWithData = new ArrayList<>();
    for (int i = 0; i < startups; i++) {
      coldEmpty.add(startupMillis(work.resolve("startup-empty-" + i)));
      coldWithData.add(startupMillis(lastDataDir));
    }
    System.err.printf("start-up to ready: empty %.0f ms, with %d images %.0f ms (median of %d)%n",
        median(coldEmpty), images, median(coldWithData), startups);

    Report report = new Report("import", opts.get("out"));
    report.put("images", images);
    report.put("image_size", "224x224 JPEG");
    report.put("runs", runs);
    for (Map.Entry<Integer, List<double[]>> e : results.entrySet()) {
      List<Double> rates = e.getValue().stream().map(m -> images / m[0]).toList();
      report.put("import_images_per_second_threads_" + e.getKey(), rates);
      report.put("import_images_per_second_threads_" + e.getKey() + "_median", median(rates));
    }
    report.put("startup_ms_empty_data_dir", coldEmpty);
    report.put("startup_ms_with_dataset", coldWithData);
    report.put("startup_ms_empty_data_dir_median", median(coldEmpty));
    report.put("startup_ms_with_dataset_median", median(coldWithData));

    StringBuilder md = new StringBuilder();
    int first = threadCounts.get(0);
    md.append("| import-threads | images/s per run | median images/s | ratio to import-threads=" + first
        + " |\n|---|---|---|---|\n");
    double base = median(results.get(first).stream().map(m -> images / m[0]).toList());
    for (Map.Entry<Integer, List<double[]>> e : results.entrySet()) {
      List<Double> rates = e.getValue().stream().map(m -> images / m[0]).toList();
      md.append(String.format(Locale.ROOT, "| %d | %s | %.0f | %.2f |%n", e.getKey(), join(rates), median(rates),
          median(rates) / base));
    }
    md.append(String.format(Locale.ROOT, "%n| start-up to ready (new JVM) | median ms | runs (ms) |%n|---|---|---|%n"
        + "| empty data directory | %.0f | %s |%n| data directory with the %d imported images | %.0f | %s |%n",
        median(coldEmpty), join(coldEmpty), images, median(coldWithData), join(coldWithData)));
    report.write(md.toString());
  }

  /** Imports the CSV into a fresh server; returns {wall seconds, server-reported images/s}. */
  static double[] importOnce(Path csv, Path dataDir, int threads) throws Exception {
    NimbusServer server = NimbusServer.netty(ConfigLoader.load(Map.of(), Map.of("port", "0", "http-port", "-1",
        "data-dir", dataDir.toString(), "import-threads", String.valueOf(threads))), Clock.systemUTC()).start();
    try (NimbusClient client = NimbusClient.builder().target("127.0.0.1:" + server.port()).plaintext().build()) {
      client.datasets().create("bench", ClassificationType.MULTICLASS);
      long start = System.nanoTime();
      var op = client.datasets().importCsv("bench", csv);
      ImportDataResponse r = op.get(30, TimeUnit.MINUTES);
      double seconds = (System.nanoTime() - start) / 1e9;
      if (r.getImportedCount() != r.getTotalRowCount()) {
        throw new IllegalStateException("not every row imported: " + r);
      }
      double serverRate = op.metadata().map(m -> m.getImportDataDetails().getImagesPerSecond()).orElse(0.0);
      return new double[] {seconds, serverRate};
    } finally {
      server.close();
    }
  }

  /** Launches the server in a new JVM and returns the milliseconds until it reports ready. */
  static double startupMillis(Path dataDir) throws IOException, InterruptedException {
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.nimbus.server.NimbusServerMain",
        "--port=0", "--data-dir=" + dataDir);
    long start = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null && !line.startsWith("NIMBUS_READY")) {
        // skip
      }
      if (line == null) {
        throw new IllegalStateException("the server exited before it was ready");
      }
      int port = Integer.parseInt(line.substring("NIMBUS_READY port=".length()));
      try (NimbusClient client = NimbusClient.builder().target("127.0.0.1:" + port).plaintext().build()) {
        client.datasets().list().iterator().hasNext(); // a real call answered
      }
      return (System.nanoTime() - start) / 1e6;
    } finally {
      p.destroy();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** Photo-like pictures: smooth gradients, soft blobs and sensor noise, so JPEG sizes resemble real photos. */
  static Path writeImages(Path dir, int n) throws IOException {
    Files.createDirectories(dir);
    String[] labels = {"cirrus", "cumulus", "cumulonimbus"};
    StringBuilder csv = new StringBuilder();
    for (int i = 0; i < n; i++) {
      Random r = new Random(i);
      BufferedImage img = new BufferedImage(224, 224, BufferedImage.TYPE_INT_RGB);
      int[] top = {r.nextInt(120), 80 + r.nextInt(120), 150 + r.nextInt(100)};
      int[] bottom = {150 + r.nextInt(100), 150 + r.nextInt(100), 150 + r.nextInt(100)};
      double bx = r.nextDouble() * 224;
      double by = r.nextDouble() * 224;
      double radius = 30 + r.nextDouble() * 80;
      for (int y = 0; y < 224; y++) {
        for (int x = 0; x < 224; x++) {
          double t = y / 223.0;
          double blob = Math.exp(-((x - bx) * (x - bx) + (y - by) * (y - by)) / (2 * radius * radius));
          int rgb = 0;
          for (int c = 0; c < 3; c++) {
            double v = top[c] * (1 - t) + bottom[c] * t;
            v = v * (1 - blob) + 245 * blob + r.nextGaussian() * 6;
            rgb = (rgb << 8) | (int) Math.max(0, Math.min(255, v));
          }
          img.setRGB(x, y, rgb);
        }
      }
      ImageIO.write(img, "jpg", dir.resolve(i + ".jpg").toFile());
      csv.append("images/").append(i).append(".jpg,").append(labels[i % 3]).append('\n');
    }
    return Files.writeString(dir.getParent().resolve("import.csv"), csv);
  }

  static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(Comparator.naturalOrder());
    int n = s.size();
    return n == 0 ? Double.NaN : n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  static String join(List<Double> xs) {
    return String.join(", ", xs.stream().map(x -> String.format(Locale.ROOT, "%.0f", x)).toList());
  }

  static long folderSize(Path dir) throws IOException {
    try (var s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  static String mb(long bytes) {
    return String.format(Locale.ROOT, "%.1f MB", bytes / 1048576.0);
  }
}
