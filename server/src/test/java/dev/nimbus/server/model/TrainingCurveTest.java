package dev.nimbus.server.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.nimbus.v1.CreateModelDetails;
import dev.nimbus.v1.CreateModelDetails.Stage;
import dev.nimbus.v1.EpochMetrics;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The curve so far in a training's metadata, for a watcher who comes late. */
class TrainingCurveTest {
  private static CreateModelDetails at(Stage stage, int epoch, float loss) {
    return CreateModelDetails.newBuilder().setStage(stage).setEpoch(epoch).setTrainLoss(loss)
        .setValidationAccuracy(0.5f).build();
  }

  @Test
  void eachEpochIsOnePoint_withItsLatestValues() {
    CreateModelDetails d = CreateModelHandler.withCurve(List.of(), at(Stage.PREPARING, 0, 0));
    assertThat(d.getCurveList()).isEmpty();
    d = CreateModelHandler.withCurve(d.getCurveList(), at(Stage.TRAINING, 1, 2.0f));
    d = CreateModelHandler.withCurve(d.getCurveList(), at(Stage.TRAINING, 1, 1.5f));
    d = CreateModelHandler.withCurve(d.getCurveList(), at(Stage.TRAINING, 2, 1.0f));
    d = CreateModelHandler.withCurve(d.getCurveList(), at(Stage.EVALUATING, 2, 1.0f));
    assertThat(d.getCurveList()).extracting(EpochMetrics::getEpoch, EpochMetrics::getTrainLoss)
        .containsExactly(tuple(1, 1.5f), tuple(2, 1.0f));
    assertThat(d.getCurve(1).getValidationAccuracy()).isEqualTo(0.5f);
  }
}
