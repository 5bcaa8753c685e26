package dev.nimbus.cli;

import dev.nimbus.client.NimbusClient;
import dev.nimbus.v1.ListModelEvaluationsRequest;
import dev.nimbus.v1.MisclassifiedExample;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.ModelEvaluation;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nimbus models report}: the evaluation as an HTML page with charts. */
@Command(name = "report",
    description = {"Write a model's evaluation as a self-contained HTML page with PNG charts: precision-recall"
        + " curves, precision and recall by score threshold with the operating points, the confusion matrix, the"
        + " training curve, label counts, and a gallery of misclassified TEST images.",
        "Open DIR/index.html in a browser; the folder needs nothing else (no scripts, no network)."},
    footerHeading = "%nExamples:%n",
    footer = {"  nimbus models report clouds_v1 --out ./clouds_v1-report",
        "  nimbus models report clouds_v1 --out /tmp/r --misclassified 50"})
final class ModelReport extends NimbusCommand.WithClient {
  @Parameters(paramLabel = "MODEL", description = ModelsCommand.MODEL_DESCRIPTION)
  String model;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write (created if"
      + " missing; files of an earlier report are replaced).")
  Path out;

  @Option(names = "--misclassified", paramLabel = "N", defaultValue = "24",
      description = "Show at most N misclassified TEST images (default: ${DEFAULT-VALUE}).")
  int misclassified;

  @Override
  protected int run(NimbusClient client) {
    if (misclassified < 0) {
      throw new UsageException("--misclassified " + misclassified + " (expected: >= 0)");
    }
    String id = ModelsCommand.modelId(model);
    Model m = client.models().get(id);
    List<ModelEvaluation> evaluations = client.models().listEvaluations(
        ListModelEvaluationsRequest.newBuilder().setParent("models/" + id).build()).stream().toList();
    if (evaluations.isEmpty()) {
      throw new CommandFailedException("model models/" + id + " has no evaluation yet (it is "
          + Text.name(m.getTrainingState()) + "); a report needs a trained model");
    }
    ModelEvaluation overall = evaluations.get(0);
    List<EvaluationReport.GalleryImage> gallery = new ArrayList<>();
    List<MisclassifiedExample> wrong = overall.getClassificationEvaluationMetrics().getMisclassifiedList();
    for (MisclassifiedExample e : wrong.subList(0, Math.min(misclassified, wrong.size()))) {
      gallery.add(read(client, e));
    }
    Path page;
    try {
      page = EvaluationReport.write(new EvaluationReport.Data(m, overall, evaluations.subList(1, evaluations.size()),
          gallery), out);
    } catch (IOException e) {
      throw new CommandFailedException("cannot write the report to " + out + ": " + e.getMessage());
    }
    if (json()) {
      out().println(Json.object(Map.of("report", page.toAbsolutePath().toString())));
    } else {
      out().println("Wrote the evaluation report of " + m.getName() + ": " + page.toAbsolutePath());
    }
    return OK;
  }

  /** The image of a misclassified example; an image deleted since the evaluation gets a caption only. */
  private EvaluationReport.GalleryImage read(NimbusClient client, MisclassifiedExample e) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      var info = client.datasets().readImage(e.getExample(), bytes);
      return new EvaluationReport.GalleryImage(e, bytes.toByteArray(), info.mimeType());
    } catch (StatusRuntimeException gone) {
      err().println("note: " + e.getExample() + " cannot be read (" + gone.getStatus().getCode() + "); shown without"
          + " its image");
      return new EvaluationReport.GalleryImage(e, null, "");
    } catch (UncheckedIOException impossible) {
      throw impossible;
    }
  }
}
