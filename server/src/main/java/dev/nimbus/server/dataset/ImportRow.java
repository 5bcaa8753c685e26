package dev.nimbus.server.dataset;

import dev.nimbus.server.dataset.RowFailure.Reason;
import dev.nimbus.server.dataset.RowFailure.RowException;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.v1.ClassificationType;
import dev.nimbus.v1.MlUse;
import java.util.ArrayList;
import java.util.List;

/**
 * One CSV row, understood: its optional split, its URI and its labels ({@code [ML_USE,]URI,LABEL[,LABEL...]}).
 *
 * @param mlUse the split given in the row, or UNASSIGNED when absent
 * @param explicitMlUse whether the row named a TRAIN, VALIDATION or TEST split
 */
public record ImportRow(long line, MlUse mlUse, boolean explicitMlUse, String uri, List<String> labels) {
  /** Labels one image may carry in a MULTILABEL dataset. */
  public static final int MAX_LABELS = 100;

  /** Reads a row's fields, or says what is wrong with them. */
  public static ImportRow parse(ImportCsv.Row row, ClassificationType type) throws RowException {
    List<String> fields = new ArrayList<>(row.fields());
    int given = fields.size();
    while (!fields.isEmpty() && fields.get(fields.size() - 1).isEmpty()) {
      fields.remove(fields.size() - 1); // trailing commas, as spreadsheets write them
    }
    MlUse use = fields.isEmpty() ? null : ImportCsv.MlUseColumn.parse(fields.get(0));
    int at = 0;
    if (use != null) {
      at = 1;
    } else if (fields.size() >= 3 && fields.get(0).isEmpty()) {
      at = 1; // an empty ML_USE column
    }
    if (fields.size() - at == 1 && given - at >= 2) {
      throw new RowException(Reason.NO_LABEL, "the row has no label (expected [ML_USE,]URI,LABEL[,LABEL...])");
    }
    if (fields.size() - at < 2) {
      throw new RowException(Reason.TOO_FEW_FIELDS, "too few fields: got " + fields.size()
          + (fields.size() == 1 ? " field" : " fields") + ", expected [ML_USE,]URI,LABEL[,LABEL...]");
    }
    String uri = fields.get(at);
    if (uri.isEmpty()) {
      throw new RowException(Reason.INVALID_URI, "the URI field is empty");
    }
    List<String> labels = new ArrayList<>();
    for (int i = at + 1; i < fields.size(); i++) {
      String label = fields.get(i);
      if (label.isEmpty()) {
        continue;
      }
      if (!ResourceNames.isValidLabel(label)) {
        throw new RowException(Reason.INVALID_LABEL, "label '" + ResourceNames.abbreviate(label)
            + "' is not valid (expected: " + ResourceNames.LABEL_RULE + ")");
      }
      if (!labels.contains(label)) {
        labels.add(label);
      }
    }
    if (labels.isEmpty()) {
      throw new RowException(Reason.NO_LABEL, "the row has no label (expected [ML_USE,]URI,LABEL[,LABEL...])");
    }
    if (labels.size() > MAX_LABELS) {
      throw new RowException(Reason.TOO_MANY_LABELS, "the row has " + labels.size() + " labels; an image may carry at"
          + " most " + MAX_LABELS);
    }
    if (type == ClassificationType.MULTICLASS && labels.size() > 1) {
      throw new RowException(Reason.TOO_MANY_LABELS, "the dataset is MULTICLASS (one label per image) but the row"
          + " has " + labels.size() + " labels: " + String.join(", ", labels));
    }
    labels.sort(null);
    boolean explicit = use != null && use != MlUse.UNASSIGNED;
    return new ImportRow(row.line(), use == null ? MlUse.UNASSIGNED : use, explicit, uri, List.copyOf(labels));
  }

  /** The URI as written in a row that could not be parsed, for the failure report. */
  public static String uriOf(ImportCsv.Row row) {
    List<String> f = row.fields();
    if (f.isEmpty()) {
      return "";
    }
    int at = ImportCsv.MlUseColumn.parse(f.get(0)) != null || (f.size() >= 3 && f.get(0).isEmpty()) ? 1 : 0;
    return at < f.size() ? f.get(at) : "";
  }
}
