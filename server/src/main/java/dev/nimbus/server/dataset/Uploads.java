package dev.nimbus.server.dataset;

import com.google.protobuf.ByteString;
import com.google.rpc.Code;
import dev.nimbus.server.dataset.RowFailure.Reason;
import dev.nimbus.server.dataset.RowFailure.RowException;
import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.storage.BlobStore;
import dev.nimbus.server.storage.StorageException;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.v1.FindMissingImagesResponse.MissingImage;
import dev.nimbus.v1.ImageChunk;
import dev.nimbus.v1.UploadImagesResponse.ImageProgress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Image bytes sent by clients (UploadImages) for the import that follows. An image arrives in chunks appended to
 * {@code uploads/SHA.part} at the offset the server reports, so an upload cut off midway resumes where it stopped;
 * once all its bytes are there and hash to the announced SHA-256, the file is fsynced and renamed to
 * {@code uploads/SHA}. ImportData reads it from there when a row names it through
 * {@code InputConfig.uploaded_images}, and validates it like any other image; nothing here is ever reachable as a
 * path. An image the blob store already holds is never asked for (content addressing: same hash, same bytes), so
 * a repeated upload sends no image bytes. Files untouched for {@link #TTL} are removed.
 */
public final class Uploads {
  private static final Logger log = LoggerFactory.getLogger(Uploads.class);
  /** How long an uploaded image waits for an import to name it. */
  public static final Duration TTL = Duration.ofHours(24);
  /** Hashes one FindMissingImages call may ask about. */
  public static final int MAX_HASHES = 10_000;
  private static final String PARTIAL = ".part";

  private final Path dir;
  private final BlobStore blobs;
  private final long maxImageBytes;
  private final Clock clock;
  private final Object[] stripes = new Object[64];

  public Uploads(Path dir, BlobStore blobs, long maxImageBytes, Clock clock) {
    this.dir = dir;
    this.blobs = blobs;
    this.maxImageBytes = maxImageBytes;
    this.clock = clock;
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new Object();
    }
  }

  /** Creates the folder and removes what has outlived {@link #TTL}; returns {@code this}. */
  public Uploads open() {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new StorageException("cannot prepare the uploads folder: " + e.getMessage(), e);
    }
    sweep();
    return this;
  }

  /** Of {@code hashes}, those the server holds neither as a blob nor as a finished upload, in order. */
  public List<MissingImage> missing(List<String> hashes) {
    if (hashes.size() > MAX_HASHES) {
      throw ApiException.invalidArgument("sha256", "sha256: " + hashes.size() + " hashes (expected: at most "
          + MAX_HASHES + " per call)");
    }
    List<MissingImage> out = new ArrayList<>();
    Map<String, Boolean> seen = new LinkedHashMap<>();
    for (int i = 0; i < hashes.size(); i++) {
      String sha = checkedHash("sha256[" + i + "]", hashes.get(i));
      if (seen.put(sha, Boolean.TRUE) != null || holds(sha)) {
        continue;
      }
      out.add(MissingImage.newBuilder().setSha256(sha).setReceivedBytes(size(partial(sha))).build());
    }
    return out;
  }

  /**
   * Appends each chunk at its image's current end; a chunk wholly before it (a retry) is skipped, one after it is
   * refused (FAILED_PRECONDITION, saying where to resume). Returns each distinct image's progress.
   */
  public List<ImageProgress> receive(List<ImageChunk> chunks) {
    Map<String, ImageProgress> progress = new LinkedHashMap<>();
    for (int i = 0; i < chunks.size(); i++) {
      ImageChunk chunk = chunks.get(i);
      String field = "chunks[" + i + "]";
      String sha = checkedHash(field + ".sha256", chunk.getSha256());
      long total = chunk.getTotalBytes();
      if (total <= 0 || total > maxImageBytes) {
        throw ApiException.invalidArgument(field + ".total_bytes", field + ".total_bytes: " + total
            + " (expected: 1.." + maxImageBytes + ", the server's max-image-bytes)");
      }
      long offset = chunk.getOffset();
      if (offset < 0 || offset + chunk.getData().size() > total) {
        throw ApiException.invalidArgument(field + ".offset", field + ": bytes " + offset + ".."
            + (offset + chunk.getData().size()) + " lie outside the image's " + total + " bytes");
      }
      synchronized (stripes[Math.floorMod(sha.hashCode(), stripes.length)]) {
        progress.put(sha, append(sha, chunk, total, field));
      }
    }
    // The renames of the images this call finished reach the disk together: one folder fsync per call, before
    // the answer says they are complete.
    if (progress.values().stream().anyMatch(ImageProgress::getComplete)) {
      try {
        BlobStore.fsyncDirectory(dir);
      } catch (IOException e) {
        throw new StorageException("cannot keep an uploaded image: " + e.getMessage(), e);
      }
    }
    return List.copyOf(progress.values());
  }

  private ImageProgress append(String sha, ImageChunk chunk, long total, String field) {
    ImageProgress.Builder done = ImageProgress.newBuilder().setSha256(sha).setReceivedBytes(total).setComplete(true);
    if (holds(sha)) {
      return done.build();
    }
    Path part = partial(sha);
    boolean whole = chunk.getOffset() == 0 && chunk.getData().size() == total;
    if (whole) {
      // The common case, a small image in one chunk: checked in memory before anything is written.
      checkHash(sha, sha256Of(chunk.getData()), total, field, part);
    }
    try (FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      long have = ch.size();
      long offset = chunk.getOffset();
      if (have > total) { // a different total than before: the partial belongs to other bytes
        ch.truncate(0);
        have = 0;
      }
      if (offset > have) {
        throw ApiException.of(Code.FAILED_PRECONDITION, "UPLOAD_OFFSET_MISMATCH", field
            + ": the upload of " + sha + " is at byte " + have + ", not " + offset + "; send from byte " + have,
            Map.of("sha256", sha, "received_bytes", Long.toString(have)));
      }
      ByteBuffer data = chunk.getData().asReadOnlyByteBuffer();
      long skip = have - offset;
      if (skip < data.remaining()) {
        data.position((int) skip);
        ch.position(have);
        while (data.hasRemaining()) {
          have += ch.write(data);
        }
      }
      if (have < total) {
        return ImageProgress.newBuilder().setSha256(sha).setReceivedBytes(have).build();
      }
      ch.force(true);
    } catch (IOException e) {
      throw new StorageException("cannot write an uploaded image: " + e.getMessage(), e);
    }
    if (!whole) {
      checkHash(sha, sha256Of(part), total, field, part);
    }
    try {
      Files.move(part, complete(sha), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new StorageException("cannot keep an uploaded image: " + e.getMessage(), e);
    }
    return done.build();
  }

  /** Refuses bytes that are not the ones announced, and drops what arrived of them. */
  private static void checkHash(String sha, String actual, long total, String field, Path part) {
    if (!actual.equals(sha)) {
      deleteQuietly(part);
      throw ApiException.of(Code.INVALID_ARGUMENT, "UPLOAD_HASH_MISMATCH", field + ": the "
          + total + " bytes received hash to " + actual + ", not " + sha + "; the partial upload was discarded,"
          + " send the image again from byte 0", Map.of("sha256", sha));
    }
  }

  private static String sha256Of(ByteString bytes) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(bytes.asReadOnlyByteBuffer());
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * The bytes of an uploaded image for an import row: the finished upload, or the blob of the same hash.
   *
   * @throws RowException if neither exists (never uploaded, or expired)
   */
  public byte[] read(String sha) throws RowException {
    if (!BlobStore.isSha256Hex(sha)) {
      throw new RowException(Reason.INVALID_URI, "uploaded_images names '" + sha + "', which is not a SHA-256 (64"
          + " lowercase hex digits)");
    }
    try {
      return Files.readAllBytes(complete(sha));
    } catch (NoSuchFileException e) {
      // fall through to the blob store
    } catch (IOException e) {
      throw new RowException(Reason.READ_FAILED, "cannot read the uploaded image: " + e.getMessage());
    }
    try {
      return blobs.read(sha);
    } catch (StorageException | UncheckedIOException e) {
      throw new RowException(Reason.UPLOAD_MISSING, "the image " + sha + " was not uploaded (or its upload"
          + " expired after " + TTL.toHours() + " hours); upload it again");
    }
  }

  /** Removes a finished upload once its bytes are in the blob store. */
  public void discardIfStored(String sha) {
    if (BlobStore.isSha256Hex(sha) && blobs.exists(sha)) {
      deleteQuietly(complete(sha));
    }
  }

  /** Removes uploads untouched for {@link #TTL}; returns how many. */
  public int sweep() {
    long cutoff = clock.millis() - TTL.toMillis();
    int removed = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        try {
          if (Files.getLastModifiedTime(f).toMillis() < cutoff && Files.deleteIfExists(f)) {
            removed++;
          }
        } catch (IOException e) {
          log.debug("Skipped {} while sweeping uploads: {}", f.getFileName(), e.toString());
        }
      }
    } catch (IOException e) {
      log.warn("Could not sweep old uploads: {}", e.toString());
    }
    if (removed > 0) {
      log.info("Removed {} uploaded images no import named within {} hours", removed, TTL.toHours());
    }
    return removed;
  }

  private boolean holds(String sha) {
    return blobs.exists(sha) || Files.exists(complete(sha));
  }

  private Path partial(String sha) {
    return dir.resolve(sha + PARTIAL);
  }

  private Path complete(String sha) {
    return dir.resolve(sha);
  }

  private static String checkedHash(String field, String sha) {
    if (!BlobStore.isSha256Hex(sha)) {
      throw ApiException.invalidArgument(field, field + ": '" + ResourceNames.abbreviate(sha)
          + "' (expected: a SHA-256, 64 lowercase hex digits)");
    }
    return sha;
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return 0;
    }
  }

  private static String sha256Of(Path p) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        while (ch.read(buf) >= 0) {
          buf.flip();
          md.update(buf);
          buf.clear();
        }
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (IOException e) {
      throw new StorageException("cannot read an uploaded image: " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      log.debug("Could not delete {}: {}", p.getFileName(), e.toString());
    }
  }
}
