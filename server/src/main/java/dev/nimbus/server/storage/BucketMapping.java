package dev.nimbus.server.storage;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the objects of {@code gs://} buckets are on this server. Imports, batch prediction inputs and outputs go
 * through this interface, never through a folder they work out themselves, so an object-store backend (a Cloud
 * Storage or S3 client that stages objects in a local cache folder) can replace {@link FolderBuckets} without
 * touching them.
 */
public interface BucketMapping {
  /** No bucket mapped. */
  BucketMapping NONE = new FolderBuckets(Map.of());

  /**
   * The local path of an object (for an empty object name: the bucket's folder). It may not exist; callers apply
   * their own checks (an import's roots and symbolic links, an output's never-overwrite).
   *
   * @throws UnmappedBucketException if this server holds no copy of the bucket; its message says how to add one
   */
  Path resolve(GcsUri uri) throws UnmappedBucketException;

  /** The {@code gs://} URI of a local path inside a mapped bucket's folder, or empty if it is in none. */
  Optional<GcsUri> uriOf(Path path);

  /** The mapped buckets' folders, which imports may read and outputs may be written to. */
  List<Path> folders();
}
