package dev.nimbus.server.dataset;

import dev.nimbus.server.dataset.DatasetStore.SplitCount;
import dev.nimbus.v1.DatasetWarning;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** The warnings AutoML Vision shows before training, from the label counts. */
public final class LabelStatistics {
  /** AutoML's minimum per label. */
  public static final int MIN_EXAMPLES_PER_LABEL = 10;
  /** AutoML's largest ratio between the most and least frequent label. */
  public static final int MAX_IMBALANCE = 100;

  private LabelStatistics() {}

  public static List<DatasetWarning> warnings(Map<String, SplitCount> labels) {
    List<DatasetWarning> out = new ArrayList<>();
    if (labels.size() < 2) {
      out.add(warning(DatasetWarning.Kind.TOO_FEW_LABELS, "", "training needs at least 2 labels; the dataset has "
          + labels.size()));
    }
    List<Map.Entry<String, SplitCount>> sorted = new ArrayList<>(labels.entrySet());
    sorted.sort(Comparator.comparing(Map.Entry::getKey));
    for (Map.Entry<String, SplitCount> e : sorted) {
      long n = e.getValue().total();
      if (n < MIN_EXAMPLES_PER_LABEL) {
        out.add(warning(DatasetWarning.Kind.FEW_EXAMPLES, e.getKey(), "label '" + e.getKey() + "' has " + n
            + (n == 1 ? " image" : " images") + "; at least " + MIN_EXAMPLES_PER_LABEL
            + " are needed for a useful model (100 or more is better)"));
      }
    }
    if (labels.size() >= 2) {
      Map.Entry<String, SplitCount> most = sorted.stream().max(Comparator.comparingLong(x -> x.getValue().total())).get();
      Map.Entry<String, SplitCount> least = sorted.stream().min(Comparator.comparingLong(x -> x.getValue().total())).get();
      long hi = most.getValue().total();
      long lo = least.getValue().total();
      if (lo > 0 && hi > (long) MAX_IMBALANCE * lo) {
        out.add(warning(DatasetWarning.Kind.IMBALANCED, least.getKey(), "label '" + most.getKey() + "' has " + hi
            + " images, more than " + MAX_IMBALANCE + " times the " + lo + " of label '" + least.getKey()
            + "'; add images of the rare labels or the model will mostly ignore them"));
      }
    }
    for (Map.Entry<String, SplitCount> e : sorted) {
      SplitCount c = e.getValue();
      List<String> missing = new ArrayList<>();
      if (c.train() == 0) {
        missing.add("TRAIN");
      }
      if (c.validation() == 0) {
        missing.add("VALIDATION");
      }
      if (c.test() == 0) {
        missing.add("TEST");
      }
      if (!missing.isEmpty() && c.unassigned() == 0) {
        out.add(warning(DatasetWarning.Kind.MISSING_SPLIT, e.getKey(), "label '" + e.getKey() + "' has no image in "
            + String.join(", ", missing) + (missing.contains("TRAIN") ? "; it cannot be trained"
            : "; its evaluation will be less reliable")));
      }
    }
    return out;
  }

  private static DatasetWarning warning(DatasetWarning.Kind kind, String label, String message) {
    return DatasetWarning.newBuilder().setKind(kind).setLabel(label).setMessage(message).build();
  }
}
