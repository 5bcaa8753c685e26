package dev.nimbus.cli;

import com.google.longrunning.Operation;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.Status;
import dev.nimbus.client.NimbusErrors;
import dev.nimbus.client.OperationsClient;
import dev.nimbus.v1.DeleteDetails;
import dev.nimbus.v1.ExportDataResponse;
import dev.nimbus.v1.ImportDataDetails;
import dev.nimbus.v1.ImportDataResponse;
import dev.nimbus.v1.OperationMetadata;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** How an operation reads in table mode: its state, what it did, and the rows an import rejected. */
final class OperationView {
  private OperationView() {}

  /** One rejected CSV row, from a partial failure: "row 12 (img/x.jpg): file not found" and its ErrorInfo. */
  record FailedRow(String row, String uri, String reason, String message) {
    static FailedRow of(Status status) {
      String row = "";
      String uri = "";
      String reason = NimbusErrors.describe(Status.newBuilder().setCode(status.getCode()).build());
      for (Any detail : status.getDetailsList()) {
        if (detail.is(ErrorInfo.class)) {
          try {
            ErrorInfo info = detail.unpack(ErrorInfo.class);
            row = info.getMetadataOrDefault("row", "");
            uri = info.getMetadataOrDefault("uri", "");
            reason = info.getReason();
          } catch (InvalidProtocolBufferException e) {
            // Keep what the message says.
          }
        }
      }
      // The row and URI have columns of their own; the message need not say them twice.
      String prefix = uri.isEmpty() ? "row " + row + ": " : "row " + row + " (" + uri + "): ";
      String message = status.getMessage();
      if (!row.isEmpty() && message.startsWith(prefix)) {
        message = message.substring(prefix.length());
      }
      return new FailedRow(row, uri, reason, message);
    }
  }

  static OperationMetadata metadata(Operation operation) {
    return OperationsClient.metadataOf(operation).orElse(OperationMetadata.getDefaultInstance());
  }

  static Optional<ImportDataResponse> importResponse(Operation operation) {
    return unpack(operation, ImportDataResponse.class);
  }

  static Optional<ExportDataResponse> exportDataResponse(Operation operation) {
    return unpack(operation, ExportDataResponse.class);
  }

  /** Done with an error: FAILED or CANCELLED. */
  static boolean failed(Operation operation) {
    return operation.getDone() && operation.hasError();
  }

  /** The line that says an operation did not succeed, e.g. "operations/x (IMPORT_DATA datasets/c) failed: ...". */
  static String failureLine(Operation operation) {
    OperationMetadata m = metadata(operation);
    String what = operation.getName() + " (" + Text.name(m.getKind()) + (m.getTarget().isEmpty() ? "" : " "
        + m.getTarget()) + ")";
    Status error = operation.getError();
    if (error.getCode() == Code.CANCELLED_VALUE) {
      return what + " was cancelled: " + error.getMessage();
    }
    return what + " failed: " + NimbusErrors.describe(error);
  }

  /** The state of an operation, what its kind reports, then its partial failures. */
  static void printDetails(PrintWriter out, Operation operation) {
    OperationMetadata m = metadata(operation);
    List<String[]> lines = new ArrayList<>();
    lines.add(new String[] {"name", operation.getName()});
    lines.add(new String[] {"kind", Text.name(m.getKind())});
    lines.add(new String[] {"target", m.getTarget()});
    lines.add(new String[] {"state", Text.name(m.getState()) + (operation.getDone() ? "" : " (not done)")});
    lines.add(new String[] {"progress", Text.percent(m.getProgressPercent())});
    lines.add(new String[] {"status", m.getStatusMessage()});
    lines.add(new String[] {"created", Text.time(m.getCreateTime())});
    lines.add(new String[] {operation.getDone() ? "ended" : "updated",
        Text.time(operation.getDone() && m.hasEndTime() ? m.getEndTime() : m.getUpdateTime())});
    if (m.getCancelRequested()) {
      lines.add(new String[] {"cancel requested", "yes"});
    }
    if (m.getResumeCount() > 0) {
      lines.add(new String[] {"resumed", Text.plural(m.getResumeCount(), "time", "times")
          + " after a server restart"});
    }
    if (operation.hasError()) {
      lines.add(new String[] {"error", NimbusErrors.describe(operation.getError())});
    }
    switch (m.getDetailsCase()) {
      case IMPORT_DATA_DETAILS -> importLines(lines, m.getImportDataDetails(), importResponse(operation));
      case DELETE_DETAILS -> {
        DeleteDetails d = m.getDeleteDetails();
        lines.add(new String[] {"deleted", d.getDeletedCount() + " of " + d.getTotalCount()});
      }
      case DETAILS_NOT_SET -> { }
      default -> lines.add(new String[] {"details", TextFormat.printer().shortDebugString(
          (Message) m.getField(m.getDescriptorForType().findFieldByNumber(m.getDetailsCase().getNumber())))});
    }
    Table.keyValues(out, lines);
    printFailedRows(out, m);
  }

  /** After a finished import: what it did, then every row it rejected. */
  static void printImportSummary(PrintWriter out, Operation operation, ImportDataResponse response, String source) {
    OperationMetadata m = metadata(operation);
    out.println("Imported " + source + " into " + response.getDataset() + " (" + operation.getName() + ")");
    List<String[]> lines = new ArrayList<>();
    importLines(lines, m.getImportDataDetails(), Optional.of(response));
    Table.keyValues(out, lines);
    printFailedRows(out, m);
  }

  private static void importLines(List<String[]> lines, ImportDataDetails d, Optional<ImportDataResponse> done) {
    if (done.isPresent()) {
      ImportDataResponse r = done.get();
      lines.add(new String[] {"rows", Long.toString(r.getTotalRowCount())});
      lines.add(new String[] {"imported", Long.toString(r.getImportedCount())});
      lines.add(new String[] {"duplicates", Long.toString(r.getDuplicateCount())});
      lines.add(new String[] {"labels added", Long.toString(r.getLabelsAddedCount())});
      lines.add(new String[] {"failed", Long.toString(r.getFailedCount())});
      lines.add(new String[] {"splits", Text.splits(r.getSplitCounts()) + " (the whole dataset after the import)"});
    } else {
      lines.add(new String[] {"rows", d.getProcessedRowCount() + " of " + d.getTotalRowCount() + " processed"});
      lines.add(new String[] {"imported", Long.toString(d.getImportedCount())});
      lines.add(new String[] {"duplicates", Long.toString(d.getDuplicateCount())});
      lines.add(new String[] {"labels added", Long.toString(d.getLabelsAddedCount())});
      lines.add(new String[] {"failed", Long.toString(d.getFailedCount())});
    }
  }

  /** Every partial failure the server kept, as a table, with a note if it kept fewer than there were. */
  static void printFailedRows(PrintWriter out, OperationMetadata m) {
    if (m.getPartialFailuresCount() == 0 && m.getPartialFailureCount() == 0) {
      return;
    }
    out.println();
    boolean rows = m.getKind() == OperationMetadata.Kind.IMPORT_DATA;
    out.println(Text.plural(m.getPartialFailureCount(), rows ? "row" : "item", rows ? "rows" : "items")
        + " failed:");
    Table table = new Table("ROW", "URI", "REASON", "MESSAGE");
    for (Status failure : m.getPartialFailuresList()) {
      FailedRow f = FailedRow.of(failure);
      table.row(f.row(), f.uri(), f.reason(), f.message());
    }
    table.print(out);
    long unlisted = m.getPartialFailureCount() - m.getPartialFailuresCount();
    if (unlisted > 0) {
      out.println("... and " + unlisted + " more not listed: the server keeps the first "
          + m.getPartialFailuresCount() + " failures of an operation");
    }
  }

  private static <T extends Message> Optional<T> unpack(Operation operation, Class<T> type) {
    if (!operation.hasResponse() || !operation.getResponse().is(type)) {
      return Optional.empty();
    }
    try {
      return Optional.of(operation.getResponse().unpack(type));
    } catch (InvalidProtocolBufferException e) {
      return Optional.empty();
    }
  }
}
