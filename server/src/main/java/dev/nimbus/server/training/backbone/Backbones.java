package dev.nimbus.server.training.backbone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Opens a backbone from a base-model spec:
 *
 * <ul>
 *   <li>{@code tfjs:<model.json or its folder>} cut at {@link TfjsBackbone#DEFAULT_CUT};
 *   <li>{@code tfjs:<model.json or its folder>#<layer>[,<layer>...]} cut at those layers, pooled features
 *       concatenated in that order;
 *   <li>{@code saved_model:<folder>} a TF-Hub-style image feature-vector SavedModel.
 * </ul>
 */
public final class Backbones {
  private Backbones() {}

  public static Backbone open(String spec) throws IOException {
    int colon = spec.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException(
          "base model: '" + spec + "' (expected: tfjs:<model.json>[#layer,...] or saved_model:<folder>)");
    }
    String kind = spec.substring(0, colon);
    String rest = spec.substring(colon + 1);
    switch (kind) {
      case "tfjs": {
        int hash = rest.lastIndexOf('#');
        Path path = Path.of(hash < 0 ? rest : rest.substring(0, hash));
        if (Files.isDirectory(path)) {
          path = path.resolve("model.json");
        }
        List<String> cuts = hash < 0
            ? List.of(TfjsBackbone.DEFAULT_CUT)
            : Arrays.stream(rest.substring(hash + 1).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (cuts.isEmpty()) {
          throw new IllegalArgumentException("base model: '" + spec + "' names no layer after '#'");
        }
        return TfjsBackbone.load(path, cuts);
      }
      case "saved_model":
        return SavedModelBackbone.load(Path.of(rest));
      default:
        throw new IllegalArgumentException(
            "base model: '" + spec + "' has unknown kind '" + kind + "' (expected: tfjs or saved_model)");
    }
  }
}
