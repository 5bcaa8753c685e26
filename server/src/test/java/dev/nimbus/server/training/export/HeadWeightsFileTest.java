package dev.nimbus.server.training.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nimbus.server.training.graph.ClassifierHead;
import dev.nimbus.server.training.graph.DenseLayer;
import dev.nimbus.v1.ClassificationType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeadWeightsFileTest {
  @TempDir Path dir;

  private static ClassifierHead twoLayers() {
    float[] k1 = new float[3 * 2];
    float[] k2 = new float[2 * 4];
    for (int i = 0; i < k1.length; i++) {
      k1[i] = i * 0.5f - 1;
    }
    for (int i = 0; i < k2.length; i++) {
      k2[i] = -i * 0.25f;
    }
    return new ClassifierHead(List.of(new DenseLayer(3, 2, k1, new float[] {0.1f, Float.MIN_VALUE}),
        new DenseLayer(2, 4, k2, new float[] {1, 2, 3, 4})), ClassificationType.MULTILABEL);
  }

  @Test
  void writeThenRead_givesTheSameHeadBitForBit() throws IOException {
    ClassifierHead head = twoLayers();
    HeadWeightsFile.write(head, dir);

    ClassifierHead back = HeadWeightsFile.read(dir);
    assertThat(back.type()).isEqualTo(ClassificationType.MULTILABEL);
    assertThat(back.layers()).hasSize(2);
    for (int i = 0; i < 2; i++) {
      assertThat(Arrays.equals(back.layers().get(i).kernel(), head.layers().get(i).kernel())).isTrue();
      assertThat(Arrays.equals(back.layers().get(i).bias(), head.layers().get(i).bias())).isTrue();
    }
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).as("no temporary left").containsExactly(
          HeadWeightsFile.NAME);
    }
  }

  @Test
  void write_neverOverwrites() throws IOException {
    HeadWeightsFile.write(twoLayers(), dir);
    assertThatThrownBy(() -> HeadWeightsFile.write(twoLayers(), dir)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exists");
  }

  @Test
  void read_missingTruncatedOrForeign_isRefused() throws IOException {
    assertThatThrownBy(() -> HeadWeightsFile.read(dir)).isInstanceOf(NoSuchFileException.class);
    HeadWeightsFile.write(twoLayers(), dir);
    Path file = dir.resolve(HeadWeightsFile.NAME);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length - 3));
    assertThatThrownBy(() -> HeadWeightsFile.read(dir)).isInstanceOf(IOException.class).hasMessageContaining("truncated");
    Files.write(file, "not a head".getBytes());
    assertThatThrownBy(() -> HeadWeightsFile.read(dir)).isInstanceOf(IOException.class)
        .hasMessageContaining("not a head weights file");
  }
}
