package dev.nimbus.server.training;

import dev.nimbus.server.engine.ModelFormatException;
import dev.nimbus.server.training.backbone.Backbone;
import dev.nimbus.server.training.backbone.Backbones;
import dev.nimbus.server.training.backbone.TfjsBackbone;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;

/**
 * The base models a training can start from:
 * <ul>
 *   <li>{@code mobilenet_v2} (default): the pretrained ImageNet MobileNetV2 shipped in npm {@code nsfwjs@4.4.0},
 *       fetched at build time into the server jar, cut at {@code block_10_project_BN} (the last block whose
 *       ImageNet weights the package kept) and globally average-pooled;
 *   <li>{@code scratch_cnn}: a small CNN trained from scratch;
 *   <li>{@code saved_model:<folder>}: a TF-Hub-style image feature-vector SavedModel on the server;
 *   <li>{@code tfjs:<model.json or folder>[#layer,...]}: any TF.js / Keras layers model (a Teachable Machine export,
 *       say), cut at the given layers.
 * </ul>
 */
public final class BaseModels {
  public static final String MOBILENET_V2 = "mobilenet_v2";
  public static final String SCRATCH_CNN = "scratch_cnn";
  static final String RESOURCE = "/backbones/mobilenet_v2/";
  static final List<String> MOBILENET_FILES = List.of("model.json", "group1-shard1of1.bin");

  private final Path cacheDir;

  /** @param cacheDir where the shipped weights are unpacked on first use (in the data directory) */
  public BaseModels(Path cacheDir) {
    this.cacheDir = cacheDir;
  }

  /** Whether the build shipped the pretrained MobileNetV2 weights (it needs Node.js and npm). */
  public static boolean mobilenetAvailable() {
    return BaseModels.class.getResource(RESOURCE + "model.json") != null;
  }

  public static boolean isScratch(String baseModel) {
    return SCRATCH_CNN.equals(baseModel);
  }

  /**
   * Throws {@link BaseModelException}: INVALID for specs that name no base model (its message reads after the
   * quoted spec: "is not a base model (expected: ...)"), MISSING for a known one this build lacks.
   */
  public void check(String baseModel) {
    if (baseModel.equals(SCRATCH_CNN)) {
      return;
    }
    if (baseModel.equals(MOBILENET_V2)) {
      if (!mobilenetAvailable()) {
        throw new BaseModelException(BaseModelException.Kind.MISSING, mobilenetMissing());
      }
      return;
    }
    if (baseModel.startsWith("saved_model:") || baseModel.startsWith("tfjs:")) {
      String path = baseModel.substring(baseModel.indexOf(':') + 1).replaceFirst("#.*$", "");
      Path p = Path.of(path);
      if (!p.isAbsolute()) {
        throw new BaseModelException(BaseModelException.Kind.INVALID, "needs an absolute path on the server");
      }
      if (!Files.exists(p)) {
        throw new BaseModelException(BaseModelException.Kind.INVALID, "names a path that does not exist on the"
            + " server");
      }
      return;
    }
    throw new BaseModelException(BaseModelException.Kind.INVALID, "is not a base model (expected: mobilenet_v2,"
        + " scratch_cnn, saved_model:<folder> or tfjs:<model.json>[#layer,...])");
  }

  /**
   * Opens the backbone of a transfer-learning base model; {@code cutLayer} overrides the mobilenet_v2 cut (several
   * layers, comma-separated, concatenate their pooled features).
   */
  public Backbone backbone(String baseModel, String cutLayer) throws IOException {
    check(baseModel);
    try {
      if (baseModel.equals(MOBILENET_V2)) {
        Path modelJson = unpackMobilenet();
        List<String> cuts = cutLayer == null || cutLayer.isBlank() ? List.of(TfjsBackbone.DEFAULT_CUT)
            : Arrays.stream(cutLayer.split(",")).map(String::strip).filter(c -> !c.isEmpty()).toList();
        return TfjsBackbone.load(modelJson, cuts);
      }
      return Backbones.open(baseModel);
    } catch (IllegalArgumentException | ModelFormatException e) {
      throw new BaseModelException(BaseModelException.Kind.INVALID, "cannot be opened: " + e.getMessage());
    }
  }

  private synchronized Path unpackMobilenet() throws IOException {
    Path dir = cacheDir.resolve(MOBILENET_V2);
    Files.createDirectories(dir);
    for (String f : MOBILENET_FILES) {
      Path target = dir.resolve(f);
      if (Files.isRegularFile(target) && Files.size(target) > 0) {
        continue;
      }
      try (InputStream in = BaseModels.class.getResourceAsStream(RESOURCE + f)) {
        if (in == null) {
          throw new BaseModelException(BaseModelException.Kind.MISSING, mobilenetMissing());
        }
        Path temp = dir.resolve(f + ".tmp");
        Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return dir.resolve("model.json");
  }

  private static String mobilenetMissing() {
    return "the pretrained mobilenet_v2 weights are not in this build of Nimbus: they come from the npm package"
        + " nsfwjs@4.4.0, fetched when the server is built, and Node.js/npm were missing then. Install Node.js 20+"
        + " and npm (apt-get install nodejs npm) and rebuild (mvn package), or train with base model scratch_cnn";
  }
}
