package dev.nimbus.server.evaluation;

import java.util.ArrayList;
import java.util.List;

/** Small builders shared by the tests. */
final class Fixtures {

  private Fixtures() {}

  /** Ids "e0", "e1", ... */
  static List<String> ids(int n) {
    List<String> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add("e" + i);
    }
    return ids;
  }

  /** The threshold-table row for {@code threshold} (which must be in the table). */
  static ThresholdMetrics row(List<ThresholdMetrics> table, double threshold) {
    return table.stream()
        .filter(r -> r.threshold() == threshold)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no row for threshold " + threshold));
  }

  /** -ln(p) for a float score, computed the way a reader would: in double from the float. */
  static double nll(float p) {
    return -Math.log(p);
  }
}
