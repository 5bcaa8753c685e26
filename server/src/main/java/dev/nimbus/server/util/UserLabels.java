package dev.nimbus.server.util;

import dev.nimbus.server.error.ApiException;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A resource's own key/value labels, with Google APIs' rules (so labels written for Cloud AutoML fit): at most 64;
 * keys of 1-63 lowercase letters, digits, '_' and '-', starting with a lowercase letter; values of 0-63 of the
 * same characters. International letters are allowed as Google allows them.
 */
public final class UserLabels {
  private static final Pattern KEY = Pattern.compile("\\p{Ll}[\\p{Ll}\\p{Lo}\\p{N}_-]{0,62}");
  private static final Pattern VALUE = Pattern.compile("[\\p{Ll}\\p{Lo}\\p{N}_-]{0,63}");
  private static final int MAX = 64;

  private UserLabels() {}

  /** Returns {@code labels} in key order if valid; otherwise INVALID_ARGUMENT naming {@code field} and the label. */
  public static Map<String, String> check(String field, Map<String, String> labels) {
    if (labels.size() > MAX) {
      throw ApiException.invalidArgument(field, field + " has " + labels.size() + " labels (expected: at most " + MAX
          + ")");
    }
    for (Map.Entry<String, String> e : labels.entrySet()) {
      if (!KEY.matcher(e.getKey()).matches()) {
        throw ApiException.invalidArgument(field, field + ": key '" + ResourceNames.abbreviate(e.getKey())
            + "' is not valid (expected: 1-63 lowercase letters, digits, '_' and '-', starting with a letter)");
      }
      if (!VALUE.matcher(e.getValue()).matches()) {
        throw ApiException.invalidArgument(field, field + ": the value of '" + e.getKey() + "', '"
            + ResourceNames.abbreviate(e.getValue()) + "', is not valid (expected: 0-63 lowercase letters, digits,"
            + " '_' and '-')");
      }
    }
    return new TreeMap<>(labels);
  }
}
