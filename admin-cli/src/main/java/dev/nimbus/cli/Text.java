package dev.nimbus.cli;

import com.google.protobuf.Timestamp;
import dev.nimbus.v1.SplitCounts;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** How values read in tables: local times to the second, percents without noise, split counts in one cell. */
final class Text {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

  private Text() {}

  /** Local time; empty for an unset timestamp rather than 1970. */
  static String time(Timestamp t) {
    if (t.getSeconds() == 0 && t.getNanos() == 0) {
      return "";
    }
    return TIME.format(Instant.ofEpochSecond(t.getSeconds(), t.getNanos()).atZone(ZoneId.systemDefault()));
  }

  static String percent(double p) {
    return p == Math.rint(p) ? String.format(Locale.ROOT, "%.0f%%", p) : String.format(Locale.ROOT, "%.1f%%", p);
  }

  /** {@code TRAIN 8, VALIDATION 1, TEST 1}, with UNASSIGNED only when some are (while an import runs). */
  static String splits(SplitCounts s) {
    List<String> parts = new ArrayList<>(List.of("TRAIN " + s.getTrain(), "VALIDATION " + s.getValidation(),
        "TEST " + s.getTest()));
    if (s.getUnassigned() > 0) {
      parts.add("UNASSIGNED " + s.getUnassigned());
    }
    return String.join(", ", parts);
  }

  /** "0 B", "512 B", "12.3 kB", "4.5 MB", "1.2 GB" (decimal units, as file managers show them). */
  static String bytes(long n) {
    if (n < 1000) {
      return n + " B";
    }
    String[] units = {"kB", "MB", "GB", "TB"};
    double v = n;
    int u = -1;
    while (v >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  static String plural(long n, String singular, String plural) {
    return n + " " + (n == 1 ? singular : plural);
  }

  /** An enum's name, or empty for the UNSPECIFIED zero value. */
  static String name(Enum<?> value) {
    String name = value.name();
    return name.endsWith("_UNSPECIFIED") ? "" : name;
  }
}
