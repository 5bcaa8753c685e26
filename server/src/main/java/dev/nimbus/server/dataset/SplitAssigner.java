package dev.nimbus.server.dataset;

import dev.nimbus.server.dataset.DatasetStore.SplitCount;
import dev.nimbus.v1.MlUse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Chooses TRAIN / VALIDATION / TEST for images imported without a split: 80/10/10, stratified per label, and a
 * function of the images' content hashes only (never of row order or timing).
 *
 * <p>For each label, rarest first, the label's pending images are sorted by SHA-256 and cut into consecutive runs
 * that bring the label's counts as close as possible to 80/10/10 of its total: the lowest hashes go to TRAIN, the
 * next to VALIDATION, the highest to TEST. On a large label this is the same as cutting the hash space at 0.8
 * and 0.9; on a small one it still gives every label of at least 5 images one VALIDATION and one TEST image.
 * An image is assigned once, under its rarest label, and counts toward its other labels from then on; splits
 * already stored are never changed, so an image never moves or sits in two splits.
 */
public final class SplitAssigner {
  private SplitAssigner() {}

  /**
   * @param assigned counts per label of images that already have a split
   * @param pending images to place: SHA-256 to their labels
   * @return SHA-256 to split, for every pending image
   */
  public static Map<String, MlUse> assign(Map<String, SplitCount> assigned, Map<String, List<String>> pending) {
    Map<String, long[]> counts = new HashMap<>();
    assigned.forEach((label, c) -> counts.put(label, new long[] {c.train(), c.validation(), c.test()}));
    Map<String, List<String>> byLabel = new TreeMap<>();
    pending.forEach((sha, labels) -> labels.forEach(l -> byLabel.computeIfAbsent(l, k -> new ArrayList<>()).add(sha)));
    List<String> order = new ArrayList<>(byLabel.keySet());
    order.sort(Comparator.<String>comparingLong(l -> total(counts.get(l)) + byLabel.get(l).size())
        .thenComparing(Comparator.naturalOrder()));

    Map<String, MlUse> result = new LinkedHashMap<>();
    for (String label : order) {
      List<String> mine = new ArrayList<>();
      for (String sha : byLabel.get(label)) {
        if (!result.containsKey(sha)) {
          mine.add(sha);
        }
      }
      long[] have = counts.computeIfAbsent(label, k -> new long[3]);
      // Images of this label placed earlier in this pass (under a rarer label) count as assigned now.
      long n = total(have) + mine.size();
      long[] target = targets(n);
      long needTrain = Math.max(0, target[0] - have[0]);
      long needVal = Math.max(0, target[1] - have[1]);
      long needTest = Math.max(0, target[2] - have[2]);
      // If earlier splits overshoot, the surplus still has to go somewhere: scale the needs to what is pending.
      long need = needTrain + needVal + needTest;
      if (need != mine.size()) {
        long[] scaled = scale(new long[] {needTrain, needVal, needTest}, mine.size());
        needTrain = scaled[0];
        needVal = scaled[1];
        needTest = scaled[2];
      }
      mine.sort(Comparator.naturalOrder());
      for (int i = 0; i < mine.size(); i++) {
        MlUse use = i < needTrain ? MlUse.TRAIN : i < needTrain + needVal ? MlUse.VALIDATION : MlUse.TEST;
        String sha = mine.get(i);
        result.put(sha, use);
        for (String other : pending.get(sha)) {
          long[] o = counts.computeIfAbsent(other, k -> new long[3]);
          o[use.getNumber() - 1]++;
        }
      }
    }
    return result;
  }

  /** Ideal TRAIN/VALIDATION/TEST counts for a label of {@code n} images. */
  static long[] targets(long n) {
    long val = Math.round(n * 0.1);
    long test = Math.round(n * 0.1);
    if (n >= 5) {
      val = Math.max(val, 1);
      test = Math.max(test, 1);
    }
    return new long[] {n - val - test, val, test};
  }

  /** Distributes {@code total} over weights {@code w} by largest remainder (all to TRAIN when weights are 0). */
  private static long[] scale(long[] w, long total) {
    long sum = w[0] + w[1] + w[2];
    if (sum == 0) {
      return new long[] {total, 0, 0};
    }
    long[] out = new long[3];
    double[] rem = new double[3];
    long given = 0;
    for (int i = 0; i < 3; i++) {
      double exact = (double) total * w[i] / sum;
      out[i] = (long) Math.floor(exact);
      rem[i] = exact - out[i];
      given += out[i];
    }
    while (given < total) {
      int best = 0;
      for (int i = 1; i < 3; i++) {
        if (rem[i] > rem[best]) {
          best = i;
        }
      }
      out[best]++;
      rem[best] = -1;
      given++;
    }
    return out;
  }

  private static long total(long[] c) {
    return c == null ? 0 : c[0] + c[1] + c[2];
  }
}
