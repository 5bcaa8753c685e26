package dev.nimbus.server.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nimbus.v1.ClassificationType;
import java.time.Duration;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class HeadTrainerTest {

  /** Gaussian clusters around random centres: linearly separable when {@code spread} is small. */
  static Embeddings clusters(int[] classes, int dim, int labelCount, double spread, long seed) {
    Random centres = new Random(1234);
    float[][] centre = new float[labelCount][dim];
    for (float[] c : centre) {
      for (int d = 0; d < dim; d++) {
        c[d] = (float) centres.nextGaussian();
      }
    }
    Random random = new Random(seed);
    float[] values = new float[classes.length * dim];
    for (int i = 0; i < classes.length; i++) {
      for (int d = 0; d < dim; d++) {
        values[i * dim + d] = (float) (centre[classes[i]][d] + spread * random.nextGaussian());
      }
    }
    return new Embeddings(values, classes.length, dim);
  }

  static int[] roundRobin(int count, int labelCount) {
    int[] classes = new int[count];
    for (int i = 0; i < count; i++) {
      classes[i] = i % labelCount;
    }
    return classes;
  }

  @Test
  void fit_separableEmbeddings_reachesHighAccuracy() {
    int dim = 1280;
    int[] trainClasses = roundRobin(1000, 5);
    int[] valClasses = roundRobin(250, 5);
    Embeddings train = clusters(trainClasses, dim, 5, 1.5, 1);
    Embeddings val = clusters(valClasses, dim, 5, 1.5, 2);
    try (HeadTrainer trainer = new HeadTrainer(dim, ClassificationType.MULTICLASS, 5, HeadOptions.defaults())) {
      TrainingResult result = trainer.fit(train, Labels.multiclass(trainClasses, 5), val,
          Labels.multiclass(valClasses, 5), TrainingLimits.of(20, Duration.ofMinutes(1)).withPatience(3),
          TrainingListener.NONE);

      assertThat(result.bestValidation().accuracy()).isGreaterThanOrEqualTo(0.95);
      assertThat(trainer.evaluate(val, Labels.multiclass(valClasses, 5)).accuracy())
          .isEqualTo(result.bestValidation().accuracy());
    }
  }

  @Test
  void fit_rareClassWithBalancing_findsMoreOfTheRareClass() {
    int dim = 64;
    int[] trainClasses = new int[1030];
    for (int i = 1000; i < 1030; i++) {
      trainClasses[i] = 1; // 30 of 1030 examples
    }
    int[] testClasses = roundRobin(600, 2);
    Embeddings train = clusters(trainClasses, dim, 2, 4.0, 3); // overlapping clusters
    Embeddings test = clusters(testClasses, dim, 2, 4.0, 4);

    double plain = rareRecall(HeadOptions.defaults().withBalanceClasses(false), train, trainClasses, test, testClasses);
    double balanced = rareRecall(HeadOptions.defaults().withBalanceClasses(true), train, trainClasses, test, testClasses);

    assertThat(balanced).isGreaterThan(plain + 0.1);
  }

  private static double rareRecall(
      HeadOptions options, Embeddings train, int[] trainClasses, Embeddings test, int[] testClasses) {
    try (HeadTrainer trainer = new HeadTrainer(train.dim(), ClassificationType.MULTICLASS, 2, options)) {
      trainer.fit(train, Labels.multiclass(trainClasses, 2), null, null,
          TrainingLimits.of(10, Duration.ofMinutes(1)), TrainingListener.NONE);
      float[][] p = trainer.predict(test);
      int found = 0;
      int total = 0;
      for (int i = 0; i < p.length; i++) {
        if (testClasses[i] == 1) {
          total++;
          found += p[i][1] > p[i][0] ? 1 : 0;
        }
      }
      return found / (double) total;
    }
  }

  @Test
  void fit_xorLikeData_needsTheHiddenLayer() {
    int n = 2000;
    Random random = new Random(5);
    float[] values = new float[n * 2];
    int[] classes = new int[n];
    for (int i = 0; i < n; i++) {
      float a = (float) random.nextGaussian();
      float b = (float) random.nextGaussian();
      values[2 * i] = a;
      values[2 * i + 1] = b;
      classes[i] = a * b > 0 ? 1 : 0;
    }
    Embeddings all = new Embeddings(values, n, 2);
    Labels labels = Labels.multiclass(classes, 2);
    Embeddings train = all.range(0, 1500);
    Embeddings val = all.range(1500, n);

    double linear = xorAccuracy(HeadOptions.defaults().withL2(0f), train, labels, val);
    double hidden = xorAccuracy(HeadOptions.defaults().withL2(0f).withHiddenUnits(32), train, labels, val);

    assertThat(linear).isLessThan(0.7);
    assertThat(hidden).isGreaterThan(0.9);
  }

  private static double xorAccuracy(HeadOptions options, Embeddings train, Labels labels, Embeddings val) {
    try (HeadTrainer trainer = new HeadTrainer(2, ClassificationType.MULTICLASS, 2, options.withLearningRate(1e-2f))) {
      trainer.fit(train, labels.range(0, 1500), null, null,
          TrainingLimits.of(30, Duration.ofMinutes(1)), TrainingListener.NONE);
      return trainer.evaluate(val, labels.range(1500, 2000)).accuracy();
    }
  }

  @Test
  void fit_multilabel_predictsEachLabelOnItsOwn() {
    int n = 1200;
    int dim = 32;
    Random random = new Random(6);
    float[] values = new float[n * dim];
    boolean[][] hot = new boolean[n][];
    for (int i = 0; i < n; i++) {
      for (int d = 0; d < dim; d++) {
        values[i * dim + d] = (float) random.nextGaussian();
      }
      hot[i] = new boolean[] {values[i * dim] > 0, values[i * dim + 1] > 0.5f, false};
    }
    Embeddings all = new Embeddings(values, n, dim);
    Labels labels = Labels.multilabel(hot, 3);
    try (HeadTrainer trainer = new HeadTrainer(dim, ClassificationType.MULTILABEL, 3,
        HeadOptions.defaults().withLearningRate(1e-2f))) {
      trainer.fit(all.range(0, 1000), labels.range(0, 1000), all.range(1000, n), labels.range(1000, n),
          TrainingLimits.of(30, Duration.ofMinutes(1)), TrainingListener.NONE);

      assertThat(trainer.evaluate(all.range(1000, n), labels.range(1000, n)).accuracy()).isGreaterThan(0.93);
      float[][] p = trainer.predict(all.range(1000, n));
      for (float[] row : p) {
        assertThat(row[2]).as("never-present label").isLessThan(0.5f);
      }
    }
  }

  @Test
  void fit_noisyLabelsWithPatience_stopsEarlyAndKeepsTheBestEpoch() {
    int[] trainClasses = roundRobin(400, 4);
    int[] valClasses = roundRobin(200, 4);
    Random random = new Random(7);
    for (int i = 0; i < trainClasses.length; i++) {
      if (random.nextDouble() < 0.4) {
        trainClasses[i] = random.nextInt(4); // memorising these hurts validation loss
      }
    }
    Embeddings train = clusters(trainClasses, 256, 4, 3.0, 8);
    Embeddings val = clusters(valClasses, 256, 4, 3.0, 9);
    try (HeadTrainer trainer = new HeadTrainer(256, ClassificationType.MULTICLASS, 4,
        HeadOptions.defaults().withL2(0f).withHiddenUnits(256).withLearningRate(3e-3f))) {
      TrainingResult result = trainer.fit(train, Labels.multiclass(trainClasses, 4), val,
          Labels.multiclass(valClasses, 4), TrainingLimits.of(200, Duration.ofMinutes(1)).withPatience(3),
          TrainingListener.NONE);

      assertThat(result.stopReason()).isEqualTo(StopReason.EARLY_STOPPING);
      assertThat(result.epochs()).isEqualTo(result.bestEpoch() + 3);
      assertThat(trainer.evaluate(val, Labels.multiclass(valClasses, 4)).loss())
          .isCloseTo(result.bestValidation().loss(), Offset.offset(1e-4));
    }
  }
}
