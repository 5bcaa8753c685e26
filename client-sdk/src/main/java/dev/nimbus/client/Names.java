package dev.nimbus.client;

import static dev.nimbus.client.Checks.requireArgument;
import static java.util.Objects.requireNonNull;

/**
 * Resource names from what people type: {@code dataset("clouds")} and {@code dataset("datasets/clouds")} are both
 * {@code "datasets/clouds"}. Only the shape is checked here; the server checks the ids themselves.
 */
public final class Names {
  private Names() {}

  /** {@code "clouds"} or {@code "datasets/clouds"} to {@code "datasets/clouds"}. */
  public static String dataset(String nameOrId) {
    return qualify("dataset", "datasets", "clouds", nameOrId);
  }

  /** {@code "flowers_v1"} or {@code "models/flowers_v1"} to {@code "models/flowers_v1"}. */
  public static String model(String nameOrId) {
    return qualify("model", "models", "flowers_v1", nameOrId);
  }

  /** {@code "abc"} or {@code "operations/abc"} to {@code "operations/abc"}. */
  public static String operation(String nameOrId) {
    return qualify("operation", "operations", "3f2a", nameOrId);
  }

  /** {@code datasets/{dataset}/examples/{exampleId}}, the dataset given as an id or a name. */
  public static String example(String datasetNameOrId, String exampleId) {
    requireNonNull(exampleId, "exampleId");
    requireArgument(!exampleId.isBlank() && exampleId.indexOf('/') < 0,
        "exampleId: '%s' (expected: the SHA-256 of the image, as in Example.content_sha256)", exampleId);
    return dataset(datasetNameOrId) + "/examples/" + exampleId;
  }

  /** Checks the shape {@code datasets/{dataset}/examples/{example}} of a full example name. */
  public static String example(String name) {
    requireNonNull(name, "example");
    String[] parts = name.split("/", -1);
    requireArgument(parts.length == 4 && parts[0].equals("datasets") && !parts[1].isBlank()
            && parts[2].equals("examples") && !parts[3].isBlank(),
        "example: '%s' (expected: a name like 'datasets/clouds/examples/{sha256}')", name);
    return name;
  }

  private static String qualify(String what, String collection, String sampleId, String nameOrId) {
    requireNonNull(nameOrId, what);
    String id = nameOrId.startsWith(collection + "/") ? nameOrId.substring(collection.length() + 1) : nameOrId;
    requireArgument(!id.isBlank() && id.indexOf('/') < 0,
        "%s: '%s' (expected: an id like '%s' or a name like '%s/%s')", what, nameOrId, sampleId, collection,
        sampleId);
    return collection + "/" + id;
  }
}
