package dev.nimbus.server.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntToDoubleFunction;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class TrainingLoopTest {

  /** A model whose validation loss per epoch is scripted and whose "weights" are the epoch they came from. */
  private static class ScriptedModel implements TrainingLoop.Trainable<Integer> {
    final FakeClock clock;
    final IntToDoubleFunction validationLoss;
    final long stepNanos;
    int epoch;
    int stepsTaken;
    int weightsFromEpoch;
    int restoredTo = -1;
    final List<int[]> epochOrders = new ArrayList<>();
    double stepLoss = 1.0;

    ScriptedModel(FakeClock clock, long stepNanos, IntToDoubleFunction validationLoss) {
      this.clock = clock;
      this.stepNanos = stepNanos;
      this.validationLoss = validationLoss;
    }

    @Override
    public int exampleCount() {
      return 10;
    }

    @Override
    public int batchSize() {
      return 4;
    }

    @Override
    public int validationCount() {
      return 4;
    }

    @Override
    public TrainingLoop.StepResult step(int[] order, int from, int n) {
      if (from == 0) {
        epoch++;
        epochOrders.add(order.clone());
      }
      stepsTaken++;
      weightsFromEpoch = epoch;
      clock.advance(stepNanos);
      return new TrainingLoop.StepResult(stepLoss, stepNanos);
    }

    @Override
    public Evaluation validate(TrainingLimits limits) {
      return new Evaluation(validationLoss.applyAsDouble(epoch), 0.5, 4);
    }

    @Override
    public Integer snapshot() {
      return weightsFromEpoch;
    }

    @Override
    public void restore(Integer snapshot) {
      restoredTo = snapshot;
      weightsFromEpoch = snapshot;
    }
  }

  private static final class FakeClock {
    long now = 1_000;

    void advance(long nanos) {
      now += nanos;
    }
  }

  private static TrainingLimits limits(FakeClock clock, int epochs, Duration budget) {
    return TrainingLimits.of(epochs, budget).withClock(() -> clock.now);
  }

  @Test
  void run_maxEpochsReached_runsEveryEpochOverEveryExample() {
    FakeClock clock = new FakeClock();
    ScriptedModel model = new ScriptedModel(clock, 1_000_000, e -> 1.0 / e);

    TrainingResult result = TrainingLoop.run(model, limits(clock, 3, Duration.ofHours(1)), TrainingListener.NONE, 1);

    assertThat(result.stopReason()).isEqualTo(StopReason.MAX_EPOCHS);
    assertThat(result.epochs()).isEqualTo(3);
    assertThat(result.history()).extracting(EpochProgress::steps).containsExactly(3, 3, 3);
    assertThat(result.bestEpoch()).isEqualTo(3);
    assertThat(model.restoredTo).as("the last epoch was the best: nothing to restore").isEqualTo(-1);
  }

  @Test
  void run_eachEpoch_visitsExamplesInADifferentOrder() {
    FakeClock clock = new FakeClock();
    ScriptedModel model = new ScriptedModel(clock, 1, e -> 1.0 / e);

    TrainingLoop.run(model, limits(clock, 2, Duration.ofHours(1)), TrainingListener.NONE, 7);

    assertThat(model.epochOrders.get(0)).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertThat(model.epochOrders.get(0)).isNotEqualTo(model.epochOrders.get(1));
  }

  @Test
  void run_validationLossStopsImproving_stopsAfterPatienceAndKeepsBestEpoch() {
    FakeClock clock = new FakeClock();
    double[] losses = {0, 0.9, 0.5, 0.6, 0.7, 0.4};
    ScriptedModel model = new ScriptedModel(clock, 1, e -> losses[e]);

    TrainingResult result =
        TrainingLoop.run(model, limits(clock, 5, Duration.ofHours(1)).withPatience(2), TrainingListener.NONE, 1);

    assertThat(result.stopReason()).isEqualTo(StopReason.EARLY_STOPPING);
    assertThat(result.epochs()).isEqualTo(4);
    assertThat(result.bestEpoch()).isEqualTo(2);
    assertThat(result.bestValidation().loss()).isEqualTo(0.5);
    assertThat(model.weightsFromEpoch).as("weights after training are those of the best epoch").isEqualTo(2);
  }

  @Test
  void run_budgetRunsOut_stopsBeforeTheDeadlineAndValidatesThePartialEpoch() {
    FakeClock clock = new FakeClock();
    ScriptedModel model = new ScriptedModel(clock, Duration.ofSeconds(1).toNanos(), e -> 1.0 / e);

    // 3 steps per epoch at 1 s each; a 7.5 s budget leaves room for 2 full epochs and part of a third.
    TrainingResult result =
        TrainingLoop.run(model, limits(clock, 100, Duration.ofMillis(7_500)), TrainingListener.NONE, 1);

    assertThat(result.stopReason()).isEqualTo(StopReason.TIME_BUDGET);
    assertThat(result.elapsed()).isLessThanOrEqualTo(Duration.ofMillis(7_500));
    assertThat(result.history()).extracting(EpochProgress::steps).containsExactly(3, 3, 1);
  }

  @Test
  void run_cancelledMidEpoch_stopsWithinOneStepAndRestoresBestWeights() {
    FakeClock clock = new FakeClock();
    AtomicBoolean cancelled = new AtomicBoolean();
    ScriptedModel model = new ScriptedModel(clock, 1, e -> 1.0 / e) {
      @Override
      public TrainingLoop.StepResult step(int[] order, int from, int n) {
        TrainingLoop.StepResult r = super.step(order, from, n);
        if (stepsTaken == 4) {
          cancelled.set(true); // first step of epoch 2
        }
        return r;
      }
    };

    TrainingResult result =
        TrainingLoop.run(
            model, limits(clock, 10, Duration.ofHours(1)).withCancel(cancelled::get), TrainingListener.NONE, 1);

    assertThat(result.stopReason()).isEqualTo(StopReason.CANCELLED);
    assertThat(model.stepsTaken).isEqualTo(4);
    assertThat(result.epochs()).isEqualTo(1);
    assertThat(model.restoredTo).isEqualTo(1);
  }

  @Test
  void run_lossBecomesNaN_stopsAsDivergedWithLastGoodWeights() {
    FakeClock clock = new FakeClock();
    ScriptedModel model = new ScriptedModel(clock, 1, e -> 1.0 / e) {
      @Override
      public TrainingLoop.StepResult step(int[] order, int from, int n) {
        TrainingLoop.StepResult r = super.step(order, from, n);
        return epoch == 3 ? new TrainingLoop.StepResult(Double.NaN, 1) : r;
      }
    };

    TrainingResult result = TrainingLoop.run(model, limits(clock, 10, Duration.ofHours(1)), TrainingListener.NONE, 1);

    assertThat(result.stopReason()).isEqualTo(StopReason.DIVERGED);
    assertThat(result.epochs()).isEqualTo(2);
    assertThat(model.weightsFromEpoch).isEqualTo(2);
  }

  @Test
  void run_listener_seesEveryStepAndEpochWithThroughput() {
    FakeClock clock = new FakeClock();
    ScriptedModel model = new ScriptedModel(clock, Duration.ofMillis(10).toNanos(), e -> 1.0);
    List<StepProgress> steps = new ArrayList<>();
    List<EpochProgress> epochs = new ArrayList<>();

    TrainingLoop.run(
        model,
        limits(clock, 2, Duration.ofHours(1)),
        new TrainingListener() {
          @Override
          public void onStep(StepProgress p) {
            steps.add(p);
          }

          @Override
          public void onEpoch(EpochProgress p) {
            epochs.add(p);
          }
        },
        1);

    assertThat(steps).hasSize(6);
    assertThat(steps.get(0).stepsPerEpoch()).isEqualTo(3);
    assertThat(steps.get(0).imagesPerSecond()).isEqualTo(400.0); // 4 images in 10 ms
    assertThat(epochs).extracting(EpochProgress::epoch).containsExactly(1, 2);
    assertThat(epochs.get(0).trainImagesPerSecond()).isEqualTo(10 / 0.03, Offset.offset(1e-6));
  }
}
