package dev.nimbus.bench;

import dev.nimbus.client.NimbusClient;
import dev.nimbus.client.UploadResult;
import dev.nimbus.server.NimbusServer;
import dev.nimbus.server.config.ConfigLoader;
import dev.nimbus.v1.ClassificationType;
import dev.nimbus.v1.ImportDataResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Uploads from the client's disk over loopback, against the import the server reads from its own disk, on the
 * same images in the same run.
 *
 * <p>Writes N photo-like 224x224 JPEGs (those of {@link ImportBenchmark}) and their CSV, then, per run, on a
 * fresh server: (1) a server-side import of the CSV (the server reads the files), for the ratio; then, on another
 * fresh server, (2) {@code datasets().upload} of the CSV: the upload alone (hashing, FindMissingImages,
 * UploadImages) and upload plus import; (3) the same upload again into a second dataset, which must send no image
 * bytes. Read the medians against the server-side import of the same run.
 *
 * <p>Usage: {@code UploadBenchmark [--images N] [--runs R]}.
 */
public final class UploadBenchmark {
  public static void main(String[] args) throws Exception {
    Map<String, String> opts = Args.parse(args, Map.of("images", "2000", "runs", "3"));
    int images = Integer.parseInt(opts.get("images"));
    int runs = Integer.parseInt(opts.get("runs"));
    Path work = Files.createTempDirectory("nimbus-bench-upload");
    Path csv = ImportBenchmark.writeImages(work.resolve("images"), images);
    long bytes = ImportBenchmark.folderSize(work.resolve("images"));
    System.err.printf("wrote %d JPEGs (%s) under %s%n", images, ImportBenchmark.mb(bytes), work);

    List<Double> uploadRates = new ArrayList<>();
    List<Double> uploadImportRates = new ArrayList<>();
    List<Double> localImportRates = new ArrayList<>();
    List<Long> repeatBytes = new ArrayList<>();
    List<Double> repeatSeconds = new ArrayList<>();
    for (int r = -1; r < runs; r++) { // run -1 warms the JIT up and is not counted
      double[] local = {0};
      // The server-side import on a server of its own: with the blobs of the upload already stored, its images
      // would be duplicates that skip the writes.
      try (Served s = Served.start(work.resolve("local-" + (r + 1)))) {
        s.client.datasets().create("local", ClassificationType.MULTICLASS);
        long t5 = System.nanoTime();
        ImportDataResponse imported = s.client.datasets().importCsv("local", csv).get();
        local[0] = images / sec(t5, System.nanoTime());
        check(imported.getImportedCount() == images, "server-side import imported " + imported.getImportedCount());
      }
      try (Served s = Served.start(work.resolve("upload-" + (r + 1)))) {
        NimbusClient client = s.client;
        client.datasets().create("up", ClassificationType.MULTICLASS);
        client.datasets().create("again", ClassificationType.MULTICLASS);
        long t0 = System.nanoTime();
        UploadResult up = client.datasets().upload("up", csv, p -> {});
        long t1 = System.nanoTime();
        ImportDataResponse imported = up.operation().get();
        long t2 = System.nanoTime();
        check(imported.getImportedCount() == images, "upload imported " + imported.getImportedCount());
        check(up.bytesSent() == bytes, "upload sent " + up.bytesSent() + " of " + bytes + " bytes");

        long t3 = System.nanoTime();
        UploadResult again = client.datasets().upload("again", csv, p -> {});
        long t4 = System.nanoTime();
        check(again.operation().get().getImportedCount() == images, "repeated upload did not import all");
        System.err.printf(Locale.ROOT, "run %d: upload %.0f img/s (%.1f MB/s), upload+import %.0f img/s,"
            + " repeat sent %d bytes in %.2f s, server-side import %.0f img/s%n", r + 1, images / sec(t0, t1),
            bytes / 1e6 / sec(t0, t1), images / sec(t0, t2), again.bytesSent(), sec(t3, t4), local[0]);
        if (r >= 0) {
          uploadRates.add(images / sec(t0, t1));
          uploadImportRates.add(images / sec(t0, t2));
          repeatBytes.add(again.bytesSent());
          repeatSeconds.add(sec(t3, t4));
          localImportRates.add(local[0]);
        }
      }
    }
    double upload = ImportBenchmark.median(uploadRates);
    double local = ImportBenchmark.median(localImportRates);
    double both = ImportBenchmark.median(uploadImportRates);
    System.out.printf(Locale.ROOT, "%n| %d JPEGs 224x224, %s | median of %d runs | runs |%n|---|---|---|%n", images,
        ImportBenchmark.mb(bytes), runs);
    System.out.printf(Locale.ROOT, "| upload (hash, find missing, send) | %.0f images/s | %s |%n", upload,
        ImportBenchmark.join(uploadRates));
    System.out.printf(Locale.ROOT, "| upload + import | %.0f images/s | %s |%n", both,
        ImportBenchmark.join(uploadImportRates));
    System.out.printf(Locale.ROOT, "| server-side import of the same CSV | %.0f images/s | %s |%n", local,
        ImportBenchmark.join(localImportRates));
    System.out.printf(Locale.ROOT, "| upload + import / server-side import | %.2fx | |%n", both / local);
    System.out.printf(Locale.ROOT, "| repeated upload: image bytes sent | %s | (time %.2f s median) |%n",
        repeatBytes, ImportBenchmark.median(repeatSeconds));
  }

  /** A Netty server on a fresh data directory, with a client. */
  private record Served(NimbusServer server, NimbusClient client) implements AutoCloseable {
    static Served start(Path data) throws IOException {
      NimbusServer server = NimbusServer.netty(ConfigLoader.load(Map.of(), Map.of("port", "0", "http-port", "-1",
          "data-dir", data.toString())), Clock.systemUTC()).start();
      return new Served(server, NimbusClient.builder().target("127.0.0.1:" + server.port()).plaintext()
          .defaultDeadline(Duration.ofMinutes(5)).build());
    }

    @Override
    public void close() {
      client.close();
      server.close();
    }
  }

  private static double sec(long from, long to) {
    return (to - from) / 1e9;
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException(what);
    }
  }
}
