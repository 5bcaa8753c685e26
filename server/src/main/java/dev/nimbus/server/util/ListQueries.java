package dev.nimbus.server.util;

import dev.nimbus.server.error.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts every List method shares: page size rules, opaque page tokens bound to the query they came from,
 * and the small filter language ({@code key = value} terms joined by {@code AND}, values bare or quoted).
 */
public final class ListQueries {
  public static final int DEFAULT_PAGE_SIZE = 50;
  public static final int MAX_PAGE_SIZE = 1000;
  private static final Pattern TERM = Pattern.compile(
      "\\s*([a-z_]+)\\s*=\\s*(\"((?:[^\"\\\\]|\\\\.)*)\"|([A-Za-z0-9_./:-]+))\\s*");
  private static final Pattern AND = Pattern.compile("\\s+AND\\s+");

  private ListQueries() {}

  /** 0 means the default; negative is an error; above the maximum is capped. */
  public static int pageSize(int requested) {
    if (requested < 0) {
      throw ApiException.invalidArgument("page_size", "page_size: " + requested + " (expected: >= 0; 0 means "
          + DEFAULT_PAGE_SIZE + ", at most " + MAX_PAGE_SIZE + ")");
    }
    return requested == 0 ? DEFAULT_PAGE_SIZE : Math.min(requested, MAX_PAGE_SIZE);
  }

  /** A token that resumes after {@code key}, valid only for the same {@code scope} (method, parent, filter). */
  public static String token(String scope, String key) {
    String raw = Integer.toHexString(scope.hashCode()) + "|" + key;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  /** The key a token resumes after, or "" for no token. */
  public static String resumeKey(String scope, String token) {
    if (token.isEmpty()) {
      return "";
    }
    String raw;
    try {
      raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw badToken();
    }
    int bar = raw.indexOf('|');
    if (bar < 0 || !raw.substring(0, bar).equals(Integer.toHexString(scope.hashCode()))) {
      throw badToken();
    }
    return raw.substring(bar + 1);
  }

  private static ApiException badToken() {
    return ApiException.invalidArgument("page_token", "page_token is not one this list returned for the same"
        + " request (pass next_page_token back unchanged, with the same parent and filter)");
  }

  /**
   * Parses a filter into key to value. Keys must be among {@code keys}; each may appear once.
   */
  public static Map<String, String> filter(String filter, Set<String> keys) {
    Map<String, String> out = new LinkedHashMap<>();
    if (filter.isBlank()) {
      return out;
    }
    for (String term : AND.split(filter.strip())) {
      Matcher m = TERM.matcher(term);
      if (!m.matches()) {
        throw badFilter(filter, keys, "cannot read '" + ResourceNames.abbreviate(term.strip()) + "'");
      }
      String key = m.group(1).toLowerCase(Locale.ROOT);
      if (!keys.contains(key)) {
        throw badFilter(filter, keys, "unknown field '" + key + "'");
      }
      String value = m.group(3) != null ? m.group(3).replaceAll("\\\\(.)", "$1") : m.group(4);
      if (out.put(key, value) != null) {
        throw badFilter(filter, keys, "'" + key + "' appears twice");
      }
    }
    return out;
  }

  /** The enum constant named {@code value} (any case) for a filter term on {@code field}; UNSPECIFIED excluded. */
  public static <E extends Enum<E>> E enumValue(String field, String value, E[] values) {
    for (E e : values) {
      if (e.name().equalsIgnoreCase(value) && !e.name().endsWith("UNSPECIFIED") && !e.name().equals("UNRECOGNIZED")) {
        return e;
      }
    }
    List<String> names = Arrays.stream(values).map(Enum::name)
        .filter(n -> !n.endsWith("UNSPECIFIED") && !n.equals("UNRECOGNIZED")).toList();
    throw ApiException.invalidArgument("filter", "filter: " + field + " = '" + ResourceNames.abbreviate(value)
        + "' (expected one of: " + String.join(", ", names) + ")");
  }

  private static ApiException badFilter(String filter, Set<String> keys, String why) {
    return ApiException.invalidArgument("filter", "filter '" + ResourceNames.abbreviate(filter) + "': " + why
        + " (expected: terms 'field = value' joined by AND; fields: " + String.join(", ", keys.stream().sorted().toList())
        + ")");
  }
}
