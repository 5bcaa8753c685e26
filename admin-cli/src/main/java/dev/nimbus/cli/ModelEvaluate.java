package dev.nimbus.cli;

import dev.nimbus.client.NimbusClient;
import dev.nimbus.v1.ClassificationEvaluationMetrics;
import dev.nimbus.v1.ConfidenceMetricsEntry;
import dev.nimbus.v1.ConfusedPair;
import dev.nimbus.v1.ConfusionMatrix;
import dev.nimbus.v1.ListModelEvaluationsRequest;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.ModelEvaluation;
import dev.nimbus.v1.OperatingPoint;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code nimbus models evaluate}: the model's evaluation on its dataset's TEST split, as AutoML's console shows it
 * (AuPRC, precision and recall at a score threshold, the confusion matrix), plus the threshold table, per-label
 * metrics, operating points, the most-confused pairs and the misclassified images.
 */
@Command(name = "evaluate",
    description = {"Show a model's evaluation on the TEST split: overall and per-label metrics, the confusion matrix,"
        + " precision and recall at every score threshold, operating points, misclassified images.",
        "--format json prints every evaluation (overall first, then one per label) in full."},
    footerHeading = "%nExamples:%n",
    footer = {"  nimbus models evaluate clouds_v1", "  nimbus models evaluate clouds_v1 --threshold 0.8",
        "  nimbus models evaluate clouds_v1 --format json"})
final class ModelEvaluate extends NimbusCommand.WithClient {
  @Parameters(paramLabel = "MODEL", description = ModelsCommand.MODEL_DESCRIPTION)
  String model;

  @Option(names = "--threshold", paramLabel = "T", defaultValue = "0.5",
      description = "The score threshold for the precision and recall summary (default: ${DEFAULT-VALUE}).")
  float threshold;

  @Option(names = "--misclassified", paramLabel = "N", defaultValue = "10",
      description = "List at most N misclassified TEST images (default: ${DEFAULT-VALUE}).")
  int misclassified;

  @Override
  protected int run(NimbusClient client) {
    if (threshold < 0 || threshold > 1) {
      throw new UsageException("--threshold " + threshold + " (expected: 0..1)");
    }
    String id = ModelsCommand.modelId(model);
    Model m = client.models().get(id);
    List<ModelEvaluation> evaluations = client.models().listEvaluations(
        ListModelEvaluationsRequest.newBuilder().setParent("models/" + id).build()).stream().toList();
    if (json()) {
      out().println(Json.list("model_evaluations", evaluations));
      return OK;
    }
    if (evaluations.isEmpty()) {
      throw new CommandFailedException("model models/" + id + " has no evaluation yet (it is "
          + Text.name(m.getTrainingState()) + ")");
    }
    PrintWriter out = out();
    ModelEvaluation overall = evaluations.get(0);
    out.println("Evaluation of " + m.getName() + " on " + overall.getEvaluatedExampleCount() + " TEST images of "
        + m.getDataset());
    out.println();
    printSummary(out, overall, threshold);
    out.println();
    Table perLabel = new Table("LABEL", "TEST IMAGES", "AUPRC", "AUROC", "PRECISION", "RECALL", "F1");
    for (ModelEvaluation e : evaluations.subList(1, evaluations.size())) {
      ConfidenceMetricsEntry at = at(e.getClassificationEvaluationMetrics(), threshold);
      ClassificationEvaluationMetrics x = e.getClassificationEvaluationMetrics();
      perLabel.row(e.getLabel(), e.getEvaluatedExampleCount(), f(x.getAuPrc()), f(x.getAuRoc()),
          at == null ? "" : f(at.getPrecision()), at == null ? "" : f(at.getRecall()),
          at == null ? "" : f(at.getF1Score()));
    }
    out.println("Per label, at threshold " + f(threshold) + ":");
    perLabel.print(out);
    out.println();
    printConfusion(out, overall.getClassificationEvaluationMetrics().getConfusionMatrix());
    out.println();
    out.println("Precision and recall by score threshold:");
    Table thresholds = new Table("THRESHOLD", "PRECISION", "RECALL", "F1", "FPR", "PRECISION@1", "RECALL@1", "TP", "FP",
        "FN", "TN");
    for (ConfidenceMetricsEntry c : overall.getClassificationEvaluationMetrics().getConfidenceMetricsList()) {
      thresholds.row(f2(c.getConfidenceThreshold()), f(c.getPrecision()), f(c.getRecall()), f(c.getF1Score()),
          f(c.getFalsePositiveRate()), f(c.getPrecisionAt1()), f(c.getRecallAt1()), c.getTruePositiveCount(),
          c.getFalsePositiveCount(), c.getFalseNegativeCount(), c.getTrueNegativeCount());
    }
    thresholds.print(out);
    if (m.getOperatingPointsCount() > 0) {
      out.println();
      out.println("Operating points (use them by name in Predict):");
      Table points = new Table("NAME", "THRESHOLD", "PRECISION", "RECALL", "F1");
      for (OperatingPoint p : m.getOperatingPointsList()) {
        points.row(p.getName(), f(p.getScoreThreshold()), f(p.getPrecision()), f(p.getRecall()), f(p.getF1Score()));
      }
      points.print(out);
    }
    ClassificationEvaluationMetrics metrics = overall.getClassificationEvaluationMetrics();
    if (metrics.getMostConfusedPairsCount() > 0) {
      out.println();
      out.println("Most confused:");
      Table pairs = new Table("TRUE LABEL", "PREDICTED AS", "IMAGES");
      for (ConfusedPair p : metrics.getMostConfusedPairsList()) {
        pairs.row(p.getTrueLabel(), p.getPredictedLabel(), p.getCount());
      }
      pairs.print(out);
    }
    if (metrics.getMisclassifiedExamplesCount() > 0 && misclassified > 0) {
      out.println();
      int shown = Math.min(misclassified, metrics.getMisclassifiedExamplesCount());
      out.println("Misclassified TEST images (" + shown + " of " + metrics.getMisclassifiedExamplesCount()
          + "; see one with: nimbus datasets image NAME --out FILE):");
      for (String name : metrics.getMisclassifiedExamplesList().subList(0, shown)) {
        out.println("  " + name);
      }
    }
    return OK;
  }

  /** AuPRC, AuROC, log loss, accuracy, and precision and recall at {@code threshold}: AutoML's headline. */
  static void printSummary(PrintWriter out, ModelEvaluation overall) {
    printSummary(out, overall, 0.5f);
  }

  static void printSummary(PrintWriter out, ModelEvaluation overall, float threshold) {
    ClassificationEvaluationMetrics m = overall.getClassificationEvaluationMetrics();
    ConfidenceMetricsEntry at = at(m, threshold);
    List<String[]> lines = new ArrayList<>();
    lines.add(new String[] {"test images", Long.toString(overall.getEvaluatedExampleCount())});
    lines.add(new String[] {"AuPRC", f(m.getAuPrc())});
    lines.add(new String[] {"AuROC", f(m.getAuRoc())});
    lines.add(new String[] {"log loss", f(m.getLogLoss())});
    lines.add(new String[] {"accuracy (top-1)", f(m.getAccuracy())});
    if (at != null) {
      lines.add(new String[] {"precision at " + f2(at.getConfidenceThreshold()), f(at.getPrecision())});
      lines.add(new String[] {"recall at " + f2(at.getConfidenceThreshold()), f(at.getRecall())});
    }
    Table.keyValues(out, lines);
  }

  /** The table's entry at the threshold closest to {@code t}. */
  static ConfidenceMetricsEntry at(ClassificationEvaluationMetrics m, float t) {
    ConfidenceMetricsEntry best = null;
    for (ConfidenceMetricsEntry c : m.getConfidenceMetricsList()) {
      if (best == null || Math.abs(c.getConfidenceThreshold() - t) < Math.abs(best.getConfidenceThreshold() - t)) {
        best = c;
      }
    }
    return best;
  }

  static void printConfusion(PrintWriter out, ConfusionMatrix cm) {
    if (cm.getLabelsCount() == 0) {
      return;
    }
    out.println("Confusion matrix (rows: true label, columns: predicted):");
    String[] headers = new String[cm.getLabelsCount() + 1];
    headers[0] = "TRUE \\ PREDICTED";
    for (int i = 0; i < cm.getLabelsCount(); i++) {
      headers[i + 1] = cm.getLabels(i);
    }
    Table t = new Table(headers);
    for (int i = 0; i < cm.getRowsCount(); i++) {
      Object[] cells = new Object[headers.length];
      cells[0] = cm.getLabels(i);
      for (int j = 0; j < cm.getRows(i).getExampleCountCount(); j++) {
        cells[j + 1] = cm.getRows(i).getExampleCount(j);
      }
      t.row(cells);
    }
    t.print(out);
  }

  static String f(float v) {
    return Float.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
  }

  static String f2(float v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
