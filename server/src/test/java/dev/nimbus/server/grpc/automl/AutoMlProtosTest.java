package dev.nimbus.server.grpc.automl;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.automl.v1.ClassificationEvaluationMetrics;
import com.google.cloud.automl.v1.ImageClassificationModelMetadata;
import com.google.cloud.automl.v1.Model;
import com.google.cloud.automl.v1.ModelEvaluation;
import com.google.protobuf.Duration;
import dev.nimbus.v1.ConfidenceMetricsEntry;
import dev.nimbus.v1.ConfusionMatrix;
import dev.nimbus.v1.TrainingParams;
import dev.nimbus.v1.TrainingSummary;
import org.junit.jupiter.api.Test;

/** Native resources as AutoML shows them: the mapped fields, each with the figure it is made from. */
class AutoMlProtosTest {
  private static final AutoMlNames.Location AT = new AutoMlNames.Location("p", "eu");

  @Test
  void model_mapsBudgetCostStopReasonSpeedAndType() {
    dev.nimbus.v1.Model trained = dev.nimbus.v1.Model.newBuilder().setName("models/shapes").setDisplayName("Shapes")
        .setDataset("datasets/ICN42").setBaseModel("scratch_cnn")
        .setTrainingParams(TrainingParams.newBuilder().setTrainBudgetSeconds(36).setInitialModel("models/old"))
        .setTrainingState(dev.nimbus.v1.Model.TrainingState.TRAINED)
        .setStopReason(dev.nimbus.v1.Model.StopReason.CONVERGED)
        .setDeploymentState(dev.nimbus.v1.Model.DeploymentState.LOADING)
        .setTrainingSummary(TrainingSummary.newBuilder().setTrainingDuration(Duration.newBuilder().setSeconds(7)
            .setNanos(300_000_000)).setServingImagesPerSecond(412.5))
        .putUserLabels("team", "vision")
        .build();
    Model m = AutoMlProtos.model(AT, trained);
    ImageClassificationModelMetadata meta = m.getImageClassificationModelMetadata();
    assertThat(m.getName()).isEqualTo("projects/p/locations/eu/models/shapes");
    assertThat(m.getDatasetId()).isEqualTo("ICN42");
    assertThat(m.getLabelsMap()).containsEntry("team", "vision");
    assertThat(meta.getTrainBudgetMilliNodeHours()).as("36 s at 3.6 s per milli node hour").isEqualTo(10);
    assertThat(meta.getTrainCostMilliNodeHours()).as("7.3 s, rounded up").isEqualTo(3);
    assertThat(meta.getStopReason()).isEqualTo("MODEL_CONVERGED");
    assertThat(meta.getNodeQps()).isEqualTo(412.5);
    assertThat(meta.getBaseModelId()).isEqualTo("old");
    assertThat(meta.getModelType()).as("a native model reports its base model").isEqualTo("scratch_cnn");
    assertThat(m.getDeploymentState()).as("loading is not yet deployed").isEqualTo(Model.DeploymentState.UNDEPLOYED);
    assertThat(meta.getNodeCount()).isZero();

    Model asked = AutoMlProtos.model(AT, trained.toBuilder().setModelType("mobile-versatile-1")
        .setStopReason(dev.nimbus.v1.Model.StopReason.MAX_EPOCHS_REACHED)
        .setDeploymentState(dev.nimbus.v1.Model.DeploymentState.AVAILABLE).build());
    assertThat(asked.getImageClassificationModelMetadata().getModelType()).isEqualTo("mobile-versatile-1");
    assertThat(asked.getImageClassificationModelMetadata().getStopReason()).isEqualTo("MAX_EPOCHS_REACHED");
    assertThat(asked.getDeploymentState()).isEqualTo(Model.DeploymentState.DEPLOYED);
    assertThat(asked.getImageClassificationModelMetadata().getNodeCount()).isEqualTo(1);
  }

  @Test
  void evaluation_keepsEveryFigure_andTheWholeConfusionMatrix() {
    ConfusionMatrix.Builder cm = ConfusionMatrix.newBuilder();
    for (int i = 0; i < 12; i++) {
      cm.addLabels("l" + i);
      ConfusionMatrix.Row.Builder row = ConfusionMatrix.Row.newBuilder();
      for (int j = 0; j < 12; j++) {
        row.addExampleCount(i == j ? 5 : 0);
      }
      cm.addRows(row);
    }
    dev.nimbus.v1.ModelEvaluation e = dev.nimbus.v1.ModelEvaluation.newBuilder()
        .setName("models/m/modelEvaluations/overall").setEvaluatedExampleCount(60)
        .setClassificationEvaluationMetrics(dev.nimbus.v1.ClassificationEvaluationMetrics.newBuilder()
            .setAuPrc(0.9f).setAuRoc(0.95f).setLogLoss(0.3f).setConfusionMatrix(cm)
            .addConfidenceMetrics(ConfidenceMetricsEntry.newBuilder().setConfidenceThreshold(0.5f).setPrecision(0.8f)
                .setRecall(0.7f).setF1Score(0.75f).setFalsePositiveRate(0.02f).setPrecisionAt1(0.85f)
                .setRecallAt1(0.85f).setF1ScoreAt1(0.85f).setFalsePositiveRateAt1(0.01f).setTruePositiveCount(42)
                .setFalsePositiveCount(10).setFalseNegativeCount(18).setTrueNegativeCount(590)))
        .build();
    ModelEvaluation a = AutoMlProtos.evaluation(AT, "m", e, 12);
    assertThat(a.getName()).isEqualTo("projects/p/locations/eu/models/m/modelEvaluations/overall");
    assertThat(a.getAnnotationSpecId()).isEmpty();
    ClassificationEvaluationMetrics m = a.getClassificationEvaluationMetrics();
    assertThat(m.getAuPrc()).isEqualTo(0.9f);
    assertThat(m.getAuRoc()).isEqualTo(0.95f);
    assertThat(m.getLogLoss()).isEqualTo(0.3f);
    ClassificationEvaluationMetrics.ConfidenceMetricsEntry c = m.getConfidenceMetricsEntry(0);
    assertThat(c.getPositionThreshold()).isEqualTo(12);
    assertThat(c.getPrecisionAt1()).isEqualTo(0.85f);
    assertThat(c.getFalsePositiveRateAt1()).isEqualTo(0.01f);
    assertThat(c.getTrueNegativeCount()).isEqualTo(590);
    assertThat(m.getConfusionMatrix().getRowCount()).as("beyond AutoML's 10 labels").isEqualTo(12);
    assertThat(m.getConfusionMatrix().getRow(11).getExampleCount(11)).isEqualTo(5);
    assertThat(m.getAnnotationSpecIdList()).hasSize(12);

    ModelEvaluation label = AutoMlProtos.evaluation(AT, "m", e.toBuilder()
        .setName("models/m/modelEvaluations/l3").setLabel("l3").build(), 12);
    assertThat(label.getAnnotationSpecId()).isEqualTo("l3");
    assertThat(label.getDisplayName()).isEqualTo("l3");
  }
}
