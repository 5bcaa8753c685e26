package dev.nimbus.server.dataset;

import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.image.InvalidImageException;
import dev.nimbus.server.image.Thumbnailer;
import dev.nimbus.server.storage.BlobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JPEG previews of stored images, made once per image and size and kept on disk beside the blobs
 * ({@code thumbnails/ab/SHA-SIZE.jpg}). Asked sizes are rounded down to one of {@link #SIZES}, so a preview is never
 * larger than asked and a client cannot fill the disk with one file per pixel count. A preview is a cache: it is
 * written without fsync, and one lost in a crash is made again.
 */
public final class Thumbnails {
  private static final Logger log = LoggerFactory.getLogger(Thumbnails.class);
  static final int[] SIZES = {32, 48, 64, 96, 128, 160, 192, 256, 320, 384, 512, 640, 768, 1024};

  private final Path dir;
  private final BlobStore blobs;
  /** Decodes at once: each holds a subsampled raster of the source. */
  private final Semaphore decoders;

  public Thumbnails(Path dir, BlobStore blobs, int decoders) {
    this.dir = dir;
    this.blobs = blobs;
    this.decoders = new Semaphore(Math.max(1, decoders));
  }

  /** The size a request for {@code asked} pixels is served at. */
  public static int bucket(int asked) {
    if (asked < SIZES[0] || asked > 4096) {
      throw ApiException.invalidArgument("thumbnail_size", "thumbnail_size: " + asked + " (expected: "
          + SIZES[0] + "..4096 pixels, or 0 for the image itself)");
    }
    int size = SIZES[0];
    for (int s : SIZES) {
      if (s <= asked) {
        size = s;
      }
    }
    return size;
  }

  /** The preview of blob {@code sha} at {@code size} (one of {@link #SIZES}), made now if it is not cached. */
  public byte[] get(String sha, int size) {
    Path file = dir.resolve(sha.substring(0, 2)).resolve(sha + "-" + size + ".jpg");
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      // made below
    } catch (IOException e) {
      log.warn("Could not read a cached thumbnail, making it again: {}", e.toString());
    }
    byte[] jpeg;
    decoders.acquireUninterruptibly();
    try {
      jpeg = Thumbnailer.jpeg(blobs.read(sha), size);
    } catch (InvalidImageException e) {
      // Imports validated the image; a decoder that still fails on it is a problem of the previewer, not the caller.
      throw new IllegalStateException("cannot make a thumbnail of " + sha + ": " + e.getMessage(), e);
    } finally {
      decoders.release();
    }
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp" + Long.toHexString(
          ThreadLocalRandom.current().nextLong()));
      Files.write(tmp, jpeg);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      log.warn("Could not cache a thumbnail: {}", e.toString());
    }
    return jpeg;
  }

  /** Removes the previews of {@code sha} (its blob was deleted). */
  public void delete(String sha) {
    Path folder = dir.resolve(sha.substring(0, 2));
    for (int s : SIZES) {
      try {
        Files.deleteIfExists(folder.resolve(sha + "-" + s + ".jpg"));
      } catch (IOException e) {
        log.debug("Could not delete a thumbnail: {}", e.toString());
      }
    }
  }
}
