package dev.nimbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nimbus.client.NimbusClient;
import dev.nimbus.v1.ListModelEvaluationsResponse;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.ModelEvaluation;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab's training and evaluation steps through the CLI against a real server: train, list, get, evaluate (the
 * AuPRC, precision and recall at a threshold, the confusion matrix), export, delete, and the errors people make.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ModelsCommandTest {
  @TempDir
  static Path tmp;

  private static TestServer server;

  @BeforeAll
  static void startServerAndImport() throws IOException {
    server = TestServer.start(tmp.resolve("data"));
    List<String> rows = new ArrayList<>();
    int seed = 0;
    for (String label : List.of("dark", "light")) {
      for (int i = 0; i < 12; i++) {
        Path file = tmp.resolve("img").resolve(label + i + ".png");
        Files.createDirectories(file.getParent());
        Files.write(file, shade(label.equals("dark") ? 30 + i : 200 + i, seed++));
        rows.add((i < 8 ? "TRAIN," : i < 10 ? "VALIDATION," : "TEST,") + file + "," + label);
      }
    }
    Path csv = tmp.resolve("img/labels.csv");
    Files.write(csv, rows, StandardCharsets.UTF_8);
    Cli.succeeded(cli("datasets", "create", "tones"));
    Cli.succeeded(cli("datasets", "import", "tones", csv.toString()));
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  /** A 32x32 image of one gray level with a few darker pixels, distinct per seed. */
  private static byte[] shade(int level, int seed) throws IOException {
    BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
    Random r = new Random(seed);
    for (int x = 0; x < 32; x++) {
      for (int y = 0; y < 32; y++) {
        int v = Math.max(0, Math.min(255, level + r.nextInt(21) - 10));
        img.setRGB(x, y, v << 16 | v << 8 | v);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return out.toByteArray();
  }

  private static Cli.Result cli(String... args) {
    List<String> all = new ArrayList<>(List.of("--target", server.target()));
    all.addAll(List.of(args));
    return Cli.run(all.toArray(String[]::new));
  }

  @Test
  @Order(1)
  void train_waitsThenPrintsTheModelAndItsEvaluation() {
    Cli.Result r = Cli.succeeded(cli("models", "train", "--dataset", "tones", "--model", "tones_v1",
        "--base-model", "scratch_cnn", "--max-epochs", "8"));
    assertThat(r.out()).contains("models/tones_v1").contains("TRAINED").contains("dark, light")
        .contains("AuPRC").contains("precision at 0.50").contains("recall at 0.50")
        .contains("nimbus models evaluate tones_v1");
  }

  @Test
  @Order(2)
  void listGetEvaluate_showWhatAutoMlShows() throws Exception {
    assertThat(Cli.succeeded(cli("models", "list")).out()).contains("models/tones_v1").contains("datasets/tones")
        .contains("scratch_cnn");
    assertThat(Cli.succeeded(cli("models", "get", "tones_v1")).out()).contains("threshold max_f1");
    Cli.Result eval = Cli.succeeded(cli("models", "evaluate", "models/tones_v1", "--threshold", "0.7"));
    assertThat(eval.out()).contains("Evaluation of models/tones_v1 on 4 TEST images")
        .contains("Confusion matrix").contains("TRUE \\ PREDICTED").contains("precision at 0.70")
        .contains("Precision and recall by score threshold").contains("0.95").contains("0.99");

    Cli.Result json = Cli.succeeded(cli("--format", "json", "models", "evaluate", "tones_v1"));
    ListModelEvaluationsResponse.Builder parsed = ListModelEvaluationsResponse.newBuilder();
    Json.parser().merge(json.out(), parsed);
    assertThat(parsed.getModelEvaluationsList()).hasSize(3);
    assertThat(json.out()).contains("\"au_prc\"").contains("\"confusion_matrix\"").contains("\"confidence_metrics\"");

    Model.Builder model = Model.newBuilder();
    Json.parser().merge(Cli.succeeded(cli("--format", "json", "models", "get", "tones_v1")).out(), model);
    assertThat(model.getTrainingState()).isEqualTo(Model.TrainingState.TRAINED);
  }

  @Test
  @Order(2)
  void report_writesThePageWithTheEvaluationsNumbers() throws Exception {
    Path dir = tmp.resolve("report");
    Cli.Result r = Cli.succeeded(cli("models", "report", "tones_v1", "--out", dir.toString()));
    assertThat(r.out()).contains("Wrote the evaluation report of models/tones_v1").contains("index.html");
    String html = Files.readString(dir.resolve("index.html"));
    ModelEvaluation overall;
    try (NimbusClient client = NimbusClient.builder().target(server.target())
        .plaintext().build()) {
      overall = client.models().getEvaluation("models/tones_v1/modelEvaluations/overall");
    }
    assertThat(html).contains("models/tones_v1").contains("datasets/tones")
        .contains(String.format(Locale.ROOT, "%.3f", overall.getClassificationEvaluationMetrics().getAuPrc()))
        .contains("charts/precision-recall.png").contains("charts/confusion-matrix.png")
        .contains("charts/training-loss.png").contains("charts/label-counts.png");
    try (var charts = Files.list(dir.resolve("charts"))) {
      assertThat(charts.count()).isEqualTo(6);
    }

    Cli.Result missing = cli("models", "report", "nope", "--out", dir.toString());
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err()).contains("NOT_FOUND");
    Cli.Result negative = cli("models", "report", "tones_v1", "--out", dir.toString(), "--misclassified", "-1");
    assertThat(negative.exitCode()).isEqualTo(2);
    Cli.Result noOut = cli("models", "report", "tones_v1");
    assertThat(noOut.exitCode()).isEqualTo(2);
    assertThat(noOut.err()).contains("--out");
  }

  @Test
  @Order(3)
  void deployPredictUndeploy() throws Exception {
    assertThat(Cli.succeeded(cli("models", "deploy", "tones_v1", "--max-batch-size", "4")).out())
        .contains("Deployed models/tones_v1: AVAILABLE on cpu (batches up to 4)");
    Path dark = tmp.resolve("img/dark0.png");
    Cli.Result one = Cli.succeeded(cli("predict", "tones_v1", dark.toString(), "--threshold", "0"));
    assertThat(one.out()).contains(dark.toString()).contains("dark").contains("light");
    Cli.Result dir = Cli.succeeded(cli("predict", "models/tones_v1", tmp.resolve("img").toString(), "--top-k", "1"));
    assertThat(dir.out().lines().count()).as("header + 24 images").isEqualTo(25);
    Cli.Result json = Cli.succeeded(cli("--format", "json", "predict", "tones_v1", dark.toString()));
    assertThat(json.out()).startsWith("{\n  \"predictions\": [").contains("\"file\"").contains("\"labels\"");
    Cli.Result missing = cli("predict", "tones_v1", tmp.resolve("nope.png").toString());
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(Cli.succeeded(cli("models", "undeploy", "tones_v1")).out()).contains("Undeployed models/tones_v1: UNDEPLOYED");
    Cli.Result notDeployed = cli("predict", "tones_v1", dark.toString());
    assertThat(notDeployed.exitCode()).isEqualTo(1);
    assertThat(notDeployed.err()).contains("FAILED_PRECONDITION").contains("not deployed");
  }

  @Test
  @Order(4)
  void export_thenDelete() {
    Path out = tmp.resolve("exported.zip");
    assertThat(Cli.succeeded(cli("models", "export", "tones_v1", "--out", out.toString(), "--zip")).out())
        .contains("Exported models/tones_v1 to " + out);
    assertThat(out).isRegularFile();
    Cli.Result again = cli("models", "export", "tones_v1", "--out", out.toString(), "--zip");
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err()).contains("ALREADY_EXISTS");

    assertThat(Cli.succeeded(cli("models", "delete", "tones_v1")).out()).contains("Deleted models/tones_v1");
    Cli.Result gone = cli("models", "get", "tones_v1");
    assertThat(gone.exitCode()).isEqualTo(1);
    assertThat(gone.err()).contains("NOT_FOUND");
  }

  @Test
  @Order(5)
  void train_badInput_exitsWithOneLine() {
    Cli.Result unknown = cli("models", "train", "--dataset", "nope", "--model", "m");
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.err().strip()).contains("NOT_FOUND").contains("datasets/nope").doesNotContain("\n");
    Cli.Result base = cli("models", "train", "--dataset", "tones", "--model", "m", "--base-model", "vgg");
    assertThat(base.exitCode()).isEqualTo(1);
    assertThat(base.err()).contains("INVALID_ARGUMENT").contains("mobilenet_v2, scratch_cnn");
    Cli.Result usage = cli("models", "train", "--dataset", "tones");
    assertThat(usage.exitCode()).isEqualTo(2);
    assertThat(usage.err()).contains("--model");
  }

  @Test
  @Order(6)
  void ctrlCWhileWaiting_leavesTheOperationRunning_andSaysHowToFollowOrCancelIt() throws Exception {
    Cli.RecordingHooks hooks = new Cli.RecordingHooks();
    CliContext context = new CliContext(Map.of(), false,
        new PrintStream(OutputStream.nullOutputStream()), 120, hooks);
    CompletableFuture<Cli.Result> training = CompletableFuture.supplyAsync(
        () -> Cli.run(context, "--target", server.target(), "models", "train", "--dataset", "tones", "--model",
            "tones_ctrl_c", "--base-model", "scratch_cnn", "--max-epochs", "3"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (hooks.hooks.isEmpty() && !training.isDone() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(hooks.hooks).as("a hook is registered while the command waits").isNotEmpty();
    hooks.hooks.get(0).run(); // What the JVM runs on Ctrl-C.
    Cli.Result r = training.get(60, TimeUnit.SECONDS);
    assertThat(r.err()).containsPattern("Stopped waiting\\. operations/\\S+ keeps running on the server; follow it"
        + " with 'nimbus operations wait operations/\\S+', or stop it with 'nimbus operations cancel operations/");
    assertThat(hooks.hooks).as("the hook is gone once the command stops waiting").isEmpty();
    Cli.succeeded(cli("models", "delete", "tones_ctrl_c"));
  }
}
