package dev.nimbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nimbus.v1.ClassificationEvaluationMetrics;
import dev.nimbus.v1.ConfidenceMetricsEntry;
import dev.nimbus.v1.ConfusionMatrix;
import dev.nimbus.v1.EpochMetrics;
import dev.nimbus.v1.LabelCount;
import dev.nimbus.v1.MisclassifiedExample;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.ModelEvaluation;
import dev.nimbus.v1.OperatingPoint;
import dev.nimbus.v1.TrainingSummary;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evaluation report: the charts are real PNGs, the page carries the model's numbers and escapes what it
 * shows, and, rendered in headless Chromium, every image on it loads.
 */
class EvaluationReportTest {
  /** Set by .ci/run, which installs Chromium: there a missing browser is a failure, not a skip. */
  private static final boolean CHROMIUM_REQUIRED = "1".equals(System.getenv("NIMBUS_REQUIRE_CHROMIUM"));

  @TempDir
  Path tmp;

  @Test
  void writesChartsAndAPageWithTheModelsNumbers() throws IOException {
    Path page = EvaluationReport.write(data(), tmp.resolve("report"));
    assertThat(page).isEqualTo(tmp.resolve("report/index.html"));
    for (String chart : List.of("precision-recall", "threshold", "confusion-matrix", "training-loss",
        "training-accuracy", "label-counts")) {
      BufferedImage png = ImageIO.read(tmp.resolve("report/charts/" + chart + ".png").toFile());
      assertThat(png).as(chart).isNotNull();
      assertThat(png.getWidth()).isEqualTo(640);
      assertThat(distinctColours(png)).as(chart + " draws something").isGreaterThan(20);
    }
    String html = Files.readString(page, StandardCharsets.UTF_8);
    assertThat(html).contains("models/clouds_v1").contains("0.987").contains("0.875").contains("0.910")
        .contains("max_f1").contains("true: cumulus; predicted: cirrus (0.800)")
        .contains("misclassified/001.jpg").contains("misclassified/002.png")
        .doesNotContain("<script").contains("&lt;b&gt;bold&lt;/b&gt;")
        .doesNotContain("src=\"http");
    assertThat(ImageIO.read(tmp.resolve("report/misclassified/002.png").toFile()))
        .as("the TIFF, turned into a PNG a browser shows").isNotNull();
    assertThat(html).as("an image that cannot be read still gets its caption")
        .contains("true: cirrus; predicted: cumulonimbus");
  }

  @Test
  void aModelWithNoMistakesAndNoCurveStillGetsAPage() throws IOException {
    EvaluationReport.Data d = data();
    Model bare = d.model().toBuilder().clearTrainingSummary().clearOperatingPoints().build();
    Path page = EvaluationReport.write(new EvaluationReport.Data(bare, d.overall(), d.perLabel(), List.of()),
        tmp.resolve("bare"));
    String html = Files.readString(page, StandardCharsets.UTF_8);
    assertThat(html).contains("None: every TEST image").doesNotContain("training-loss.png");
    assertThat(tmp.resolve("bare/charts/training-loss.png")).doesNotExist();
  }

  @Test
  void inHeadlessChromium_everyImageLoadsAndTheNumbersShow() throws Exception {
    Path chromium = Stream.of("/usr/bin/chromium", "/usr/bin/chromium-browser")
        .map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
    if (CHROMIUM_REQUIRED) {
      assertThat(chromium).as("Chromium (apt-get install chromium) is needed for this test").isNotNull();
    }
    assumeTrue(chromium != null, "Chromium is not installed");
    Path dir = tmp.resolve("report");
    Path page = EvaluationReport.write(data(), dir);
    // A copy of the page with a probe that reports, in the title, how many images loaded and whether the text
    // a person reads carries the numbers.
    String probe = "<script>window.addEventListener('load',()=>{const imgs=[...document.images];"
        + "const broken=imgs.filter(i=>!(i.complete&&i.naturalWidth>0)).map(i=>i.getAttribute('src'));"
        + "const text=document.body.innerText;"
        + "document.title='PROBE images='+imgs.length+' broken='+broken.length+' ['+broken.join(' ')+']'"
        + "+' auprc='+text.includes('0.987')+' confusion='+text.includes('cumulonimbus');});</script>";
    Path probed = dir.resolve("probe.html");
    Files.writeString(probed, Files.readString(page).replace("</body>", probe + "</body>"));
    List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox",
        "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--user-data-dir=" + tmp.resolve("chromium-profile"),
        "--virtual-time-budget=10000", "--dump-dom", probed.toUri().toString()));
    Process p = new ProcessBuilder(command).redirectError(tmp.resolve("chromium.err").toFile()).start();
    String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    Matcher m = Pattern.compile("<title>PROBE images=(\\d+) broken=(\\d+) \\[([^\\]]*)\\] auprc=(\\w+)"
        + " confusion=(\\w+)</title>").matcher(dom);
    assertThat(m.find()).as("the probe ran; chromium said: " + Files.readString(tmp.resolve("chromium.err"))).isTrue();
    assertThat(Integer.parseInt(m.group(1))).as("6 charts and 2 gallery images").isEqualTo(8);
    assertThat(m.group(2)).as("broken images: " + m.group(3)).isEqualTo("0");
    assertThat(m.group(4)).isEqualTo("true");
    assertThat(m.group(5)).isEqualTo("true");
  }

  private static EvaluationReport.Data data() throws IOException {
    List<String> labels = List.of("cirrus", "cumulonimbus", "cumulus");
    ClassificationEvaluationMetrics.Builder overall = ClassificationEvaluationMetrics.newBuilder()
        .setAuPrc(0.987f).setAuRoc(0.99f).setLogLoss(0.2f).setAccuracy(0.875f)
        .setConfusionMatrix(ConfusionMatrix.newBuilder().addAllLabels(labels)
            .addRows(ConfusionMatrix.Row.newBuilder().addExampleCount(7).addExampleCount(1).addExampleCount(0))
            .addRows(ConfusionMatrix.Row.newBuilder().addExampleCount(0).addExampleCount(8).addExampleCount(0))
            .addRows(ConfusionMatrix.Row.newBuilder().addExampleCount(1).addExampleCount(1).addExampleCount(6)));
    for (int i = 0; i <= 19; i++) {
      float t = i * 0.05f;
      overall.addConfidenceMetrics(ConfidenceMetricsEntry.newBuilder().setConfidenceThreshold(t)
          .setPrecision(0.33f + 0.6f * t).setRecall(1 - 0.4f * t * t));
    }
    overall.addMisclassified(MisclassifiedExample.newBuilder().setExample("datasets/clouds/examples/abc")
        .addTrueLabels("cumulus").addPredictedLabels("cirrus").setTopScore(0.8f));
    overall.addMisclassified(MisclassifiedExample.newBuilder().setExample("datasets/clouds/examples/def")
        .addTrueLabels("cirrus").addPredictedLabels("cumulonimbus").setTopScore(0.6f));
    overall.addMisclassified(MisclassifiedExample.newBuilder().setExample("datasets/clouds/examples/ghi")
        .addTrueLabels("cirrus").addPredictedLabels("cumulonimbus").setTopScore(0.55f));
    overall.addMisclassifiedExamples("datasets/clouds/examples/abc")
        .addMisclassifiedExamples("datasets/clouds/examples/def")
        .addMisclassifiedExamples("datasets/clouds/examples/ghi");
    ModelEvaluation all = ModelEvaluation.newBuilder().setName("models/clouds_v1/modelEvaluations/overall")
        .setEvaluatedExampleCount(24).setClassificationEvaluationMetrics(overall).build();
    List<ModelEvaluation> perLabel = new ArrayList<>();
    for (String label : labels) {
      perLabel.add(ModelEvaluation.newBuilder().setLabel(label).setEvaluatedExampleCount(8)
          .setClassificationEvaluationMetrics(ClassificationEvaluationMetrics.newBuilder().setAuPrc(0.95f)
              .addAllConfidenceMetrics(overall.getConfidenceMetricsList())).build());
    }
    TrainingSummary.Builder summary = TrainingSummary.newBuilder();
    for (int e = 1; e <= 12; e++) {
      summary.addCurve(EpochMetrics.newBuilder().setEpoch(e).setTrainLoss(1f / e).setValidationLoss(1.1f / e)
          .setValidationAccuracy(1 - 0.5f / e));
    }
    for (String label : labels) {
      summary.addLabelCounts(LabelCount.newBuilder().setLabel(label).setTrain(40).setValidation(5).setTest(8));
    }
    Model model = Model.newBuilder().setName("models/clouds_v1").setDataset("datasets/<b>bold</b>")
        .setBaseModel("mobilenet_v2").addAllLabels(labels).setTrainExampleCount(120).setTrainingSummary(summary)
        .addOperatingPoints(OperatingPoint.newBuilder().setName("max_f1").setScoreThreshold(0.45f)
            .setPrecision(0.91f).setRecall(0.9f).setF1Score(0.905f))
        .build();
    List<EvaluationReport.GalleryImage> gallery = List.of(
        new EvaluationReport.GalleryImage(overall.getMisclassified(0), encode("jpeg"), "image/jpeg"),
        new EvaluationReport.GalleryImage(overall.getMisclassified(1), encode("tiff"), "image/tiff"),
        new EvaluationReport.GalleryImage(overall.getMisclassified(2), null, ""));
    return new EvaluationReport.Data(model, all, perLabel, gallery);
  }

  private static byte[] encode(String format) throws IOException {
    BufferedImage img = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
    for (int x = 0; x < 64; x++) {
      for (int y = 0; y < 48; y++) {
        img.setRGB(x, y, (x * 4) << 16 | (y * 5) << 8 | 128);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(ImageIO.write(img, format, out)).as(format + " writer").isTrue();
    return out.toByteArray();
  }

  private static int distinctColours(BufferedImage img) {
    Set<Integer> colours = new HashSet<>();
    for (int x = 0; x < img.getWidth(); x += 3) {
      for (int y = 0; y < img.getHeight(); y += 3) {
        colours.add(img.getRGB(x, y));
      }
    }
    return colours.size();
  }
}
