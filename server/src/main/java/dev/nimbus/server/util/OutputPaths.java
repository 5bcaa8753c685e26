package dev.nimbus.server.util;

import com.google.rpc.Code;
import dev.nimbus.server.config.ServerConfig;
import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.storage.BucketMapping;
import dev.nimbus.server.storage.GcsUri;
import dev.nimbus.server.storage.UnmappedBucketException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where the server may write what a caller asks for (model and dataset exports, batch predictions): an absolute path
 * inside the configured export roots (anywhere on a loopback-only server without them), whose folder exists, and
 * that does not exist yet (or is an empty folder, when a folder is written). Nothing is ever overwritten.
 *
 * <p>A {@code gs://NAME/OBJECT} URI is written to its mapped bucket's folder, which counts as an export root
 * whatever export-roots says, since mapping a bucket is an administrator's choice to share it; its missing
 * folders are created when the output is written, as a bucket has no folders to create first. The URI the caller
 * gave is the one reported back (responses, metadata, status messages): a {@code gs://} caller reads
 * {@code gs://} URIs, a caller of paths reads paths.
 */
public final class OutputPaths {
  private OutputPaths() {}

  /**
   * A destination {@link #check} accepted.
   *
   * @param path where it is written on this server
   * @param uri what to keep in the operation's spec and report: the caller's {@code gs://} URI, or the path
   */
  public record Output(Path path, String uri) {}

  public static Output check(ServerConfig config, BucketMapping buckets, String field, String uri,
      boolean emptyFolderAllowed) {
    if (uri.isBlank()) {
      throw ApiException.invalidArgument(field, field + " is required (an absolute path on the server, or gs:// of"
          + " a mapped bucket)");
    }
    boolean gcs = GcsUri.isGcs(uri);
    Path p;
    String reported;
    if (gcs) {
      GcsUri g = parse(field, uri, emptyFolderAllowed);
      reported = g.toString();
      try {
        p = buckets.resolve(g);
      } catch (UnmappedBucketException e) {
        throw ApiException.invalidArgument(field, field + ": " + e.getMessage());
      }
    } else {
      p = ServerPaths.absolute(field, uri).normalize();
      reported = p.toString();
    }
    Optional<GcsUri> inBucket = buckets.uriOf(p);
    if (inBucket.isPresent()) {
      checkStaysInBucket(field, buckets, p, inBucket.get());
    } else if (config.exportRoots().isEmpty()) {
      if (!config.loopbackOnly()) {
        throw ApiException.failedPrecondition("EXPORT_ROOTS_REQUIRED", "this server is reachable from other"
            + " machines and has no export-roots, so it writes no files for callers; an administrator must set"
            + " export-roots (or map a bucket with gcs-buckets)");
      }
    } else if (config.exportRoots().stream().map(r -> r.toAbsolutePath().normalize()).noneMatch(p::startsWith)) {
      throw ApiException.invalidArgument(field, field + ": " + p + " is outside the export roots ("
          + String.join(", ", config.exportRoots().stream().map(Path::toString).toList()) + ")");
    }
    if (Files.exists(p)) {
      boolean emptyFolder;
      try (var s = Files.isDirectory(p) ? Files.list(p) : null) {
        emptyFolder = s != null && s.findAny().isEmpty();
      } catch (IOException e) {
        emptyFolder = false;
      }
      if (!(emptyFolder && emptyFolderAllowed)) {
        throw ApiException.of(Code.ALREADY_EXISTS, "OUTPUT_EXISTS", field + ": " + reported
            + " already exists; the server never overwrites (choose a new path" + (emptyFolderAllowed
            ? " or an empty folder)" : ")"));
      }
    }
    if (!gcs && (p.getParent() == null || !Files.isDirectory(p.getParent()))) {
      throw ApiException.invalidArgument(field, field + ": the folder " + p.getParent() + " does not exist");
    }
    return new Output(p, reported);
  }

  /**
   * The local path to write an output {@link #check} accepted (its {@link Output#uri}), with the missing folders
   * of a {@code gs://} object created. Fails if the bucket is no longer mapped (the server restarted without it).
   */
  public static Path prepare(BucketMapping buckets, String uri) throws IOException {
    if (!GcsUri.isGcs(uri)) {
      return Path.of(uri);
    }
    Path p;
    try {
      p = buckets.resolve(GcsUri.parseFolder(uri));
    } catch (UnmappedBucketException e) {
      throw ApiException.failedPrecondition("BUCKET_NOT_MAPPED", "cannot write " + uri + ": " + e.getMessage());
    }
    Files.createDirectories(p.getParent());
    return p;
  }

  /**
   * Moves a finished output from its temporary name to {@code out}, the path {@link #check} accepted: atomically,
   * replacing only the empty folder the request named. ALREADY_EXISTS if something else appeared there meanwhile
   * (the temporary copy is then left to the caller to delete). The caller fsyncs the parent folder.
   */
  public static void moveIntoPlace(Path temp, Path out) throws IOException {
    boolean taken;
    if (Files.isDirectory(out)) {
      try (Stream<Path> s = Files.list(out)) {
        taken = s.findAny().isPresent();
      }
      if (!taken) {
        Files.delete(out);
      }
    } else {
      taken = Files.exists(out);
    }
    if (taken) {
      throw ApiException.of(Code.ALREADY_EXISTS, "OUTPUT_EXISTS", "output_config.output_uri: " + out
          + " was written by someone else while the server prepared its output; the server never overwrites, so"
          + " nothing was written (run it again with a new path)");
    }
    Files.move(temp, out, StandardCopyOption.ATOMIC_MOVE);
  }

  private static GcsUri parse(String field, String uri, boolean folder) {
    GcsUri g;
    try {
      g = folder ? GcsUri.parseFolder(uri) : GcsUri.parse(uri);
    } catch (IllegalArgumentException e) {
      throw ApiException.invalidArgument(field, field + ": not a valid gs:// URI: " + e.getMessage());
    }
    if (g.object().isEmpty()) {
      throw ApiException.invalidArgument(field, field + ": " + uri.strip() + " is a whole bucket; name a folder in"
          + " it (gs://" + g.bucket() + "/exports/my-model)");
    }
    return g;
  }

  /**
   * Refuses a destination in a bucket's folder that a symbolic link leads out of: its nearest existing folder,
   * links followed, must still be inside the bucket's folder, links followed.
   */
  private static void checkStaysInBucket(String field, BucketMapping buckets, Path p, GcsUri in) {
    try {
      Path folder = buckets.resolve(new GcsUri(in.bucket(), "")).toRealPath();
      Path existing = p;
      while (existing != null && !Files.exists(existing)) {
        existing = existing.getParent();
      }
      if (existing == null || !existing.toRealPath().startsWith(folder)) {
        throw ApiException.invalidArgument(field, field + ": " + p + " leads, through a symbolic link, outside the"
            + " folder of bucket '" + in.bucket() + "'");
      }
    } catch (IOException | UnmappedBucketException e) {
      throw ApiException.invalidArgument(field, field + ": cannot resolve " + p + ": " + e.getMessage());
    }
  }
}
