package dev.nimbus.server.model;

import dev.nimbus.server.dataset.DatasetStore;
import dev.nimbus.server.dataset.DatasetStore.LabeledExample;
import dev.nimbus.server.dataset.LabelStatistics;
import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.training.LabeledImage;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.v1.ClassificationType;
import dev.nimbus.v1.LabelCount;
import dev.nimbus.v1.MlUse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a model is trained on: the dataset's labeled examples that have a split, frozen at the start of training.
 * Labels are indexed in name order (the model's output order). The content hash covers every (image, labels,
 * split) triple, so two models trained on the same hash saw the same data.
 *
 * @param examples in content-hash order
 */
public record DatasetSnapshot(String datasetId, ClassificationType type, List<String> labels,
    List<Example> examples, String contentHash, int skippedUnassigned) {

  /** One image (content hash, label indices sorted, MIME type, size) and its split. */
  public record Example(LabeledImage image, MlUse split) {}

  public static DatasetSnapshot of(String datasetId, ClassificationType type, List<LabeledExample> rows) {
    TreeSet<String> names = new TreeSet<>();
    int skipped = 0;
    for (LabeledExample r : rows) {
      if (r.mlUse() == MlUse.UNASSIGNED) {
        skipped++;
      } else {
        names.addAll(r.labels());
      }
    }
    List<String> labels = List.copyOf(names);
    Map<String, Integer> index = new TreeMap<>();
    for (int i = 0; i < labels.size(); i++) {
      index.put(labels.get(i), i);
    }
    MessageDigest digest = sha256();
    List<Example> examples = new ArrayList<>(rows.size());
    for (LabeledExample r : rows) {
      if (r.mlUse() == MlUse.UNASSIGNED) {
        continue;
      }
      int[] idx = r.labels().stream().mapToInt(index::get).sorted().toArray();
      examples.add(new Example(new LabeledImage(r.sha256(), idx, r.mimeType(), r.width(), r.height()), r.mlUse()));
      digest.update((r.sha256() + "|" + String.join(",", r.labels()) + "|" + r.mlUse().name() + "\n")
          .getBytes(StandardCharsets.UTF_8));
    }
    return new DatasetSnapshot(datasetId, type, labels, List.copyOf(examples), HexFormat.of().formatHex(digest.digest()),
        skipped);
  }

  public static DatasetSnapshot take(DatasetStore store, String datasetId, ClassificationType type) {
    return of(datasetId, type, store.database().read(c -> store.labeledExamples(c, datasetId)));
  }

  /** The images of one split, in content-hash order. */
  public List<LabeledImage> split(MlUse use) {
    return examples.stream().filter(e -> e.split() == use).map(Example::image).toList();
  }

  /** Images per label and split, labels in output order. */
  public List<LabelCount> labelCounts() {
    long[][] counts = new long[labels.size()][3];
    for (Example e : examples) {
      int s = switch (e.split()) {
        case TRAIN -> 0;
        case VALIDATION -> 1;
        default -> 2;
      };
      for (int l : e.image().labels()) {
        counts[l][s]++;
      }
    }
    List<LabelCount> out = new ArrayList<>();
    for (int i = 0; i < labels.size(); i++) {
      out.add(LabelCount.newBuilder().setLabel(labels.get(i)).setTrain(counts[i][0]).setValidation(counts[i][1])
          .setTest(counts[i][2]).build());
    }
    return out;
  }

  /**
   * Refuses data a model cannot be trained on, naming what is missing: fewer than two labels, or a label without
   * a TRAIN image.
   */
  public void checkTrainable() {
    String ds = ResourceNames.dataset(datasetId);
    if (labels.size() < 2) {
      throw ApiException.failedPrecondition("TOO_FEW_LABELS", "dataset " + ds + " has " + labels.size()
          + (labels.size() == 1 ? " label ('" + labels.get(0) + "')" : " labels")
          + " with images in a split; training needs at least 2 (import more labeled images)");
    }
    List<String> noTrain = new ArrayList<>();
    for (LabelCount c : labelCounts()) {
      if (c.getTrain() == 0) {
        noTrain.add(c.getLabel());
      }
    }
    if (!noTrain.isEmpty()) {
      throw ApiException.failedPrecondition("LABEL_WITHOUT_TRAIN_IMAGES", "label" + (noTrain.size() > 1 ? "s " : " ")
          + String.join(", ", noTrain.stream().map(l -> "'" + l + "'").toList()) + " of dataset " + ds
          + (noTrain.size() > 1 ? " have" : " has") + " no TRAIN image; import some (or give TRAIN in the CSV's"
          + " first column)");
    }
  }

  /** Warnings worth attaching to the model: few images per label, images left out because still unassigned. */
  public List<String> warnings() {
    List<String> out = new ArrayList<>();
    for (LabelCount c : labelCounts()) {
      long n = c.getTrain() + c.getValidation() + c.getTest();
      if (n < LabelStatistics.MIN_EXAMPLES_PER_LABEL) {
        out.add("label '" + c.getLabel() + "' has only " + n + " images; at least "
            + LabelStatistics.MIN_EXAMPLES_PER_LABEL + " are needed for a useful model");
      }
      if (c.getValidation() == 0) {
        out.add("label '" + c.getLabel() + "' has no VALIDATION image; early stopping cannot watch it");
      }
      if (c.getTest() == 0) {
        out.add("label '" + c.getLabel() + "' has no TEST image; its evaluation is empty");
      }
    }
    if (skippedUnassigned > 0) {
      out.add(skippedUnassigned + " images were left out: an import was still assigning their split");
    }
    return out;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
