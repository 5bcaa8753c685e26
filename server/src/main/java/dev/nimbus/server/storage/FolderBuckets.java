package dev.nimbus.server.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Buckets copied to local folders ({@code gcs-buckets}): each folder is its bucket's root, so
 * {@code gs://NAME/a/b.jpg} is {@code FOLDER/a/b.jpg}. That is what {@code gsutil -m rsync -r gs://NAME FOLDER}
 * makes; {@code gsutil -m cp -r gs://NAME DIR} makes {@code DIR/NAME}, which is then the folder to map.
 */
public final class FolderBuckets implements BucketMapping {
  private final Map<String, Path> folders = new LinkedHashMap<>();

  /** @param folders bucket name -> folder; names are expected valid (the config checked them). Does no I/O. */
  public FolderBuckets(Map<String, Path> folders) {
    folders.forEach((name, folder) -> this.folders.put(name, folder.toAbsolutePath().normalize()));
  }

  @Override
  public Path resolve(GcsUri uri) throws UnmappedBucketException {
    Path folder = folders.get(uri.bucket());
    if (folder == null) {
      throw new UnmappedBucketException(uri.bucket(), folders.keySet());
    }
    Path p = uri.object().isEmpty() ? folder : folder.resolve(uri.object()).normalize();
    if (!p.startsWith(folder)) { // GcsUri refuses '..' segments; this keeps that promise if it ever changes
      throw new IllegalArgumentException("object '" + uri.object() + "' leads outside its bucket");
    }
    return p;
  }

  @Override
  public Optional<GcsUri> uriOf(Path path) {
    Path p = path.toAbsolutePath().normalize();
    String bestName = null;
    Path bestFolder = null;
    // Also the folders with symbolic links followed, so a path given as its real path maps back too.
    for (Map<String, Path> m : List.of(folders, realFolders())) {
      for (Map.Entry<String, Path> e : m.entrySet()) {
        // The deepest folder wins, should one bucket's folder lie inside another's.
        if (p.startsWith(e.getValue()) && (bestFolder == null
            || e.getValue().getNameCount() > bestFolder.getNameCount())) {
          bestName = e.getKey();
          bestFolder = e.getValue();
        }
      }
    }
    if (bestFolder == null) {
      return Optional.empty();
    }
    List<String> segments = new ArrayList<>();
    bestFolder.relativize(p).forEach(s -> segments.add(s.toString()));
    String object = p.equals(bestFolder) ? "" : String.join("/", segments);
    return Optional.of(new GcsUri(bestName, object));
  }

  private Map<String, Path> realFolders() {
    Map<String, Path> real = new LinkedHashMap<>();
    folders.forEach((name, folder) -> {
      try {
        real.put(name, folder.toRealPath());
      } catch (IOException e) {
        real.put(name, folder); // checked to exist at start-up; if it went since, reads fail with their own message
      }
    });
    return real;
  }

  @Override
  public List<Path> folders() {
    return List.copyOf(folders.values());
  }
}
