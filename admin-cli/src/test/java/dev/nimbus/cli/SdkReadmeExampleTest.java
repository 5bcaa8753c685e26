package dev.nimbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.nimbus.cli.sample.CloudSampleWriter;
import dev.nimbus.client.NimbusClient;
import dev.nimbus.v1.ClassificationType;
import dev.nimbus.v1.ConfidenceMetricsEntry;
import dev.nimbus.v1.CreateModelRequest;
import dev.nimbus.v1.DatasetStats;
import dev.nimbus.v1.DeploymentConfig;
import dev.nimbus.v1.ImageInput;
import dev.nimbus.v1.ImportDataResponse;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.ModelEvaluation;
import dev.nimbus.v1.PredictParams;
import dev.nimbus.v1.PredictRequest;
import dev.nimbus.v1.PredictResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK's README example is this file's {@link #lab} method, word for word (checked below), and it runs here
 * against a real server: dataset, import with progress, train with progress, evaluate, deploy, predict, and the
 * same asynchronously.
 */
class SdkReadmeExampleTest {
  @TempDir
  Path tmp;

  // BEGIN README
  static void lab(String target, Path csv, Path photos, PrintStream out) throws IOException {
    try (NimbusClient nimbus = NimbusClient.builder().target(target).build()) {
      // 1. A dataset, and the import of a CSV the server reads from its own disk: [set,]uri,label.
      nimbus.datasets().create("clouds", ClassificationType.MULTICLASS);
      ImportDataResponse imported = nimbus.datasets().importCsv("clouds", csv)
          .onProgress(m -> out.printf("import %3.0f%% %s%n", m.getProgressPercent(), m.getStatusMessage()))
          .await();
      DatasetStats stats = nimbus.datasets().stats("clouds");
      out.printf("imported %d images, %d labels%n", imported.getImportedCount(), stats.getLabelsCount());

      // 2. Train (transfer learning from mobilenet_v2), following its progress.
      Model model = nimbus.models().create(CreateModelRequest.newBuilder()
              .setModelId("clouds_v1")
              .setModel(Model.newBuilder().setDataset("datasets/clouds").setBaseModel("mobilenet_v2"))
              .build())
          .onProgress(m -> out.printf("train %3.0f%% %s%n", m.getProgressPercent(), m.getStatusMessage()))
          .await();

      // 3. Evaluate: AuPRC, and precision and recall at the score threshold 0.5, as AutoML shows them.
      ModelEvaluation overall = nimbus.models().getEvaluation(model.getName() + "/modelEvaluations/overall");
      for (ConfidenceMetricsEntry c : overall.getClassificationEvaluationMetrics().getConfidenceMetricsList()) {
        if (Math.abs(c.getConfidenceThreshold() - 0.5f) < 1e-6) {
          out.printf("AuPRC %.3f, precision %.3f and recall %.3f at 0.5%n",
              overall.getClassificationEvaluationMetrics().getAuPrc(), c.getPrecision(), c.getRecall());
        }
      }

      // 4. Deploy (loads and warms up the model), then predict a photo: labels scoring >= 0.5, best first.
      nimbus.models().deploy(model.getName(), DeploymentConfig.getDefaultInstance()).await();
      List<Path> files;
      try (Stream<Path> listing = Files.list(photos)) {
        files = listing.sorted().toList();
      }
      PredictResponse one = nimbus.predictions().predict(PredictRequest.newBuilder()
          .setName(model.getName())
          .addImages(ImageInput.newBuilder().setImageBytes(ByteString.copyFrom(Files.readAllBytes(files.get(0)))))
          .setParams(PredictParams.newBuilder().setScoreThreshold(0.5f))
          .build());
      one.getPredictions(0).getLabelsList().forEach(l -> out.printf("%s: %s %.3f%n",
          files.get(0).getFileName(), l.getLabel(), l.getScore()));

      // 5. The same asynchronously: every photo in flight at once, no thread blocked; the server batches them.
      List<CompletableFuture<String>> answers = new ArrayList<>();
      for (Path file : files) {
        PredictRequest request = PredictRequest.newBuilder()
            .setName(model.getName())
            .addImages(ImageInput.newBuilder().setImageBytes(ByteString.copyFrom(Files.readAllBytes(file))))
            .setParams(PredictParams.newBuilder().setMaxPredictions(1))
            .build();
        answers.add(nimbus.predictions().predictAsync(request)
            .thenApply(r -> file.getFileName() + " -> " + r.getPredictions(0).getLabels(0).getLabel()));
      }
      CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).join();
      answers.forEach(a -> out.println(a.join()));
    }
  }
  // END README

  @Test
  void theReadmeExampleRunsAgainstARealServer() throws Exception {
    CloudSampleWriter.Written samples = CloudSampleWriter.write(tmp.resolve("clouds"), 12, 3, 5);
    try (TestServer server = TestServer.start(tmp.resolve("data"))) {
      ByteArrayOutputStream printed = new ByteArrayOutputStream();
      lab(server.target(), samples.csv(), samples.holdout(), new PrintStream(printed, true, StandardCharsets.UTF_8));
      String out = printed.toString(StandardCharsets.UTF_8);
      assertThat(out).contains("imported 36 images, 3 labels").contains("import 100%").contains("train ")
          .containsPattern("AuPRC \\d\\.\\d{3}, precision \\d\\.\\d{3} and recall \\d\\.\\d{3} at 0\\.5");
      assertThat(out.lines().filter(l -> l.matches("(cirrus|cumulus|cumulonimbus)-00\\d\\.jpg -> "
          + "(cirrus|cumulus|cumulonimbus)"))).hasSize(9);
    }
  }

  @Test
  void theSdkReadmeShowsThisExampleWordForWord() throws IOException {
    String source = Files.readString(Path.of("src/test/java/dev/nimbus/cli/SdkReadmeExampleTest.java"));
    String example = source.substring(source.indexOf("  // BEGIN README\n") + "  // BEGIN README\n".length(),
        source.indexOf("  // END README"));
    String readme = Files.readString(Path.of("../client-sdk/README.md"));
    assertThat(readme).as("client-sdk/README.md carries SdkReadmeExampleTest.lab, unindented by two")
        .contains(example.lines().map(l -> l.startsWith("  ") ? l.substring(2) : l)
            .reduce("", (a, b) -> a + b + "\n"));
  }
}
