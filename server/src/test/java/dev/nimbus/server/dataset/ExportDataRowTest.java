package dev.nimbus.server.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nimbus.server.dataset.DatasetStore.ExampleRow;
import dev.nimbus.v1.MlUse;
import dev.nimbus.v1.MlUseSource;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ExportData's CSV rows: AutoML's import format, read back by the import's own parser. */
class ExportDataRowTest {
  private static ExampleRow example(MlUse use, List<String> labels) {
    return new ExampleRow(1, "d", "ab".repeat(32), labels, use, MlUseSource.USER, "image/png", 4, 4, 10, "x.png", 0);
  }

  private static List<String> parsedBack(String row) {
    return ImportCsv.parse(row.getBytes(StandardCharsets.UTF_8)).rows(0).next().fields();
  }

  @Test
  void row_listsTheSplitTheUriAndEveryLabel() {
    assertThat(ExportDataHandler.row(example(MlUse.VALIDATION, List.of("daisy", "tulip")), "images/a.png"))
        .isEqualTo("VALIDATION,images/a.png,daisy,tulip\n");
  }

  @Test
  void row_withoutLabels_isJustSplitAndUri_andAnUnplacedExampleIsUnassigned() {
    assertThat(ExportDataHandler.row(example(MlUse.TEST, List.of()), "images/a.png")).isEqualTo("TEST,images/a.png\n");
    assertThat(ExportDataHandler.row(example(MlUse.ML_USE_UNSPECIFIED, List.of("rose")), "images/a.png"))
        .isEqualTo("UNASSIGNED,images/a.png,rose\n");
  }

  @Test
  void row_quotesAUriWithCommasOrQuotes_soTheImportReadsItBackWhole() {
    String uri = "gs://bucket/a,b \"c\"/images/a.png";
    String row = ExportDataHandler.row(example(MlUse.TRAIN, List.of("rose")), uri);
    assertThat(row).startsWith("TRAIN,\"");
    assertThat(parsedBack(row)).containsExactly("TRAIN", uri, "rose");
  }
}
