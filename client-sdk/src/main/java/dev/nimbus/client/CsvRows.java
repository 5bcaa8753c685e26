package dev.nimbus.client;

import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 rows: fields split at commas outside quotes, {@code ""} inside quotes, CR, LF or CRLF line ends, a
 * UTF-8 byte-order mark skipped, every field trimmed (as the server's parser does). The SDK depends on grpc and
 * protobuf only, so this small reader stands in for a CSV library; it is only used to find the images a CSV names.
 */
final class CsvRows {
  private CsvRows() {}

  static List<List<String>> parse(String text) {
    List<List<String>> rows = new ArrayList<>();
    List<String> row = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    boolean any = false;
    int i = !text.isEmpty() && text.charAt(0) == '\uFEFF' ? 1 : 0;
    for (; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '"') {
          if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
            field.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
        any = true;
      } else if (c == ',') {
        row.add(field.toString().strip());
        field.setLength(0);
        any = true;
      } else if (c == '\n' || c == '\r') {
        if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
          i++;
        }
        if (any || field.length() > 0) {
          row.add(field.toString().strip());
          rows.add(row);
        }
        row = new ArrayList<>();
        field.setLength(0);
        any = false;
      } else {
        field.append(c);
      }
    }
    if (any || field.length() > 0) {
      row.add(field.toString().strip());
      rows.add(row);
    }
    return rows;
  }
}
