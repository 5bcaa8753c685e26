package dev.nimbus.server.training.tfjs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.nimbus.server.engine.ModelFormatException;
import dev.nimbus.server.training.backbone.TfjsBackbone;
import dev.nimbus.server.training.testing.Fixtures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing, flattening, shape inference and weight decoding; none of it needs the TensorFlow natives. */
class TfjsModelTest {
  @TempDir Path tmp;

  @Test
  void read_flattensNestedSequentialAndFunctionalModels() throws IOException {
    TfjsModel m = TfjsModel.read(Fixtures.syntheticModel());
    KerasModel k = m.topology();

    assertThat(k.name()).isEqualTo("sequential_4");
    assertThat(k.inputLayer().key()).isEqualTo("image");
    assertThat(k.inputShape()).containsExactly(12, 12, 3);
    assertThat(k.outputs()).containsExactly("dense_Dense2");
    assertThat(k.layer("conv_a").scope()).isEqualTo("sequential_1/feature_net");
    assertThat(k.layer("dense_Dense1").inputs()).containsExactly("features");
    assertThat(k.layer("pad").inputs()).containsExactly("image");
  }

  @Test
  void shape_followsKerasRules() throws IOException {
    KerasModel k = TfjsModel.read(Fixtures.syntheticModel()).topology();

    assertThat(k.shape("pad")).containsExactly(13, 13, 3);
    assertThat(k.shape("conv_a")).containsExactly(6, 6, 8); // valid, stride 2
    assertThat(k.shape("dw")).containsExactly(6, 6, 16); // depth multiplier 2
    assertThat(k.shape("s2same")).containsExactly(3, 3, 4); // same, stride 2: ceil(6 / 2)
    assertThat(k.shape("pooled_cat")).containsExactly(3, 3, 12);
    assertThat(k.shape("reshape")).containsExactly(9, 12);
    assertThat(k.shape("flat")).containsExactly(108);
    assertThat(k.shape("features")).containsExactly(136);
    assertThat(k.shape("dense_Dense2")).containsExactly(3);
  }

  @Test
  void weights_decodeEveryStorageFormat() throws IOException {
    TfjsModel m = TfjsModel.read(Fixtures.syntheticModel());
    Path dir = Fixtures.syntheticModel().getParent();
    JsonObject json = JsonParser.parseString(Files.readString(Fixtures.syntheticModel())).getAsJsonObject();
    JsonObject bnBeta = json.getAsJsonArray("weightsManifest").get(0).getAsJsonObject()
        .getAsJsonArray("weights").get(2).getAsJsonObject();
    assertThat(bnBeta.get("name").getAsString()).isEqualTo("bn_a/beta");
    JsonObject q = bnBeta.getAsJsonObject("quantization");
    assertThat(q.get("dtype").getAsString()).isEqualTo("uint8");

    // bn_a/beta is the third weight of group 1: after conv_a/kernel (3*3*3*8 float32) and conv_a/bias (8 float16).
    byte[] shard = Files.readAllBytes(dir.resolve("group1-shard1of2.bin"));
    int offset = 3 * 3 * 3 * 8 * 4 + 8 * 2;
    float[] beta = m.weights().all().get("bn_a/beta").values();
    for (int i = 0; i < 8; i++) {
      int raw = Byte.toUnsignedInt(shard[offset + i]);
      assertThat(beta[i]).isEqualTo((float) (raw * q.get("scale").getAsDouble() + q.get("min").getAsDouble()));
    }
    float[] bias = m.weights().all().get("conv_a/bias").values();
    ByteBuffer halves = ByteBuffer.wrap(shard, 3 * 3 * 3 * 8 * 4, 16).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 8; i++) {
      assertThat(bias[i]).isEqualTo(TfjsWeights.halfToFloat(halves.getShort()));
    }
    assertThat(m.weights().all()).hasSize(22);
  }

  @Test
  void halfToFloat_decodesIeeeBinary16() {
    assertThat(TfjsWeights.halfToFloat((short) 0x3c00)).isEqualTo(1.0f);
    assertThat(TfjsWeights.halfToFloat((short) 0xc000)).isEqualTo(-2.0f);
    assertThat(TfjsWeights.halfToFloat((short) 0x7bff)).isEqualTo(65504f);
    assertThat(TfjsWeights.halfToFloat((short) 0x3555)).isEqualTo(0.33325195f);
    assertThat(TfjsWeights.halfToFloat((short) 0x0001)).isEqualTo(5.9604645e-8f);
    assertThat(TfjsWeights.halfToFloat((short) 0x8000)).isEqualTo(-0.0f);
    assertThat(TfjsWeights.halfToFloat((short) 0x7c00)).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(TfjsWeights.halfToFloat((short) 0x7e00)).isNaN();
  }

  @Test
  void unknownLayerType_failsNamingLayerAndType() throws IOException {
    Path json = copySynthetic();
    Files.writeString(json, Files.readString(json).replace("\"class_name\":\"Activation\"", "\"class_name\":\"Lambda\""));
    TfjsModel m = TfjsModel.read(json);

    assertThatThrownBy(() -> m.topology().shape("features"))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("'act_softmax'")
        .hasMessageContaining("unsupported type Lambda");
    // Layers that do not depend on it still work.
    assertThat(m.topology().shape("gmp")).containsExactly(16);
  }

  @Test
  void truncatedShard_failsWithSizes() throws IOException {
    Path json = copySynthetic();
    Path shard = json.resolveSibling("group2-shard1of1.bin");
    byte[] b = Files.readAllBytes(shard);
    Files.write(shard, Arrays.copyOf(b, b.length - 3));

    assertThatThrownBy(() -> TfjsModel.read(json))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("needs")
        .hasMessageContaining("bytes");
  }

  @Test
  void missingShard_failsNamingIt() throws IOException {
    Path json = copySynthetic();
    Files.delete(json.resolveSibling("group1-shard2of2.bin"));

    assertThatThrownBy(() -> TfjsModel.read(json))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("group1-shard2of2.bin does not exist");
  }

  @Test
  void unknownCutLayer_failsListingLayers() {
    assertThatThrownBy(() -> TfjsBackbone.load(Fixtures.syntheticModel(), "block_10_project_BN"))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("no layer named 'block_10_project_BN'")
        .hasMessageContaining("gmp");
  }

  @Test
  void backbone_idChangesWithCutAndWeights() throws IOException {
    Path json = copySynthetic();
    TfjsBackbone a = TfjsBackbone.load(json, "features");
    TfjsBackbone b = TfjsBackbone.load(json, "gap");
    TfjsBackbone c = TfjsBackbone.load(json, List.of("gap", "gmp"));
    TfjsBackbone a2 = TfjsBackbone.load(json, "features");
    Path shard = json.resolveSibling("group2-shard1of1.bin");
    byte[] bytes = Files.readAllBytes(shard);
    bytes[100] ^= 1;
    Files.write(shard, bytes);
    TfjsBackbone changed = TfjsBackbone.load(json, "features");

    assertThat(a.id()).isEqualTo(a2.id()).startsWith("tfjs:" + json.getParent().getFileName() + ":features:");
    assertThat(List.of(b.id(), c.id(), changed.id())).doesNotContain(a.id()).doesNotHaveDuplicates();
    assertThat(a.featureDim()).isEqualTo(136);
    assertThat(b.featureDim()).isEqualTo(12);
    assertThat(c.featureDim()).isEqualTo(12 + 16);
    assertThat(a.inputSize()).isEqualTo(12);
  }

  @Test
  void keras224SequentialWithoutInputLayer_takesShapeFromFirstLayer() {
    String topology = """
        {"keras_version": "2.2.4", "backend": "tensorflow", "model_config": {"class_name": "Sequential", "config": [
          {"class_name": "Conv2D", "config": {"name": "c", "filters": 4, "kernel_size": [3, 3], "strides": [2, 2],
            "padding": "same", "batch_input_shape": [null, 32, 32, 3], "use_bias": false}},
          {"class_name": "GlobalAveragePooling2D", "config": {"name": "g"}},
          {"class_name": "Dense", "config": {"name": "d", "units": 2}}]}}
        """;
    KerasModel k = KerasModel.parse(JsonParser.parseString(topology).getAsJsonObject());

    assertThat(k.inputLayer().key()).isEqualTo("c_input");
    assertThat(k.shape("c")).containsExactly(16, 16, 4);
    assertThat(k.shape("d")).containsExactly(2);
  }

  private Path copySynthetic() throws IOException {
    Path src = Fixtures.syntheticModel().getParent();
    try (var files = Files.list(src)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Files.copy(p, tmp.resolve(p.getFileName()));
      }
    }
    return tmp.resolve("model.json");
  }
}
