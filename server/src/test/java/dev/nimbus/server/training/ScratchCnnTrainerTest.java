package dev.nimbus.server.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nimbus.server.engine.TestImages;
import dev.nimbus.v1.ClassificationType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class ScratchCnnTrainerTest {

  private static final ScratchCnnOptions FAST = ScratchCnnOptions.defaults().withBatchSize(32);

  @Test
  void fit_separablePatterns_reachesHighValidationAccuracy() {
    TestImages.Set train = TestImages.patterns(600, 16, 1, 1);
    TestImages.Set val = TestImages.patterns(150, 16, 1, 2);
    try (ScratchCnnTrainer trainer = new ScratchCnnTrainer(16, 16, 1, ClassificationType.MULTICLASS, 3, FAST)) {
      Evaluation before = trainer.evaluate(val.images(), val.labels(3));

      TrainingResult result =
          trainer.fit(train.images(), train.labels(3), val.images(), val.labels(3),
              TrainingLimits.of(8, Duration.ofMinutes(2)), TrainingListener.NONE);

      Evaluation after = trainer.evaluate(val.images(), val.labels(3));
      assertThat(before.accuracy()).isLessThan(0.6);
      assertThat(after.accuracy()).isGreaterThanOrEqualTo(0.95);
      assertThat(after.loss()).isLessThan(before.loss());
      assertThat(result.stopReason()).isEqualTo(StopReason.MAX_EPOCHS);
      assertThat(result.bestValidation().accuracy()).isEqualTo(after.accuracy());
    }
  }

  @Test
  void fit_feedAndInGraphPlacement_bothLearn() {
    TestImages.Set train = TestImages.patterns(300, 16, 3, 3);
    TestImages.Set val = TestImages.patterns(90, 16, 3, 4);
    for (ScratchCnnOptions.DataPlacement placement : ScratchCnnOptions.DataPlacement.values()) {
      try (ScratchCnnTrainer trainer =
          new ScratchCnnTrainer(16, 16, 3, ClassificationType.MULTICLASS, 3, FAST.withDataPlacement(placement))) {
        trainer.fit(train.images(), train.labels(3), val.images(), val.labels(3),
            TrainingLimits.of(6, Duration.ofMinutes(2)), TrainingListener.NONE);

        assertThat(trainer.evaluate(val.images(), val.labels(3)).accuracy()).as(placement.name())
            .isGreaterThanOrEqualTo(0.9);
      }
    }
  }

  @Test
  void fit_withAugmentation_stillLearnsAndDoesNotChangeEvaluation() {
    TestImages.Set train = TestImages.patterns(600, 16, 1, 5);
    TestImages.Set val = TestImages.patterns(150, 16, 1, 6);
    try (ScratchCnnTrainer trainer =
        new ScratchCnnTrainer(16, 16, 1, ClassificationType.MULTICLASS, 3, FAST.withAugment(true))) {
      trainer.fit(train.images(), train.labels(3), val.images(), val.labels(3),
          TrainingLimits.of(8, Duration.ofMinutes(2)), TrainingListener.NONE);

      Evaluation first = trainer.evaluate(val.images(), val.labels(3));
      Evaluation second = trainer.evaluate(val.images(), val.labels(3));
      assertThat(first.accuracy()).isGreaterThanOrEqualTo(0.9);
      assertThat(second.loss()).as("no randomness at evaluation").isEqualTo(first.loss());
    }
  }

  @Test
  void fit_multilabel_learnsEachLabelIndependently() {
    // label 0: "has stripes" (classes 0 and 1), label 1: "vertical" (class 1)
    TestImages.Set train = TestImages.patterns(600, 16, 1, 7);
    TestImages.Set val = TestImages.patterns(150, 16, 1, 8);
    try (ScratchCnnTrainer trainer = new ScratchCnnTrainer(16, 16, 1, ClassificationType.MULTILABEL, 2, FAST)) {
      trainer.fit(train.images(), stripesLabels(train), val.images(), stripesLabels(val),
          TrainingLimits.of(8, Duration.ofMinutes(2)), TrainingListener.NONE);

      float[][] p = trainer.predict(val.images());
      int right = 0;
      for (int i = 0; i < p.length; i++) {
        int cls = val.classes()[i];
        right += ((p[i][0] > 0.5f) == (cls != 2) && (p[i][1] > 0.5f) == (cls == 1)) ? 1 : 0;
      }
      assertThat(right / (double) p.length).isGreaterThanOrEqualTo(0.9);
      assertThat(val.classes()[1]).isEqualTo(1);
      assertThat(p[1][0] + p[1][1]).as("both labels present: sigmoids, not a softmax").isGreaterThan(1.5f);
    }
  }

  private static Labels stripesLabels(TestImages.Set set) {
    boolean[][] hot = new boolean[set.classes().length][];
    for (int i = 0; i < hot.length; i++) {
      hot[i] = new boolean[] {set.classes()[i] != 2, set.classes()[i] == 1};
    }
    return Labels.multilabel(hot, 2);
  }

  @Test
  void fit_cancelled_returnsWithinAFewStepsWithStopReason() {
    TestImages.Set train = TestImages.patterns(3000, 16, 1, 9);
    AtomicInteger steps = new AtomicInteger();
    try (ScratchCnnTrainer trainer = new ScratchCnnTrainer(16, 16, 1, ClassificationType.MULTICLASS, 3, FAST)) {
      long start = System.nanoTime();
      TrainingResult result =
          trainer.fit(train.images(), train.labels(3), null, null,
              TrainingLimits.of(50, Duration.ofMinutes(2)).withCancel(() -> steps.get() >= 5),
              new TrainingListener() {
                @Override
                public void onStep(StepProgress p) {
                  steps.incrementAndGet();
                }
              });

      assertThat(result.stopReason()).isEqualTo(StopReason.CANCELLED);
      assertThat(steps.get()).isEqualTo(5);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void fit_timeBudget_stopsInTimeAndReportsIt() {
    TestImages.Set train = TestImages.patterns(3000, 16, 1, 10);
    TestImages.Set val = TestImages.patterns(300, 16, 1, 11);
    try (ScratchCnnTrainer trainer = new ScratchCnnTrainer(16, 16, 1, ClassificationType.MULTICLASS, 3, FAST)) {
      TrainingResult result =
          trainer.fit(train.images(), train.labels(3), val.images(), val.labels(3),
              TrainingLimits.of(1000, Duration.ofSeconds(3)), TrainingListener.NONE);

      assertThat(result.stopReason()).isEqualTo(StopReason.TIME_BUDGET);
      assertThat(result.elapsed()).isLessThan(Duration.ofMillis(3500));
      assertThat(result.history()).isNotEmpty();
    }
  }

  @Test
  void fit_listener_reportsStepsEpochsAndThroughput() {
    TestImages.Set train = TestImages.patterns(200, 16, 1, 12);
    TestImages.Set val = TestImages.patterns(60, 16, 1, 13);
    List<StepProgress> steps = new ArrayList<>();
    List<EpochProgress> epochs = new ArrayList<>();
    try (ScratchCnnTrainer trainer = new ScratchCnnTrainer(16, 16, 1, ClassificationType.MULTICLASS, 3, FAST)) {
      trainer.fit(train.images(), train.labels(3), val.images(), val.labels(3),
          TrainingLimits.of(2, Duration.ofMinutes(1)),
          new TrainingListener() {
            @Override
            public void onStep(StepProgress p) {
              steps.add(p);
            }

            @Override
            public void onEpoch(EpochProgress p) {
              epochs.add(p);
            }
          });
    }
    assertThat(steps).hasSize(2 * 7); // ceil(200 / 32) = 7 steps per epoch
    assertThat(steps).allSatisfy(s -> assertThat(s.trainLoss()).isPositive().isFinite());
    assertThat(epochs).hasSize(2);
    assertThat(epochs).allSatisfy(e -> {
      assertThat(e.validation().count()).isEqualTo(60);
      assertThat(e.trainImagesPerSecond()).isGreaterThanOrEqualTo(e.epochImagesPerSecond());
    });
  }

  @Test
  void fit_sameSeed_startsFromTheSameWeights() {
    try (ScratchCnnTrainer a = new ScratchCnnTrainer(16, 16, 1, ClassificationType.MULTICLASS, 3, FAST);
        ScratchCnnTrainer b = new ScratchCnnTrainer(16, 16, 1, ClassificationType.MULTICLASS, 3, FAST)) {
      assertThat(a.weights().hidden().kernel()).isEqualTo(b.weights().hidden().kernel());
    }
  }

  @Test
  void fit_imagesOfWrongSize_failsWithAClearMessage() {
    TestImages.Set wrong = TestImages.patterns(10, 20, 1, 14);
    try (ScratchCnnTrainer trainer = new ScratchCnnTrainer(16, 16, 1, ClassificationType.MULTICLASS, 3, FAST)) {
      assertThatThrownBy(() -> trainer.fit(wrong.images(), wrong.labels(3), null, null,
              TrainingLimits.of(1, Duration.ofMinutes(1)), TrainingListener.NONE))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("20x20x1 images (expected: 16x16x1)");
    }
  }

  @Test
  void predict_probabilitiesSumToOne() {
    TestImages.Set set = TestImages.patterns(20, 16, 3, 15);
    try (ScratchCnnTrainer trainer = new ScratchCnnTrainer(16, 16, 3, ClassificationType.MULTICLASS, 3, FAST)) {
      for (float[] row : trainer.predict(set.images())) {
        assertThat(row[0] + row[1] + row[2]).isCloseTo(1f, Offset.offset(1e-5f));
      }
    }
  }
}
