package dev.nimbus.server.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nimbus.server.dataset.RowFailure.Reason;
import dev.nimbus.server.dataset.RowFailure.RowException;
import dev.nimbus.v1.ClassificationType;
import dev.nimbus.v1.MlUse;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImportRowTest {
  private static ImportRow parse(ClassificationType type, String... fields) throws RowException {
    return ImportRow.parse(new ImportCsv.Row(0, 7, List.of(fields)), type);
  }

  private static ImportRow multiclass(String... fields) throws RowException {
    return parse(ClassificationType.MULTICLASS, fields);
  }

  @Test
  void parse_mlUseInAnyCase_orAbsent() throws Exception {
    assertThat(multiclass("train", "a.jpg", "cat").mlUse()).isEqualTo(MlUse.TRAIN);
    assertThat(multiclass("Validation", "a.jpg", "cat").mlUse()).isEqualTo(MlUse.VALIDATION);
    assertThat(multiclass("VALIDATE", "a.jpg", "cat").mlUse()).isEqualTo(MlUse.VALIDATION);
    assertThat(multiclass("TEST", "a.jpg", "cat").explicitMlUse()).isTrue();
    ImportRow unassigned = multiclass("unassigned", "a.jpg", "cat");
    assertThat(unassigned.mlUse()).isEqualTo(MlUse.UNASSIGNED);
    assertThat(unassigned.explicitMlUse()).isFalse();
    ImportRow absent = multiclass("a.jpg", "cat");
    assertThat(absent.mlUse()).isEqualTo(MlUse.UNASSIGNED);
    assertThat(absent.uri()).isEqualTo("a.jpg");
    assertThat(multiclass("", "a.jpg", "cat").uri()).isEqualTo("a.jpg");
  }

  @Test
  void parse_trailingEmptyFieldsAreIgnored() throws Exception {
    ImportRow r = multiclass("TRAIN", "a.jpg", "cat", "", "", "");
    assertThat(r.labels()).containsExactly("cat");
    assertThat(r.line()).isEqualTo(7);
  }

  @Test
  void parse_multilabelKeepsEveryDistinctLabelSorted() throws Exception {
    ImportRow r = parse(ClassificationType.MULTILABEL, "a.jpg", "sky", "cloud", "sky");
    assertThat(r.labels()).containsExactly("cloud", "sky");
  }

  @Test
  void parse_badRows() {
    assertReason(Reason.TOO_FEW_FIELDS, "too few fields", "a.jpg");
    assertReason(Reason.TOO_FEW_FIELDS, "too few fields", "TRAIN", "a.jpg");
    assertReason(Reason.NO_LABEL, "no label", "a.jpg", "", "");
    assertReason(Reason.INVALID_LABEL, "'has space'", "a.jpg", "has space");
    assertReason(Reason.INVALID_LABEL, "is not valid", "a.jpg", "x".repeat(33));
    assertReason(Reason.INVALID_LABEL, "is not valid", "a.jpg", "caf\u00e9");
    assertReason(Reason.TOO_MANY_LABELS, "MULTICLASS", "a.jpg", "cat", "dog");
    assertReason(Reason.INVALID_URI, "empty", "TRAIN", "", "cat");
  }

  @Test
  void parse_moreThanAHundredLabels_isRefused() {
    String[] fields = new String[102];
    fields[0] = "a.jpg";
    for (int i = 1; i < fields.length; i++) {
      fields[i] = "l" + i;
    }
    assertThatThrownBy(() -> parse(ClassificationType.MULTILABEL, fields))
        .isInstanceOfSatisfying(RowException.class, e -> assertThat(e.getMessage()).contains("at most 100"));
  }

  @Test
  void parse_labelsOfExactly32CharactersAreFine() throws Exception {
    assertThat(multiclass("a.jpg", "A_z9".repeat(8)).labels()).containsExactly("A_z9".repeat(8));
  }

  private static void assertReason(Reason reason, String fragment, String... fields) {
    assertThatThrownBy(() -> multiclass(fields)).isInstanceOfSatisfying(RowException.class, e -> {
      assertThat(e.reason()).isEqualTo(reason);
      assertThat(e.getMessage()).contains(fragment);
    });
  }
}
