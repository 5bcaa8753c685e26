package dev.nimbus.server.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nimbus.server.dataset.DatasetStore.SplitCount;
import dev.nimbus.v1.DatasetWarning;
import dev.nimbus.v1.DatasetWarning.Kind;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelStatisticsTest {
  private static SplitCount n(long train, long val, long test) {
    return new SplitCount(train, val, test, 0);
  }

  @Test
  void warnings_fewExamples_belowTen() {
    var w = LabelStatistics.warnings(Map.of("a", n(7, 1, 1), "b", n(8, 1, 1)));
    assertThat(w).filteredOn(x -> x.getKind() == Kind.FEW_EXAMPLES).extracting(DatasetWarning::getLabel)
        .containsExactly("a");
  }

  @Test
  void warnings_imbalance_onlyAboveOneHundredTimes() {
    assertThat(LabelStatistics.warnings(Map.of("a", n(800, 100, 100), "b", n(8, 1, 1))))
        .extracting(DatasetWarning::getKind).doesNotContain(Kind.IMBALANCED);
    assertThat(LabelStatistics.warnings(Map.of("a", n(801, 100, 100), "b", n(8, 1, 1))))
        .filteredOn(x -> x.getKind() == Kind.IMBALANCED).singleElement()
        .satisfies(x -> assertThat(x.getMessage()).contains("1001").contains("'b'"));
  }

  @Test
  void warnings_oneLabel_andMissingSplits() {
    var w = LabelStatistics.warnings(Map.of("only", n(10, 0, 0)));
    assertThat(w).extracting(DatasetWarning::getKind).contains(Kind.TOO_FEW_LABELS, Kind.MISSING_SPLIT);
    assertThat(LabelStatistics.warnings(Map.of())).extracting(DatasetWarning::getKind).containsExactly(Kind.TOO_FEW_LABELS);
  }

  @Test
  void warnings_noneForAHealthyDataset() {
    assertThat(LabelStatistics.warnings(Map.of("a", n(80, 10, 10), "b", n(40, 5, 5)))).isEmpty();
  }
}
