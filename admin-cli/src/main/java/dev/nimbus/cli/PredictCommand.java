package dev.nimbus.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.protobuf.ByteString;
import dev.nimbus.client.NimbusClient;
import dev.nimbus.v1.ImageInput;
import dev.nimbus.v1.ImagePrediction;
import dev.nimbus.v1.LabelScore;
import dev.nimbus.v1.PredictParams;
import dev.nimbus.v1.PredictRequest;
import dev.nimbus.v1.PredictResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nimbus predict}: classify local image files with a deployed model. */
@Command(name = "predict",
    description = {"Classify image files with a deployed model: the labels scoring at or above the threshold, best"
        + " first.", "Folders are searched (recursively) for .jpg, .jpeg, .png, .gif, .bmp, .webp, .tif and .tiff."},
    footerHeading = "%nExamples:%n",
    footer = {"  nimbus predict clouds_v1 photo.jpg", "  nimbus predict clouds_v1 ./holdout --threshold 0.8",
        "  nimbus predict clouds_v1 a.png b.png --top-k 1 --format json"})
final class PredictCommand extends NimbusCommand.WithClient {
  private static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "gif", "bmp", "webp", "tif", "tiff");
  private static final int PER_CALL = 32;

  @Parameters(index = "0", paramLabel = "MODEL", description = ModelsCommand.MODEL_DESCRIPTION)
  String model;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "FILE|DIR", description = "Images, or folders of them.")
  List<Path> inputs;

  @Option(names = "--threshold", paramLabel = "T", description = "Only labels scoring at least T (default: the"
      + " server's, 0.5).")
  Float threshold;

  @Option(names = "--operating-point", paramLabel = "NAME", description = "A threshold saved with the model, e.g."
      + " max_f1 or precision_at_0.95.")
  String operatingPoint;

  @Option(names = "--top-k", paramLabel = "K", description = "At most K labels per image (default: all).")
  int topK;

  @Override
  protected int run(NimbusClient client) throws IOException {
    if (threshold != null && (threshold < 0 || threshold > 1)) {
      throw new UsageException("--threshold " + threshold + " (expected: 0..1)");
    }
    if (topK < 0) {
      throw new UsageException("--top-k " + topK + " (expected: >= 0)");
    }
    List<Path> files = files();
    PredictParams.Builder params = PredictParams.newBuilder().setMaxPredictions(topK);
    if (threshold != null) {
      params.setScoreThreshold(threshold);
    }
    if (operatingPoint != null) {
      params.setOperatingPoint(operatingPoint);
    }
    String name = "models/" + ModelsCommand.modelId(model);
    Map<Path, ImagePrediction> results = new LinkedHashMap<>();
    for (int from = 0; from < files.size(); from += PER_CALL) {
      List<Path> part = files.subList(from, Math.min(files.size(), from + PER_CALL));
      PredictRequest.Builder req = PredictRequest.newBuilder().setName(name).setParams(params);
      for (Path f : part) {
        req.addImages(ImageInput.newBuilder().setImageBytes(ByteString.copyFrom(Files.readAllBytes(f))));
      }
      PredictResponse r = client.predictions().predict(req.build());
      for (int i = 0; i < part.size(); i++) {
        results.put(part.get(i), r.getPredictions(i));
      }
    }
    if (json()) {
      JsonArray items = new JsonArray();
      results.forEach((file, p) -> {
        JsonObject item = new JsonObject();
        item.addProperty("file", file.toString());
        item.add("prediction", Json.tree(p));
        items.add(item);
      });
      JsonObject doc = new JsonObject();
      doc.add("predictions", items);
      out().println(Json.write(doc));
      return OK;
    }
    Table table = new Table("FILE", "LABELS");
    results.forEach((file, p) -> table.row(file, p.getLabelsCount() == 0 ? "(none above the threshold)"
        : String.join(", ", p.getLabelsList().stream().map(PredictCommand::labelScore).toList())));
    table.print(out());
    return OK;
  }

  private static String labelScore(LabelScore l) {
    return String.format(Locale.ROOT, "%s %.3f", l.getLabel(), l.getScore());
  }

  /** The files to classify, in the order given, folders expanded; a missing path is a usage error. */
  private List<Path> files() throws IOException {
    List<Path> out = new ArrayList<>();
    for (Path p : inputs) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> s = Files.walk(p)) {
          s.filter(Files::isRegularFile).filter(PredictCommand::isImage).sorted().forEach(out::add);
        }
      } else if (Files.isRegularFile(p)) {
        out.add(p);
      } else {
        throw new UsageException(p + ": no such file or folder");
      }
    }
    if (out.isEmpty()) {
      throw new UsageException("no image files in " + inputs);
    }
    return out;
  }

  private static boolean isImage(Path p) {
    String n = p.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot > 0 && EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
  }
}
