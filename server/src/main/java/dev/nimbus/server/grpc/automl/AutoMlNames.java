package dev.nimbus.server.grpc.automl;

import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.util.ResourceNames;
import java.security.SecureRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cloud AutoML's resource names ({@code projects/{p}/locations/{l}/datasets/{d}} and the rest) to Nimbus's and
 * back. A server is one project: any project and location are accepted and echoed back in the names it returns,
 * and the ids are Nimbus's own, so {@code projects/p/locations/us-central1/datasets/ICN1} is {@code datasets/ICN1}.
 */
final class AutoMlNames {
  private static final String SEGMENT = "([A-Za-z0-9][A-Za-z0-9_.-]{0,62})";
  private static final Pattern LOCATION = Pattern.compile("projects/" + SEGMENT + "/locations/" + SEGMENT);
  private static final SecureRandom RANDOM = new SecureRandom();

  private AutoMlNames() {}

  /** The project and location a name lies in. */
  record Location(String project, String location) {
    String name() {
      return "projects/" + project + "/locations/" + location;
    }

    String dataset(String id) {
      return name() + "/datasets/" + id;
    }

    String model(String id) {
      return name() + "/models/" + id;
    }

    String operation(String id) {
      return name() + "/operations/" + id;
    }
  }

  /** A parsed name: its location and the ids after it ({@code datasets/D/annotationSpecs/S} gives D and S). */
  record Parsed(Location location, String[] ids) {
    String id() {
      return ids[0];
    }
  }

  /** {@code projects/{p}/locations/{l}}, e.g. a CreateDataset's parent. */
  static Location location(String field, String name) {
    Matcher m = LOCATION.matcher(name);
    if (!m.matches()) {
      throw invalid(field, name, "projects/{project}/locations/{location}, e.g. projects/my-project/locations/"
          + "us-central1");
    }
    return new Location(m.group(1), m.group(2));
  }

  static Parsed dataset(String field, String name) {
    return parse(field, name, "datasets");
  }

  static Parsed model(String field, String name) {
    return parse(field, name, "models");
  }

  static Parsed operation(String field, String name) {
    return parse(field, name, "operations");
  }

  static Parsed annotationSpec(String field, String name) {
    return parse(field, name, "datasets", "annotationSpecs");
  }

  static Parsed modelEvaluation(String field, String name) {
    return parse(field, name, "models", "modelEvaluations");
  }

  /** Whether {@code name} is an AutoML operation name, rather than a native {@code operations/{id}}. */
  static boolean isOperation(String name) {
    return name.startsWith("projects/");
  }

  /**
   * A new id in AutoML's style: {@code ICN} ("image classification") and 19 digits, the form AutoML gives image
   * classification datasets and models. Random, so two servers' ids do not collide when their data is merged.
   */
  static String newId() {
    long n = RANDOM.nextLong() & Long.MAX_VALUE;
    return String.format("ICN%019d", n);
  }

  private static Parsed parse(String field, String name, String... collections) {
    StringBuilder expected = new StringBuilder("projects/{project}/locations/{location}");
    for (String c : collections) {
      expected.append('/').append(c).append("/{").append(singular(c)).append('}');
    }
    if (name.isEmpty()) {
      throw ApiException.invalidArgument(field, field + " is required (expected: " + expected + ")");
    }
    String[] parts = name.split("/", -1);
    int n = 4 + 2 * collections.length;
    if (parts.length != n) {
      throw invalid(field, name, expected.toString());
    }
    Location location = location(field, String.join("/", parts[0], parts[1], parts[2], parts[3]));
    String[] ids = new String[collections.length];
    for (int i = 0; i < collections.length; i++) {
      String id = parts[5 + 2 * i];
      if (!parts[4 + 2 * i].equals(collections[i]) || id.isEmpty() || !id.matches("[A-Za-z0-9_-]{1,64}")) {
        throw invalid(field, name, expected.toString());
      }
      ids[i] = id;
    }
    return new Parsed(location, ids);
  }

  private static String singular(String collection) {
    return switch (collection) {
      case "datasets" -> "dataset";
      case "models" -> "model";
      case "operations" -> "operation";
      case "annotationSpecs" -> "annotation_spec";
      default -> "model_evaluation";
    };
  }

  private static ApiException invalid(String field, String name, String expected) {
    return ApiException.invalidArgument(field, field + ": '" + ResourceNames.abbreviate(name)
        + "' is not a valid name (expected: " + expected + ")");
  }
}
