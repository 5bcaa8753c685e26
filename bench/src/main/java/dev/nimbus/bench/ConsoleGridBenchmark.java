package dev.nimbus.bench;

import dev.nimbus.client.NimbusClient;
import dev.nimbus.server.NimbusServer;
import dev.nimbus.server.config.ConfigLoader;
import dev.nimbus.v1.ClassificationType;
import dev.nimbus.v1.ImportDataResponse;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * The console's image grid on a large dataset: writes N small JPEGs (64x48, three labels), imports them on a Netty
 * server with its HTTP port, then runs {@code console/e2e/grid-timing.mjs} (Playwright, Debian's Chromium), which
 * opens the dataset's page in fresh browser contexts and times the first and the next page of thumbnails until
 * each is decoded on screen. The first visit makes the thumbnails (the server caches them); later ones read them.
 *
 * <p>Usage: {@code ConsoleGridBenchmark [--images 70000] [--visits 5]}; needs node, the console's node_modules
 * ({@code sh console/build.sh ...} or a Maven build) and /usr/bin/chromium.
 */
public final class ConsoleGridBenchmark {
  public static void main(String[] args) throws Exception {
    Map<String, String> opts = Args.parse(args, Map.of("images", "70000", "visits", "5"));
    int images = Integer.parseInt(opts.get("images"));
    Path work = Files.createTempDirectory("nimbus-bench-grid");
    long t0 = System.nanoTime();
    Path csv = writeImages(work.resolve("images"), images);
    System.err.printf("wrote %d JPEGs in %.0f s%n", images, (System.nanoTime() - t0) / 1e9);
    try (NimbusServer server = NimbusServer.netty(ConfigLoader.load(Map.of(), Map.of("port", "0",
        "http-port", "0", "data-dir", work.resolve("data").toString())), Clock.systemUTC()).start();
        NimbusClient client = NimbusClient.builder().target("127.0.0.1:" + server.port()).plaintext()
            .defaultDeadline(Duration.ofMinutes(30)).build()) {
      client.datasets().create("grid", ClassificationType.MULTICLASS);
      long t1 = System.nanoTime();
      ImportDataResponse imported = client.datasets().importCsv("grid", csv).get();
      System.err.printf("imported %d images in %.0f s%n", imported.getImportedCount(), (System.nanoTime() - t1) / 1e9);
      ProcessBuilder node = new ProcessBuilder("node", "console/e2e/grid-timing.mjs").inheritIO();
      node.environment().put("NIMBUS_URL", "http://127.0.0.1:" + server.httpPort());
      node.environment().put("NIMBUS_DATASET", "grid");
      node.environment().put("VISITS", opts.get("visits"));
      int exit = node.start().waitFor();
      if (exit != 0) {
        throw new IllegalStateException("grid-timing.mjs exited with " + exit);
      }
    }
  }

  private static Path writeImages(Path dir, int n) throws IOException {
    Files.createDirectories(dir);
    String[] labels = {"cirrus", "cumulus", "cumulonimbus"};
    StringBuilder csv = new StringBuilder();
    Random r = new Random(1);
    BufferedImage img = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
    for (int i = 0; i < n; i++) {
      Graphics2D g = img.createGraphics();
      g.setColor(new Color(r.nextInt(0xFFFFFF)));
      g.fillRect(0, 0, 64, 48);
      g.setColor(new Color(r.nextInt(0xFFFFFF)));
      g.fillOval(r.nextInt(40), r.nextInt(30), 10 + r.nextInt(30), 10 + r.nextInt(20));
      g.dispose();
      ImageIO.write(img, "jpg", dir.resolve(i + ".jpg").toFile());
      csv.append("images/").append(i).append(".jpg,").append(labels[i % 3]).append('\n');
    }
    return Files.writeString(dir.getParent().resolve("grid.csv"), csv);
  }
}
