package dev.nimbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nimbus.cli.sample.CloudScenes;
import dev.nimbus.server.NimbusServer;
import dev.nimbus.server.config.ConfigLoader;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console in headless Chromium against a real server: {@code console/e2e/console.e2e.mjs} (Playwright)
 * walks the lab's journey the way a person does (create a dataset, upload a folder with one sub-folder per label,
 * read the label counts, browse the images, train a small scratch_cnn model while watching its progress, check
 * the threshold slider against the evaluation table, open a confusion-matrix cell's images, deploy, predict) and
 * saves a screenshot of every page into {@code target/console-screenshots}.
 *
 * <p>Skipped when Node.js, Chromium or the console's npm packages are missing, except under
 * {@code NIMBUS_REQUIRE_CHROMIUM=1} (set by .ci/run), where that is a failure.
 */
class ConsoleBrowserTest {
  /** Set by .ci/run, which installs Chromium: there a missing browser is a failure, not a skip. */
  private static final boolean CHROMIUM_REQUIRED = "1".equals(System.getenv("NIMBUS_REQUIRE_CHROMIUM"));
  private static final int IMAGES_PER_LABEL = 15;
  private static final Duration E2E_TIMEOUT = Duration.ofMinutes(6);

  @TempDir
  Path tmp;

  @Test
  void theLabJourneyThroughTheConsole() throws Exception {
    Path chromium = Stream.of("/usr/bin/chromium", "/usr/bin/chromium-browser")
        .map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
    String node = nodeVersion();
    Path repo = repositoryRoot();
    Path script = repo == null ? null : repo.resolve("console/e2e/console.e2e.mjs");
    boolean playwright = repo != null && Files.isDirectory(repo.resolve("console/node_modules/playwright-core"));
    if (CHROMIUM_REQUIRED) {
      assertThat(chromium).as("Chromium (apt-get install chromium) is needed for this test").isNotNull();
      assertThat(node).as("Node.js is needed for this test").isNotNull();
      assertThat(script).as("console/e2e/console.e2e.mjs above " + Path.of("").toAbsolutePath()).isNotNull();
      assertThat(playwright).as("console/node_modules/playwright-core (the build's npm ci in console/)").isTrue();
    }
    assumeTrue(chromium != null, "Chromium is not installed");
    assumeTrue(node != null, "Node.js is not installed");
    assumeTrue(script != null, "console/e2e/console.e2e.mjs not found");
    assumeTrue(playwright, "console/node_modules is missing (npm ci in console/)");

    Path images = writeImages(tmp.resolve("clouds"));
    Path shots = Path.of("target/console-screenshots").toAbsolutePath();
    deleteRecursively(shots);
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("port", "0");
    settings.put("http-port", "0");
    settings.put("data-dir", tmp.resolve("data").toString());
    try (NimbusServer server = NimbusServer.netty(ConfigLoader.load(Map.of(), settings), Clock.systemUTC()).start()) {
      String url = "http://127.0.0.1:" + server.httpPort();
      HttpResponse<String> index = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/"))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(index.body()).as("GET / serves the console (built by console/build.sh into the server's"
          + " classpath folder console/)").contains("<div id=\"app\">");

      Path log = tmp.resolve("console-e2e.log");
      ProcessBuilder pb = new ProcessBuilder("node", script.toString())
          .directory(repo.resolve("console").toFile())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile());
      pb.environment().put("NIMBUS_URL", url);
      pb.environment().put("NIMBUS_IMAGES", images.toString());
      pb.environment().put("NIMBUS_SHOTS", shots.toString());
      pb.environment().put("NIMBUS_CHROMIUM", chromium.toString());
      Process p = pb.start();
      boolean finished = p.waitFor(E2E_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      if (!finished) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      String output = Files.readString(log, StandardCharsets.UTF_8);
      System.out.println(output);
      assertThat(finished).as("the console e2e finished within " + E2E_TIMEOUT + "; it said:\n" + output).isTrue();
      assertThat(p.exitValue()).as("the console e2e (node console/e2e/console.e2e.mjs) failed:\n" + output)
          .isZero();
      assertThat(output).contains("console e2e passed");
      try (Stream<Path> pngs = Files.list(shots)) {
        assertThat(pngs.filter(f -> f.toString().endsWith(".png")).count()).as("screenshots in " + shots)
            .isGreaterThanOrEqualTo(10);
      }
    }
  }

  /** One folder per label, {@value #IMAGES_PER_LABEL} small JPEGs each, drawn as the sample-data command does. */
  private static Path writeImages(Path dir) throws IOException {
    int seed = 0;
    for (String label : CloudScenes.LABELS) {
      Path folder = Files.createDirectories(dir.resolve(label));
      for (int i = 1; i <= IMAGES_PER_LABEL; i++) {
        BufferedImage scene = CloudScenes.render(label, 7_000 + seed++);
        int width = 120;
        int height = Math.max(1, scene.getHeight() * width / scene.getWidth());
        BufferedImage small = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = small.createGraphics();
        try {
          g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
          g.drawImage(scene, 0, 0, width, height, null);
        } finally {
          g.dispose();
        }
        assertThat(ImageIO.write(small, "jpeg", folder.resolve("%s-%02d.jpg".formatted(label, i)).toFile()))
            .as("a JPEG writer").isTrue();
      }
    }
    return dir;
  }

  /** {@code node --version}, or null when there is no node on the PATH. */
  private static String nodeVersion() {
    try {
      Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The checkout holding console/ (Maven runs the tests in admin-cli/). */
  private static Path repositoryRoot() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("console/e2e/console.e2e.mjs"))) {
        return d;
      }
    }
    return null;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.delete(p);
      }
    }
  }
}
