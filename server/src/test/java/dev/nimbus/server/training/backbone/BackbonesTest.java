package dev.nimbus.server.training.backbone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nimbus.server.engine.TensorFlowRuntime;
import dev.nimbus.server.training.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackbonesTest {
  @TempDir Path tmp;

  @BeforeAll
  static void loadNatives() {
    TensorFlowRuntime.ensureLoaded(); // before any org.tensorflow class, or the JVM cannot load them any more
  }

  @Test
  void open_tfjsWithCuts() throws IOException {
    Path dir = Fixtures.syntheticModel().getParent();
    Backbone b = Backbones.open("tfjs:" + dir + "#gap,gmp");

    assertThat(b).isInstanceOf(TfjsBackbone.class);
    assertThat(((TfjsBackbone) b).cutLayers()).containsExactly("gap", "gmp");
    assertThat(b.featureDim()).isEqualTo(28);
  }

  @Test
  void open_savedModel() throws IOException {
    Path dir = SavedModelBackboneTest.exportFeatureExtractor(tmp.resolve("fx"));
    Backbone b = Backbones.open("saved_model:" + dir);

    assertThat(b).isInstanceOf(SavedModelBackbone.class);
    assertThat(b.featureDim()).isEqualTo(10);
  }

  @Test
  void open_rejectsUnknownKind() {
    assertThatThrownBy(() -> Backbones.open("onnx:/models/x.onnx"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown kind 'onnx'");
    assertThatThrownBy(() -> Backbones.open("/models/x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected: tfjs:");
  }
}
