package dev.nimbus.server.dataset;

import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.v1.MlUse;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * An import CSV, checked as a whole before any row is imported: UTF-8 text (a byte-order mark is dropped), no
 * binary content, valid CSV syntax (RFC 4180 quoting, embedded commas and newlines, CRLF or LF), at least one
 * data row. A first row that names columns ({@code set,uri,label}, {@code path,label}, ...) is a header and is
 * skipped. Blank rows are skipped. Rows are numbered by the line of the file they start on, as an editor shows.
 */
public final class ImportCsv {
  private static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder()
      .setIgnoreEmptyLines(true)
      .setIgnoreSurroundingSpaces(true)
      .setTrim(true)
      .get();

  private static final Set<String> HEADER_WORDS = Set.of("set", "mluse", "split", "subset", "usage", "uri", "url",
      "path", "file", "filename", "filepath", "image", "images", "imageuri", "imageurl", "imagepath", "imagefile",
      "gcsfilepath", "gcsuri", "location", "source");

  private final String text;
  private final int[] lineStarts;
  private final boolean hasHeader;
  private final int rowCount;

  /** One data row: the line it starts on, its index among data rows (0-based) and its fields. */
  public record Row(int index, long line, List<String> fields) {}

  private ImportCsv(String text) {
    this.text = text;
    this.lineStarts = lineStarts(text);
    int records = 0;
    boolean header = false;
    try (CSVParser parser = FORMAT.parse(new StringReader(text))) {
      boolean first = true;
      for (CSVRecord r : parser) {
        if (isBlank(r)) {
          continue;
        }
        if (first) {
          first = false;
          if (looksLikeHeader(r)) {
            header = true;
            continue;
          }
        }
        records++;
      }
    } catch (UncheckedIOException | IOException | IllegalStateException e) {
      throw ApiException.invalidArgument("input_config", "the CSV is not valid CSV: " + syntaxMessage(e)
          + " (expected rows of [ML_USE,]URI,LABEL[,LABEL...]; quote fields that contain commas, quotes or"
          + " line breaks)");
    }
    this.hasHeader = header;
    this.rowCount = records;
  }

  /**
   * Checks raw CSV bytes and returns the parsed document, or throws INVALID_ARGUMENT saying what is wrong with
   * the file as a whole.
   */
  public static ImportCsv parse(byte[] bytes) {
    if (bytes.length == 0) {
      throw ApiException.invalidArgument("input_config", "the CSV is empty (expected rows of "
          + "[ML_USE,]URI,LABEL[,LABEL...])");
    }
    int offset = 0;
    if (bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF) {
      offset = 3;
    } else if (bytes.length >= 2 && (((bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xFE)
        || ((bytes[0] & 0xFF) == 0xFE && (bytes[1] & 0xFF) == 0xFF))) {
      throw ApiException.invalidArgument("input_config", "the CSV is UTF-16 text; save it as UTF-8 (CSV UTF-8)");
    }
    for (int i = offset; i < bytes.length; i++) {
      if (bytes[i] == 0) {
        throw ApiException.invalidArgument("input_config", "the file is not a CSV: it holds binary data (a NUL byte"
            + " at offset " + i + "); expected UTF-8 text with rows of [ML_USE,]URI,LABEL[,LABEL...]");
      }
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, offset, bytes.length - offset))
          .toString();
    } catch (MalformedInputException e) {
      throw ApiException.invalidArgument("input_config", "the file is not UTF-8 text (an invalid byte sequence);"
          + " save the CSV as UTF-8");
    } catch (CharacterCodingException e) {
      throw ApiException.invalidArgument("input_config", "the file is not UTF-8 text; save the CSV as UTF-8");
    }
    long controls = text.chars().filter(ch -> ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r' && ch != '\f').count();
    if (controls > 0 && controls * 100 > text.length()) {
      throw ApiException.invalidArgument("input_config", "the file is not a CSV: it holds " + controls
          + " control characters; expected UTF-8 text with rows of [ML_USE,]URI,LABEL[,LABEL...]");
    }
    ImportCsv csv = new ImportCsv(text);
    if (csv.rowCount == 0) {
      throw ApiException.invalidArgument("input_config", "the CSV has no data rows (expected rows of "
          + "[ML_USE,]URI,LABEL[,LABEL...])");
    }
    return csv;
  }

  /** Data rows in the file, header and blank rows excluded. */
  public int rowCount() {
    return rowCount;
  }

  public boolean hasHeader() {
    return hasHeader;
  }

  /** The data rows from index {@code first} on (a resumed import skips what it already committed). */
  public Iterator<Row> rows(int first) {
    CSVParser parser;
    try {
      parser = FORMAT.parse(new StringReader(text));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Iterator<CSVRecord> records = parser.iterator();
    return new Iterator<>() {
      private int index = 0;
      private boolean headerSeen = !hasHeader;
      private Row next = advance();

      private Row advance() {
        while (records.hasNext()) {
          CSVRecord r = records.next();
          if (isBlank(r)) {
            continue;
          }
          if (!headerSeen) {
            headerSeen = true;
            continue;
          }
          int i = index++;
          if (i >= first) {
            return new Row(i, lineOf(r.getCharacterPosition()), Arrays.asList(r.values()));
          }
        }
        return null;
      }

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public Row next() {
        if (next == null) {
          throw new NoSuchElementException();
        }
        Row r = next;
        next = advance();
        return r;
      }
    };
  }

  /** The 1-based line a character offset is on. */
  private long lineOf(long charPosition) {
    int pos = (int) charPosition;
    // The parser reports a record from the end of the previous one, before the blank lines it skipped.
    while (pos < text.length() && (text.charAt(pos) == '\n' || text.charAt(pos) == '\r')) {
      pos++;
    }
    int i = Arrays.binarySearch(lineStarts, pos);
    return (i >= 0 ? i : -i - 2) + 1;
  }

  private static int[] lineStarts(String s) {
    int[] starts = new int[16];
    int n = 0;
    starts[n++] = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean lineEnd = c == '\n' || (c == '\r' && (i + 1 >= s.length() || s.charAt(i + 1) != '\n'));
      if (lineEnd) {
        if (n == starts.length) {
          starts = Arrays.copyOf(starts, n * 2);
        }
        starts[n++] = i + 1;
      }
    }
    return Arrays.copyOf(starts, n);
  }

  private static boolean isBlank(CSVRecord r) {
    for (String v : r.values()) {
      if (!v.isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /**
   * A header names its columns: its first field (or second, after a set column) is a column word such as
   * {@code uri}, {@code path} or {@code image}, and it is not a data row starting with an ML_USE value.
   */
  static boolean looksLikeHeader(CSVRecord r) {
    if (r.size() == 0) {
      return false;
    }
    String first = word(r.get(0));
    if (MlUseColumn.parse(r.get(0)) != null) {
      return false;
    }
    return HEADER_WORDS.contains(first);
  }

  private static String word(String s) {
    return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
  }

  private static String syntaxMessage(Exception e) {
    Throwable t = e instanceof UncheckedIOException u ? u.getCause() : e;
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return ResourceNames.abbreviate(m);
  }

  /** Parses the optional ML_USE column. */
  public static final class MlUseColumn {
    private MlUseColumn() {}

    /** The split named by {@code s} (any case), or null if {@code s} is not an ML_USE value. */
    public static MlUse parse(String s) {
      return switch (s.strip().toUpperCase(Locale.ROOT)) {
        case "TRAIN", "TRAINING" -> MlUse.TRAIN;
        case "VALIDATION", "VALIDATE" -> MlUse.VALIDATION;
        case "TEST" -> MlUse.TEST;
        case "UNASSIGNED" -> MlUse.UNASSIGNED;
        default -> null;
      };
    }
  }

  /** Exposed for tests: the fields of every data row. */
  List<Row> allRows() {
    List<Row> out = new ArrayList<>();
    rows(0).forEachRemaining(out::add);
    return out;
  }
}
