package dev.nimbus.server.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nimbus.server.training.graph.ClassifierHead;
import dev.nimbus.server.training.graph.DenseLayer;
import dev.nimbus.v1.ClassificationType;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link HeadTrainer#startFrom} and {@link InitialHead}: a new head starting from a trained one, by label name. */
class WarmStartHeadTest {
  private static final int DIM = 16;

  /** A one-layer head whose value at (row r, label l) is {@code 100 l + r} and whose bias is {@code -l}. */
  private static ClassifierHead numbered(int labels) {
    float[] kernel = new float[DIM * labels];
    float[] bias = new float[labels];
    for (int l = 0; l < labels; l++) {
      for (int r = 0; r < DIM; r++) {
        kernel[r * labels + l] = 100 * l + r;
      }
      bias[l] = -l;
    }
    return new ClassifierHead(List.of(new DenseLayer(DIM, labels, kernel, bias)), ClassificationType.MULTICLASS);
  }

  private static float[] column(DenseLayer layer, int label) {
    float[] out = new float[layer.inputs()];
    for (int r = 0; r < layer.inputs(); r++) {
      out[r] = layer.kernel()[r * layer.outputs() + label];
    }
    return out;
  }

  @Test
  void sourceColumns_matchesByName_minusOneForNewLabels() {
    InitialHead source = new InitialHead("models/a", numbered(3), List.of("cat", "dog", "fox"));

    assertThat(source.sourceColumns(List.of("ant", "dog", "cat", "fox"))).containsExactly(-1, 1, 0, 2);
  }

  @Test
  void startFrom_sharedLabelsKeepTheirColumns_newOnesGetTheFreshInitialisation() {
    ClassifierHead source = numbered(3); // cat, dog, fox
    int[] columns = new InitialHead("models/a", source, List.of("cat", "dog", "fox"))
        .sourceColumns(List.of("ant", "dog", "cat", "fox"));
    DenseLayer fresh;
    try (HeadTrainer t = new HeadTrainer(DIM, ClassificationType.MULTICLASS, 4, HeadOptions.defaults())) {
      fresh = t.head().layers().get(0);
    }
    try (HeadTrainer t = new HeadTrainer(DIM, ClassificationType.MULTICLASS, 4, HeadOptions.defaults())) {
      t.startFrom(source, columns);
      DenseLayer warm = t.head().layers().get(0);

      assertThat(column(warm, 0)).as("ant is new: seeded Glorot as without a source").containsExactly(column(fresh, 0));
      assertThat(warm.bias()[0]).isZero();
      assertThat(column(warm, 1)).containsExactly(column(source.layers().get(0), 1));
      assertThat(column(warm, 2)).containsExactly(column(source.layers().get(0), 0));
      assertThat(column(warm, 3)).containsExactly(column(source.layers().get(0), 2));
      assertThat(warm.bias()).containsExactly(0f, -1f, 0f, -2f);
    }
  }

  @Test
  void startFrom_beforeFit_firstEpochStartsFromTheTrainedHead() {
    int[] classes = HeadTrainerTest.roundRobin(300, 3);
    Embeddings train = HeadTrainerTest.clusters(classes, DIM, 3, 1.0, 1);
    Embeddings val = HeadTrainerTest.clusters(HeadTrainerTest.roundRobin(90, 3), DIM, 3, 1.0, 2);
    Labels trainLabels = Labels.multiclass(classes, 3);
    Labels valLabels = Labels.multiclass(HeadTrainerTest.roundRobin(90, 3), 3);
    ClassifierHead trained;
    double freshFirst;
    try (HeadTrainer t = new HeadTrainer(DIM, ClassificationType.MULTICLASS, 3, HeadOptions.defaults())) {
      TrainingResult r = t.fit(train, trainLabels, val, valLabels, TrainingLimits.of(30, Duration.ofMinutes(1)),
          TrainingListener.NONE);
      freshFirst = r.history().get(0).validation().loss();
      trained = t.head();
    }
    try (HeadTrainer t = new HeadTrainer(DIM, ClassificationType.MULTICLASS, 3, HeadOptions.defaults())) {
      t.startFrom(trained, new int[] {0, 1, 2});
      TrainingResult r = t.fit(train, trainLabels, val, valLabels, TrainingLimits.of(1, Duration.ofMinutes(1)),
          TrainingListener.NONE);

      assertThat(r.history().get(0).validation().loss()).isLessThan(freshFirst / 2);
    }
  }

  @Test
  void startFrom_anotherShape_isRefused() {
    try (HeadTrainer t = new HeadTrainer(DIM, ClassificationType.MULTICLASS, 2, HeadOptions.defaults())) {
      ClassifierHead wide = new ClassifierHead(List.of(new DenseLayer(DIM + 1, 2, new float[(DIM + 1) * 2],
          new float[2])), ClassificationType.MULTICLASS);
      assertThatThrownBy(() -> t.startFrom(wide, new int[] {0, 1})).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("17 features");
      assertThatThrownBy(() -> t.startFrom(numbered(2), new int[] {0})).hasMessageContaining("one per label");
      assertThatThrownBy(() -> t.startFrom(numbered(2), new int[] {0, 2})).hasMessageContaining("-1 or 0..1");
    }
  }
}
