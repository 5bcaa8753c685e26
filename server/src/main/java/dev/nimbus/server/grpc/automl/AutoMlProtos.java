package dev.nimbus.server.grpc.automl;

import com.google.cloud.automl.v1.ClassificationEvaluationMetrics;
import com.google.cloud.automl.v1.ClassificationType;
import com.google.cloud.automl.v1.Dataset;
import com.google.cloud.automl.v1.ImageClassificationDatasetMetadata;
import com.google.cloud.automl.v1.ImageClassificationModelMetadata;
import com.google.cloud.automl.v1.Model;
import com.google.cloud.automl.v1.ModelEvaluation;
import dev.nimbus.server.util.Protos;
import dev.nimbus.v1.ConfidenceMetricsEntry;
import dev.nimbus.v1.ConfusionMatrix;
import java.util.Map;

/**
 * Nimbus's resources as Cloud AutoML's messages. Budgets: one node hour is one hour of this server's wall clock,
 * so a milli node hour is 3.6 seconds ({@link #budgetSeconds}); AutoML's model types all train MobileNetV2's
 * features with a trained head here, and the type asked for is kept with the model and reported as given (a model
 * trained through the native API reports its base model, e.g. {@code scratch_cnn}).
 */
final class AutoMlProtos {
  /** Seconds of this server's wall clock per milli node hour. */
  static final double SECONDS_PER_MILLI_NODE_HOUR = 3.6;
  /** The native API's longest training budget, a week. */
  static final long MAX_BUDGET_SECONDS = 7 * 24 * 3600;
  /** Cloud AutoML's image classification model types, each to the base model it trains here. */
  static final Map<String, String> MODEL_TYPES = Map.of(
      "cloud", "mobilenet_v2",
      "mobile-low-latency-1", "mobilenet_v2",
      "mobile-versatile-1", "mobilenet_v2",
      "mobile-high-accuracy-1", "mobilenet_v2",
      "mobile-core-ml-low-latency-1", "mobilenet_v2",
      "mobile-core-ml-versatile-1", "mobilenet_v2",
      "mobile-core-ml-high-accuracy-1", "mobilenet_v2");

  private AutoMlProtos() {}

  static Dataset dataset(AutoMlNames.Location at, dev.nimbus.v1.Dataset d) {
    String id = d.getName().substring("datasets/".length());
    return Dataset.newBuilder()
        .setName(at.dataset(id))
        .setDisplayName(d.getDisplayName())
        .setDescription(d.getDescription())
        .setExampleCount((int) Math.min(Integer.MAX_VALUE, d.getExampleCount()))
        .setCreateTime(d.getCreateTime())
        .setEtag(d.getEtag())
        .putAllLabels(d.getUserLabelsMap())
        .setImageClassificationDatasetMetadata(ImageClassificationDatasetMetadata.newBuilder()
            .setClassificationType(d.getClassificationType() == dev.nimbus.v1.ClassificationType.MULTILABEL
                ? ClassificationType.MULTILABEL : ClassificationType.MULTICLASS))
        .build();
  }

  static long budgetSeconds(long milliNodeHours) {
    return (long) Math.ceil(milliNodeHours * SECONDS_PER_MILLI_NODE_HOUR);
  }

  static Model model(AutoMlNames.Location at, dev.nimbus.v1.Model m) {
    String id = m.getName().substring("models/".length());
    ImageClassificationModelMetadata.Builder meta = ImageClassificationModelMetadata.newBuilder()
        // A model trained through Nimbus's own API has no AutoML type: its base model says what was trained.
        .setModelType(m.getModelType().isEmpty() ? m.getBaseModel() : m.getModelType())
        .setTrainBudgetMilliNodeHours((long) Math.ceil(m.getTrainingParams().getTrainBudgetSeconds()
            / SECONDS_PER_MILLI_NODE_HOUR))
        // Measured after training: the exported model scoring decoded TEST images in serving's batch size.
        .setNodeQps(m.getTrainingSummary().getServingImagesPerSecond());
    if (!m.getTrainingParams().getInitialModel().isEmpty()) {
      meta.setBaseModelId(m.getTrainingParams().getInitialModel().substring("models/".length()));
    }
    if (m.getTrainingState() == dev.nimbus.v1.Model.TrainingState.TRAINED) {
      double seconds = Protos.duration(m.getTrainingSummary().getTrainingDuration()).toMillis() / 1000.0;
      meta.setTrainCostMilliNodeHours((long) Math.ceil(seconds / SECONDS_PER_MILLI_NODE_HOUR))
          .setStopReason(stopReason(m.getStopReason()));
    }
    boolean deployed = m.getDeploymentState() == dev.nimbus.v1.Model.DeploymentState.AVAILABLE;
    meta.setNodeCount(deployed ? 1 : 0);
    return Model.newBuilder()
        .setName(at.model(id))
        .setDisplayName(m.getDisplayName())
        .setDatasetId(m.getDataset().substring("datasets/".length()))
        .setCreateTime(m.getCreateTime())
        .setUpdateTime(m.getUpdateTime())
        .setDeploymentState(deployed ? Model.DeploymentState.DEPLOYED : Model.DeploymentState.UNDEPLOYED)
        .setEtag(Long.toHexString(m.getUpdateTime().getSeconds() * 1_000_000_000L + m.getUpdateTime().getNanos()))
        .putAllLabels(m.getUserLabelsMap())
        .setImageClassificationModelMetadata(meta)
        .build();
  }

  /** AutoML documents BUDGET_REACHED and MODEL_CONVERGED; the others say what happened here. */
  private static String stopReason(dev.nimbus.v1.Model.StopReason r) {
    return switch (r) {
      case BUDGET_REACHED -> "BUDGET_REACHED";
      case CONVERGED -> "MODEL_CONVERGED";
      case STOP_REASON_UNSPECIFIED, UNRECOGNIZED -> "";
      default -> r.name();
    };
  }

  /**
   * A native evaluation as AutoML's. The overall one has no annotation_spec_id; each label's has the label. The
   * threshold entries hold no limit on the number of predictions, so their position_threshold is the label count
   * (every label may be returned); the {@code *_at1} fields are the same entry's top-1 figures.
   */
  static ModelEvaluation evaluation(AutoMlNames.Location at, String modelId, dev.nimbus.v1.ModelEvaluation e,
      int labelCount) {
    String evaluationId = e.getName().substring(e.getName().lastIndexOf('/') + 1);
    dev.nimbus.v1.ClassificationEvaluationMetrics n = e.getClassificationEvaluationMetrics();
    ClassificationEvaluationMetrics.Builder m = ClassificationEvaluationMetrics.newBuilder()
        .setAuPrc(n.getAuPrc())
        .setAuRoc(n.getAuRoc())
        .setLogLoss(n.getLogLoss());
    for (ConfidenceMetricsEntry c : n.getConfidenceMetricsList()) {
      m.addConfidenceMetricsEntry(ClassificationEvaluationMetrics.ConfidenceMetricsEntry.newBuilder()
          .setConfidenceThreshold(c.getConfidenceThreshold())
          .setPositionThreshold(labelCount)
          .setRecall(c.getRecall())
          .setPrecision(c.getPrecision())
          .setFalsePositiveRate(c.getFalsePositiveRate())
          .setF1Score(c.getF1Score())
          .setRecallAt1(c.getRecallAt1())
          .setPrecisionAt1(c.getPrecisionAt1())
          .setFalsePositiveRateAt1(c.getFalsePositiveRateAt1())
          .setF1ScoreAt1(c.getF1ScoreAt1())
          .setTruePositiveCount(c.getTruePositiveCount())
          .setFalsePositiveCount(c.getFalsePositiveCount())
          .setFalseNegativeCount(c.getFalseNegativeCount())
          .setTrueNegativeCount(c.getTrueNegativeCount()));
    }
    if (n.hasConfusionMatrix()) {
      ConfusionMatrix cm = n.getConfusionMatrix();
      ClassificationEvaluationMetrics.ConfusionMatrix.Builder b = ClassificationEvaluationMetrics.ConfusionMatrix
          .newBuilder().addAllAnnotationSpecId(cm.getLabelsList()).addAllDisplayName(cm.getLabelsList());
      for (ConfusionMatrix.Row row : cm.getRowsList()) {
        ClassificationEvaluationMetrics.ConfusionMatrix.Row.Builder r =
            ClassificationEvaluationMetrics.ConfusionMatrix.Row.newBuilder();
        row.getExampleCountList().forEach(c -> r.addExampleCount((int) Math.min(Integer.MAX_VALUE, c)));
        b.addRow(r);
      }
      m.setConfusionMatrix(b);
      m.addAllAnnotationSpecId(cm.getLabelsList());
    }
    ModelEvaluation.Builder out = ModelEvaluation.newBuilder()
        .setName(at.model(modelId) + "/modelEvaluations/" + evaluationId)
        .setCreateTime(e.getCreateTime())
        .setEvaluatedExampleCount((int) Math.min(Integer.MAX_VALUE, e.getEvaluatedExampleCount()))
        .setClassificationEvaluationMetrics(m);
    if (!e.getLabel().isEmpty()) {
      out.setAnnotationSpecId(e.getLabel()).setDisplayName(e.getLabel());
    }
    return out.build();
  }
}
