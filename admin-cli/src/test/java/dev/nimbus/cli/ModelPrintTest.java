package dev.nimbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nimbus.v1.Model;
import dev.nimbus.v1.TrainingParams;
import dev.nimbus.v1.TrainingSummary;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** What {@code nimbus models get} prints about a warm start and the measured serving speed. */
class ModelPrintTest {
  private static String print(Model m) {
    StringWriter out = new StringWriter();
    try (PrintWriter w = new PrintWriter(out)) {
      ModelsCommand.printModel(w, m);
    }
    return out.toString();
  }

  @Test
  void printModel_showsTheInitialModelAndTheServingSpeed() {
    String text = print(Model.newBuilder().setName("models/b").setBaseModel("mobilenet_v2")
        .setTrainingParams(TrainingParams.newBuilder().setInitialModel("models/a"))
        .setTrainingSummary(TrainingSummary.newBuilder().setServingImagesPerSecond(263.4)).build());

    assertThat(text).containsPattern("started from: +models/a").containsPattern("serving speed: +263 images/s");
  }

  @Test
  void printModel_leavesOutWhatWasNotSetOrNotMeasured() {
    String text = print(Model.newBuilder().setName("models/b")
        .setTrainingSummary(TrainingSummary.newBuilder()).build());

    assertThat(text).doesNotContain("started from").doesNotContain("serving speed");
  }
}
