package dev.nimbus.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A plain-text table: a header row, then rows, columns padded to their widest cell, two spaces apart. A column
 * whose cells are all numbers is right-aligned so that digits line up.
 */
public final class Table {
  private static final Pattern NUMBER = Pattern.compile("-?[0-9][0-9,.]*%?");

  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  public Table(String... headers) {
    this.headers = List.of(headers);
  }

  public Table row(Object... cells) {
    if (cells.length != headers.size()) {
      throw new IllegalArgumentException("row has " + cells.length + " cells; the table has " + headers.size()
          + " columns");
    }
    List<String> row = new ArrayList<>(cells.length);
    for (Object cell : cells) {
      row.add(cell == null ? "" : oneLine(String.valueOf(cell)));
    }
    rows.add(row);
    return this;
  }

  public boolean isEmpty() {
    return rows.isEmpty();
  }

  public void print(PrintWriter out) {
    int columns = headers.size();
    int[] widths = new int[columns];
    boolean[] numeric = new boolean[columns];
    for (int c = 0; c < columns; c++) {
      widths[c] = headers.get(c).length();
      numeric[c] = !rows.isEmpty();
      for (List<String> row : rows) {
        widths[c] = Math.max(widths[c], row.get(c).length());
        numeric[c] &= row.get(c).isEmpty() || NUMBER.matcher(row.get(c)).matches();
      }
    }
    printRow(out, headers, widths, numeric);
    for (List<String> row : rows) {
      printRow(out, row, widths, numeric);
    }
  }

  private static void printRow(PrintWriter out, List<String> cells, int[] widths, boolean[] numeric) {
    StringBuilder line = new StringBuilder();
    for (int c = 0; c < cells.size(); c++) {
      String cell = cells.get(c);
      boolean last = c == cells.size() - 1;
      if (c > 0) {
        line.append("  ");
      }
      if (numeric[c]) {
        line.append(" ".repeat(widths[c] - cell.length())).append(cell);
      } else {
        line.append(cell);
        if (!last) {
          line.append(" ".repeat(widths[c] - cell.length()));
        }
      }
    }
    out.println(line.toString().stripTrailing());
  }

  /** Label-value lines, the labels padded to one width: the view of a single resource. */
  public static void keyValues(PrintWriter out, List<String[]> pairs) {
    int width = 0;
    for (String[] pair : pairs) {
      width = Math.max(width, pair[0].length());
    }
    for (String[] pair : pairs) {
      out.println((pair[0] + ":" + " ".repeat(width - pair[0].length() + 2) + oneLine(pair[1])).stripTrailing());
    }
  }

  private static String oneLine(String s) {
    return s.replaceAll("\\s*\\R\\s*", " ");
  }
}
