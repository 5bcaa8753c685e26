package dev.nimbus.server.storage;

import dev.nimbus.server.config.BucketNames;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A Cloud Storage URI, {@code gs://BUCKET/OBJECT}: the one place such URIs are parsed. Object names are taken as
 * written (AutoML's CSVs do not percent-encode them), and only names that are also safe relative paths are
 * accepted: no empty, {@code .} or {@code ..} segments, so an object can never name something outside its
 * bucket's folder.
 *
 * @param bucket a valid bucket name
 * @param object the object's name; empty for the bucket itself (a folder, see {@link #parseFolder})
 */
public record GcsUri(String bucket, String object) {
  private static final String SCHEME = "gs://";
  /** Cloud Storage's limit on an object name, in UTF-8 bytes. */
  private static final int MAX_OBJECT_BYTES = 1024;

  /** Whether {@code uri} is meant as a {@code gs://} URI (the scheme in any case), valid or not. */
  public static boolean isGcs(String uri) {
    return uri.strip().toLowerCase(Locale.ROOT).startsWith(SCHEME);
  }

  /**
   * An object's URI, {@code gs://BUCKET/OBJECT}.
   *
   * @throws IllegalArgumentException saying what is wrong, for the caller to put next to its field or row
   */
  public static GcsUri parse(String uri) {
    GcsUri u = split(uri);
    if (u.object.isEmpty()) {
      throw new IllegalArgumentException(quote(uri.strip()) + " names a bucket, not an object (expected:"
          + " gs://" + u.bucket + "/path/to/object)");
    }
    checkObject(u.object);
    return u;
  }

  /** A folder's URI: a bucket ({@code gs://BUCKET}, {@code gs://BUCKET/}) or a prefix, with or without a final '/'. */
  public static GcsUri parseFolder(String uri) {
    GcsUri u = split(uri);
    String object = u.object.endsWith("/") ? u.object.substring(0, u.object.length() - 1) : u.object;
    if (!object.isEmpty()) {
      checkObject(object);
    }
    return new GcsUri(u.bucket, object);
  }

  private static GcsUri split(String uri) {
    String u = uri.strip();
    if (!isGcs(u)) {
      throw new IllegalArgumentException(quote(u) + " is not a gs:// URI");
    }
    String rest = u.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String problem = BucketNames.problem(bucket);
    if (problem != null) {
      throw new IllegalArgumentException(quote(bucket) + " is not a valid bucket name: " + problem + " (expected: "
          + BucketNames.RULE + ")");
    }
    return new GcsUri(bucket, slash < 0 ? "" : rest.substring(slash + 1));
  }

  private static void checkObject(String object) {
    if (object.getBytes(StandardCharsets.UTF_8).length > MAX_OBJECT_BYTES) {
      throw new IllegalArgumentException("the object name is longer than " + MAX_OBJECT_BYTES + " bytes");
    }
    for (int i = 0; i < object.length(); i++) {
      char c = object.charAt(i);
      if (c == '\0' || c == '\r' || c == '\n') {
        throw new IllegalArgumentException("the object name holds a NUL, CR or LF character");
      }
    }
    for (String segment : object.split("/", -1)) {
      if (segment.isEmpty()) {
        throw new IllegalArgumentException("the object name " + quote(object) + " has an empty segment (a leading,"
            + " trailing or doubled '/')");
      }
      if (segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException("the object name " + quote(object) + " has a '" + segment + "' segment,"
            + " which could lead outside the bucket");
      }
    }
  }

  /** Quotes what a caller wrote, shortened, so a hostile 1 MB name does not become a 1 MB message. */
  private static String quote(String s) {
    String printable = s.replaceAll("\\p{Cntrl}", "?");
    return "'" + (printable.length() <= 100 ? printable : printable.substring(0, 97) + "...") + "'";
  }

  /** This URI as written back to callers: {@code gs://BUCKET/OBJECT} ({@code gs://BUCKET/} for a bucket). */
  @Override
  public String toString() {
    return SCHEME + bucket + "/" + object;
  }
}
