package dev.nimbus.server.dataset;

import com.google.rpc.Code;
import dev.nimbus.server.config.ServerConfig;
import dev.nimbus.server.dataset.RowFailure.RowException;
import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.storage.BlobStore;
import dev.nimbus.server.storage.BucketMapping;
import dev.nimbus.server.storage.GcsUri;
import dev.nimbus.server.storage.UnmappedBucketException;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.server.util.ServerPaths;
import dev.nimbus.v1.InputConfig;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CSVs that imports and batch predictions read, kept as durable copies under the data directory's
 * {@code imports/} folder: a CSV is checked (where it may be read from, its size, its syntax) and copied when the
 * operation starts, so the operation can resume after a crash whatever happens to the original, and its rows'
 * relative paths resolve against the original's folder with the import's rules.
 */
public final class CsvSnapshots {
  private static final Logger log = LoggerFactory.getLogger(CsvSnapshots.class);

  private final ServerConfig config;
  private final Path dir;
  private final Uploads uploads;
  private final BucketMapping buckets;

  public CsvSnapshots(ServerConfig config, Path dir, Uploads uploads, BucketMapping buckets) {
    this.config = config;
    this.dir = dir;
    this.uploads = uploads;
    this.buckets = buckets;
  }

  /**
   * Checks a CSV input (a server path under the import roots or a gs:// URI of a mapped bucket, or uploaded bytes
   * with an optional base folder, which may be gs:// too) and the CSV as a whole, and keeps a durable copy in the
   * data directory, so that the operation reading it can resume after a crash whatever happens to the original.
   * Returns the config that names the copy and the base folder (a local path, also for gs://).
   */
  public InputConfig take(InputConfig in) {
    byte[] csv;
    Path base;
    switch (in.getSourceCase()) {
      case CSV_URI -> {
        Path csvPath = localPath("input_config.csv_uri", in.getCsvUri(), false);
        String file = csvPath.getFileName() == null ? "" : csvPath.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!file.endsWith(".csv") && !file.endsWith(".txt")) {
          // Rows that fail are quoted back; refusing other files keeps an import from echoing arbitrary files.
          throw ApiException.invalidArgument("input_config.csv_uri", "input_config.csv_uri: '"
              + ResourceNames.abbreviate(in.getCsvUri()) + "' is not a .csv (or .txt) file");
        }
        Path real = checkInRoots("input_config.csv_uri", csvPath, false);
        csv = readCsv(real);
        base = real.getParent();
      }
      case CSV_CONTENT -> {
        csv = in.getCsvContent().toByteArray();
        if (csv.length > config.limits().maxCsvBytes()) {
          throw ApiException.invalidArgument("input_config.csv_content", "the CSV is "
              + ImportSources.megabytes(csv.length) + "; the limit is " + ImportSources.megabytes(config.limits().maxCsvBytes()));
        }
        base = null;
        if (!in.getBaseUri().isBlank()) {
          Path b = localPath("input_config.base_uri", in.getBaseUri(), true);
          base = checkInRoots("input_config.base_uri", b, true);
        }
      }
      default -> throw ApiException.invalidArgument("input_config", "input_config needs csv_uri (a CSV file on the"
          + " server) or csv_content (the CSV itself)");
    }
    ImportCsv.parse(csv);
    in.getUploadedImagesMap().forEach((uri, sha) -> {
      if (uri.isEmpty() || !BlobStore.isSha256Hex(sha)) {
        throw ApiException.invalidArgument("input_config.uploaded_images", "input_config.uploaded_images: '"
            + ResourceNames.abbreviate(uri) + "' -> '" + ResourceNames.abbreviate(sha) + "' (expected: a URI of the"
            + " CSV -> the SHA-256 of its uploaded bytes, 64 lowercase hex digits)");
      }
    });
    Path snapshot = dir.resolve(UUID.randomUUID() + ".csv");
    BlobStore.writeDurably(snapshot, csv);
    return InputConfig.newBuilder().setCsvUri(snapshot.toString()).setBaseUri(base == null ? "" : base.toString())
        .putAllUploadedImages(in.getUploadedImagesMap())
        .build();
  }

  /** The bytes of a CSV snapshot {@link #take} made. */
  public byte[] read(InputConfig snapshot) {
    try {
      return Files.readAllBytes(Path.of(snapshot.getCsvUri()));
    } catch (IOException e) {
      throw ApiException.of(Code.DATA_LOSS, "CSV_SNAPSHOT_LOST", "the server's copy of the CSV is gone; start"
          + " again");
    }
  }

  private byte[] readCsv(Path real) {
    try {
      long size = Files.size(real);
      if (size > config.limits().maxCsvBytes()) {
        throw ApiException.invalidArgument("input_config.csv_uri", "the CSV is " + ImportSources.megabytes(size)
            + "; the limit is " + ImportSources.megabytes(config.limits().maxCsvBytes()));
      }
      return Files.readAllBytes(real);
    } catch (IOException e) {
      throw ApiException.invalidArgument("input_config.csv_uri", "cannot read the CSV " + real + ": " + e.getMessage());
    }
  }

  /** A server path from a plain absolute path, a file:// URI or a gs:// URI of a mapped bucket. */
  private Path localPath(String field, String uri, boolean folder) {
    String u = uri.strip();
    String lower = u.toLowerCase(Locale.ROOT);
    if (GcsUri.isGcs(u)) {
      try {
        return buckets.resolve(folder ? GcsUri.parseFolder(u) : GcsUri.parse(u));
      } catch (IllegalArgumentException e) {
        throw ApiException.invalidArgument(field, field + ": not a valid gs:// URI: " + e.getMessage());
      } catch (UnmappedBucketException e) {
        throw ApiException.invalidArgument(field, field + ": " + e.getMessage());
      }
    }
    if (lower.startsWith("s3://")) {
      throw ApiException.invalidArgument(field, field + ": s3:// is not supported yet; copy the CSV to the server,"
          + " or send its content (csv_content)");
    }
    if (lower.startsWith("http://") || lower.startsWith("https://")) {
      throw ApiException.invalidArgument(field, field + ": the CSV must be a file on the server; send remote CSVs as"
          + " csv_content");
    }
    return ServerPaths.absolute(field, u);
  }

  /**
   * Resolves {@code p} (a file, or a folder when {@code folder}) and checks it lies under the configured import
   * roots or a mapped bucket's folder; with no import roots configured, any readable path is accepted, as it
   * becomes the import's own root.
   */
  private Path checkInRoots(String field, Path p, boolean folder) {
    try {
      if (config.importRoots().isEmpty() && buckets.uriOf(p).isEmpty()) {
        if (!config.loopbackOnly()) {
          throw ApiException.failedPrecondition("IMPORT_ROOTS_REQUIRED", field + ": this server is reachable from"
              + " other machines (host " + config.host() + ") and has no import-roots, so it imports no local"
              + " files; an administrator must set import-roots to the folders imports may read");
        }
        Path real = p.toRealPath();
        if (folder != Files.isDirectory(real)) {
          throw ApiException.invalidArgument(field, field + ": " + p + (folder ? " is not a folder" : " is a folder"));
        }
        return real;
      }
      return new ImportSources(config.importRoots(), config.httpImport(), Long.MAX_VALUE, uploads, Map.of(), buckets)
          .checkAllowed(p, folder);
    } catch (NoSuchFileException e) {
      throw ApiException.invalidArgument(field, field + ": file not found: " + p);
    } catch (IOException e) {
      throw ApiException.invalidArgument(field, field + ": cannot read " + p + ": " + e.getMessage());
    } catch (RowException e) {
      throw ApiException.invalidArgument(field, field + ": " + e.getMessage());
    }
  }

  /** Where the rows of {@code snapshot} may read images from, with the import's rules. */
  public ImportSources sources(InputConfig snapshot) {
    Path base = base(snapshot);
    List<Path> roots = !config.importRoots().isEmpty() ? config.importRoots()
        : base == null ? List.of() : List.of(base);
    return new ImportSources(roots, config.httpImport(), config.limits().maxImageBytes(), uploads,
        snapshot.getUploadedImagesMap(), buckets);
  }

  /** The uploads the rows of a finished import named: those now in the blob store are removed. */
  public void discardUploads(InputConfig snapshot) {
    snapshot.getUploadedImagesMap().values().forEach(uploads::discardIfStored);
  }

  /** The folder the rows' relative paths resolve against, or null (an uploaded CSV without a base). */
  public static Path base(InputConfig snapshot) {
    return snapshot.getBaseUri().isEmpty() ? null : Path.of(snapshot.getBaseUri());
  }

  /** Deletes a snapshot once its operation is done with it. */
  public void delete(InputConfig snapshot) {
    try {
      Files.deleteIfExists(Path.of(snapshot.getCsvUri()));
    } catch (IOException e) {
      log.warn("Could not delete the CSV snapshot {}: {}", snapshot.getCsvUri(), e.getMessage());
    }
  }

  /**
   * Deletes the snapshots older than {@code olderThanMillis} that no running operation uses ({@code inUse}, their
   * {@code csv_uri}s): those a crash left behind.
   */
  public void sweep(Set<String> inUse, long olderThanMillis) {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        if (!inUse.contains(p.toString()) && Files.getLastModifiedTime(p).toMillis() < olderThanMillis) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      log.warn("Could not clean up CSV snapshots: {}", e.getMessage());
    }
  }
}
