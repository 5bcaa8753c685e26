package dev.nimbus.server.grpc.automl;

import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.util.ResourceNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The list filters Cloud AutoML documents: terms joined by {@code AND}, each {@code field:*} (the field is set),
 * {@code NOT field:*}, {@code field=value} or {@code field!=value}. A filter is parsed once and then tested against
 * each item through a function that reads a field's value (empty: not set).
 */
final class AutoMlFilter {
  private static final Pattern AND = Pattern.compile("\\s+AND\\s+");
  private static final Pattern TERM = Pattern.compile(
      "(NOT\\s+)?([a-z_]+)\\s*(:\\s*\\*|=|!=)\\s*(?:\"([^\"]*)\"|([^\\s\"]*))");

  private record Term(boolean not, String field, String op, String value) {}

  private final List<Term> terms;

  private AutoMlFilter(List<Term> terms) {
    this.terms = terms;
  }

  /** Parses {@code filter}, whose fields must be among {@code fields}. */
  static AutoMlFilter parse(String filter, Set<String> fields) {
    List<Term> terms = new ArrayList<>();
    if (!filter.isBlank()) {
      for (String t : AND.split(filter.strip())) {
        Matcher m = TERM.matcher(t.strip());
        if (!m.matches() || (m.group(1) != null && !m.group(3).startsWith(":"))) {
          throw bad(filter, fields, "cannot read '" + ResourceNames.abbreviate(t.strip()) + "'");
        }
        if (!fields.contains(m.group(2))) {
          throw bad(filter, fields, "unknown field '" + m.group(2) + "'");
        }
        String op = m.group(3).startsWith(":") ? ":*" : m.group(3);
        String value = m.group(4) != null ? m.group(4) : m.group(5);
        if (!op.equals(":*") && value.isEmpty()) {
          throw bad(filter, fields, "'" + m.group(2) + m.group(3) + "' needs a value");
        }
        terms.add(new Term(m.group(1) != null, m.group(2), op, value));
      }
    }
    return new AutoMlFilter(List.copyOf(terms));
  }

  /** Whether an item whose fields {@code field} reads passes every term. */
  boolean test(Function<String, String> field) {
    for (Term t : terms) {
      String v = field.apply(t.field());
      boolean pass = switch (t.op()) {
        case ":*" -> !v.isEmpty() != t.not();
        case "=" -> v.equals(t.value());
        default -> !v.equals(t.value());
      };
      if (!pass) {
        return false;
      }
    }
    return true;
  }

  private static ApiException bad(String filter, Set<String> fields, String why) {
    return ApiException.invalidArgument("filter", "filter '" + ResourceNames.abbreviate(filter) + "': " + why
        + " (expected terms joined by AND, each field:*, NOT field:*, field=value or field!=value; fields: "
        + String.join(", ", fields.stream().sorted().toList()) + ")");
  }
}
