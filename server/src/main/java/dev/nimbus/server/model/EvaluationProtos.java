package dev.nimbus.server.model;

import dev.nimbus.server.evaluation.ConfusedPair;
import dev.nimbus.server.evaluation.EvaluationResult;
import dev.nimbus.server.evaluation.LabelEvaluation;
import dev.nimbus.server.evaluation.Misclassified;
import dev.nimbus.server.evaluation.ThresholdMetrics;
import dev.nimbus.server.util.Protos;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.v1.ClassificationEvaluationMetrics;
import dev.nimbus.v1.ConfidenceMetricsEntry;
import dev.nimbus.v1.ConfusionMatrix;
import dev.nimbus.v1.MisclassifiedExample;
import dev.nimbus.v1.ModelEvaluation;
import dev.nimbus.v1.OperatingPoint;
import java.util.ArrayList;
import java.util.List;

/** Evaluation results as API messages: the overall evaluation first, then one per label, and the operating points. */
final class EvaluationProtos {
  static final String OVERALL = "overall";

  private EvaluationProtos() {}

  /**
   * @param exampleNames the resource name of each evaluated example, by example index
   */
  static List<ModelEvaluation> evaluations(String modelName, EvaluationResult r, List<String> exampleNames,
      long now) {
    List<ModelEvaluation> out = new ArrayList<>();
    ClassificationEvaluationMetrics.Builder overall = ClassificationEvaluationMetrics.newBuilder()
        .setAuPrc((float) r.auPrc())
        .setAuRoc((float) r.auRoc())
        .setLogLoss((float) r.logLoss())
        .setAccuracy((float) r.accuracy())
        .addAllConfidenceMetrics(table(r.thresholdMetrics()))
        .setConfusionMatrix(confusion(r.confusionMatrix()));
    for (ConfusedPair p : r.mostConfused()) {
      overall.addMostConfusedPairs(dev.nimbus.v1.ConfusedPair.newBuilder().setTrueLabel(p.trueLabel())
          .setPredictedLabel(p.predictedLabel()).setCount(p.count()));
    }
    for (Misclassified m : r.misclassified()) {
      overall.addMisclassifiedExamples(exampleNames.get(m.exampleIndex()));
      overall.addMisclassified(MisclassifiedExample.newBuilder()
          .setExample(exampleNames.get(m.exampleIndex())).addAllTrueLabels(m.trueLabels())
          .addAllPredictedLabels(m.predictedLabels()).setTopScore((float) m.topScore()));
    }
    out.add(ModelEvaluation.newBuilder()
        .setName(modelName + "/modelEvaluations/" + OVERALL)
        .setCreateTime(Protos.timestamp(now))
        .setEvaluatedExampleCount(r.evaluatedExampleCount())
        .setClassificationEvaluationMetrics(overall)
        .build());
    for (LabelEvaluation l : r.labelEvaluations()) {
      out.add(ModelEvaluation.newBuilder()
          .setName(modelName + "/modelEvaluations/" + l.labelName())
          .setLabel(l.labelName())
          .setCreateTime(Protos.timestamp(now))
          .setEvaluatedExampleCount(l.evaluatedExampleCount())
          .setClassificationEvaluationMetrics(ClassificationEvaluationMetrics.newBuilder()
              .setAuPrc((float) l.auPrc())
              .setAuRoc((float) l.auRoc())
              .setLogLoss((float) l.logLoss())
              .setAccuracy((float) l.accuracy())
              .addAllConfidenceMetrics(table(l.thresholdMetrics())))
          .build());
    }
    return out;
  }

  static List<OperatingPoint> operatingPoints(EvaluationResult r) {
    List<OperatingPoint> out = new ArrayList<>();
    for (dev.nimbus.server.evaluation.OperatingPoint p : r.operatingPoints()) {
      out.add(OperatingPoint.newBuilder().setName(p.name()).setScoreThreshold((float) p.threshold())
          .setPrecision((float) p.precision()).setRecall((float) p.recall()).setF1Score((float) p.f1()).build());
    }
    return out;
  }

  private static List<ConfidenceMetricsEntry> table(List<ThresholdMetrics> rows) {
    List<ConfidenceMetricsEntry> out = new ArrayList<>(rows.size());
    for (ThresholdMetrics t : rows) {
      out.add(ConfidenceMetricsEntry.newBuilder()
          .setConfidenceThreshold((float) t.threshold())
          .setPrecision((float) t.precision())
          .setRecall((float) t.recall())
          .setF1Score((float) t.f1())
          .setFalsePositiveRate((float) t.falsePositiveRate())
          .setPrecisionAt1((float) t.precisionAt1())
          .setRecallAt1((float) t.recallAt1())
          .setF1ScoreAt1((float) t.f1At1())
          .setFalsePositiveRateAt1((float) t.falsePositiveRateAt1())
          .setTruePositiveCount(t.truePositives())
          .setFalsePositiveCount(t.falsePositives())
          .setFalseNegativeCount(t.falseNegatives())
          .setTrueNegativeCount(t.trueNegatives())
          .build());
    }
    return out;
  }

  private static ConfusionMatrix confusion(dev.nimbus.server.evaluation.ConfusionMatrix cm) {
    ConfusionMatrix.Builder b = ConfusionMatrix.newBuilder().addAllLabels(cm.labels());
    for (int i = 0; i < cm.size(); i++) {
      ConfusionMatrix.Row.Builder row = ConfusionMatrix.Row.newBuilder();
      for (int j = 0; j < cm.size(); j++) {
        row.addExampleCount(cm.count(i, j));
      }
      b.addRows(row);
    }
    return b.build();
  }

  static String exampleName(String datasetId, String sha256) {
    return ResourceNames.example(datasetId, sha256);
  }
}
