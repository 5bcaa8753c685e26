package dev.nimbus.server.config;

/**
 * Google Cloud Storage's rule for bucket names, in one place: the {@code gcs-buckets} setting is checked with it at
 * start-up and {@code gs://} URIs are parsed with it ({@code storage.GcsUri}), so a name the server refuses in a URI
 * is one it would also refuse to map.
 */
public final class BucketNames {
  /** What the rule says, for messages. */
  public static final String RULE = "3-63 characters of lowercase letters, digits, '-', '_' and '.', starting and"
      + " ending with a letter or digit";

  private BucketNames() {}

  /** Why {@code name} is not a valid bucket name, or null if it is one. */
  public static String problem(String name) {
    if (name.length() < 3 || name.length() > 63) {
      return "it has " + name.length() + " characters";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean letterOrDigit = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      if (!letterOrDigit && c != '-' && c != '_' && c != '.') {
        return Character.isUpperCase(c) ? "it has an uppercase letter" : "it has the character '" + (Character.isISOControl(c) ? '?' : c) + "'";
      }
      if (!letterOrDigit && (i == 0 || i == name.length() - 1)) {
        return (i == 0 ? "it starts" : "it ends") + " with '" + c + "'";
      }
    }
    return null;
  }
}
