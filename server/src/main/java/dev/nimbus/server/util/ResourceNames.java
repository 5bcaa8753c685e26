package dev.nimbus.server.util;

import dev.nimbus.server.error.ApiException;
import java.util.regex.Pattern;

/** Parsing and validation of resource names ({@code datasets/clouds}, {@code operations/abc}). */
public final class ResourceNames {
  /** A native id, or one in Cloud AutoML's style ({@code ICN} and digits), which the AutoML API assigns. */
  private static final Pattern ID = Pattern.compile("[a-z][a-z0-9_-]{0,62}|[A-Z]{3}[0-9]{1,60}");
  private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9_]{1,32}");
  /** What a valid label is, for messages. */
  public static final String LABEL_RULE = "1-32 characters of letters, digits and '_'";
  /** An example is named by its image's SHA-256, in lowercase hex. */
  private static final Pattern EXAMPLE_ID = Pattern.compile("[0-9a-f]{64}");

  private ResourceNames() {}

  /** Whether {@code id} is a valid dataset or model id. */
  public static boolean isValidId(String id) {
    return ID.matcher(id).matches();
  }

  public static boolean isValidLabel(String label) {
    return LABEL.matcher(label).matches();
  }

  /** Validates a new dataset or model id, naming {@code field} in the error. */
  public static String requireId(String field, String id) {
    if (!isValidId(id)) {
      throw ApiException.invalidArgument(field, field + ": '" + abbreviate(id) + "' is not a valid id (expected: 1-63 "
          + "characters of lowercase letters, digits, '-' and '_', starting with a letter, e.g. 'clouds'; or Cloud AutoML's"
          + " style, 3 capital letters and digits, e.g. 'ICN123')");
    }
    return id;
  }

  /** Returns the dataset id of {@code datasets/{id}}. */
  public static String datasetId(String field, String name) {
    return idOf(field, name, "datasets/", "datasets/clouds");
  }

  public static String modelId(String field, String name) {
    return idOf(field, name, "models/", "models/my_model");
  }

  public static String operationId(String field, String name) {
    String id = name.startsWith("operations/") ? name.substring("operations/".length()) : "";
    if (id.isEmpty() || !id.matches("[a-z0-9-]{1,64}")) {
      throw ApiException.invalidArgument(field, field + ": '" + abbreviate(name)
          + "' is not an operation name (expected: operations/{id}, as returned by the call that started it)");
    }
    return id;
  }

  /** Parses {@code datasets/{dataset}/examples/{sha256}} into its two ids. */
  public static String[] exampleIds(String field, String name) {
    String[] parts = name.split("/", -1);
    if (parts.length != 4 || !parts[0].equals("datasets") || !isValidId(parts[1]) || !parts[2].equals("examples")
        || !EXAMPLE_ID.matcher(parts[3]).matches()) {
      throw ApiException.invalidArgument(field, field + ": '" + abbreviate(name)
          + "' is not an example name (expected: datasets/{dataset}/examples/{64 lowercase hex digits})");
    }
    return new String[] {parts[1], parts[3]};
  }

  public static String dataset(String id) {
    return "datasets/" + id;
  }

  public static String example(String datasetId, String sha256) {
    return "datasets/" + datasetId + "/examples/" + sha256;
  }

  public static String annotationSpec(String datasetId, String label) {
    return "datasets/" + datasetId + "/annotationSpecs/" + label;
  }

  public static String model(String id) {
    return "models/" + id;
  }

  public static String operation(String id) {
    return "operations/" + id;
  }

  private static String idOf(String field, String name, String prefix, String example) {
    if (name.isEmpty()) {
      throw ApiException.invalidArgument(field, field + " is required (expected: e.g. '" + example + "')");
    }
    String id = name.startsWith(prefix) ? name.substring(prefix.length()) : null;
    if (id == null || !isValidId(id)) {
      throw ApiException.invalidArgument(field, field + ": '" + abbreviate(name) + "' is not a valid name (expected: "
          + prefix + "{id} with an id of lowercase letters, digits, '-' and '_', e.g. '" + example + "')");
    }
    return id;
  }

  /** Shortens user input quoted back in messages, so a hostile 1 MB name does not become a 1 MB error. */
  public static String abbreviate(String s) {
    String printable = s.codePoints()
        .map(c -> Character.isISOControl(c) ? '?' : c)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    return printable.length() <= 120 ? printable : printable.substring(0, 117) + "...";
  }
}
