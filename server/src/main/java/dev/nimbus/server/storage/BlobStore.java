package dev.nimbus.server.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Content-addressed files: a blob is stored once under its SHA-256, at {@code root/ab/abcdef...}. A write goes
 * to a temporary file, is fsynced, renamed into place atomically and its folder fsynced, so a blob that
 * {@link #put} returned for is on disk whatever happens next, and a half-written blob is never visible.
 *
 * <p>Garbage collection must not delete a blob that an import is about to reference: an import
 * {@linkplain #pin pins} each blob from before it writes it until its database transaction has committed, and
 * {@link #deleteIfUnreferenced} skips pinned blobs. Both run under a per-hash lock.
 */
public final class BlobStore {
  private static final Logger log = LoggerFactory.getLogger(BlobStore.class);
  private static final HexFormat HEX = HexFormat.of();

  private final Path root;
  private final Path tmp;
  private final Map<String, AtomicInteger> pins = new ConcurrentHashMap<>();
  private final Object[] stripes = new Object[64];

  public BlobStore(Path root) {
    this.root = root;
    this.tmp = root.resolve(".tmp");
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new Object();
    }
  }

  /** Creates the folders if needed and removes the half-written files a crash left; returns {@code this}. */
  public BlobStore open() {
    try {
      Files.createDirectories(tmp);
      // Leftovers of writes interrupted by a crash.
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmp)) {
        for (Path p : ds) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      throw new StorageException("cannot prepare the blob folder " + root + ": " + e.getMessage(), e);
    }
    return this;
  }

  public static String sha256Hex(byte[] bytes) {
    try {
      return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  public static boolean isSha256Hex(String s) {
    if (s.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  public Path path(String sha256) {
    return root.resolve(sha256.substring(0, 2)).resolve(sha256);
  }

  /**
   * Marks a blob as about to be referenced, so garbage collection leaves it alone. Call {@link #unpin} once
   * the reference is committed (or abandoned).
   */
  public void pin(String sha256) {
    synchronized (stripe(sha256)) {
      pins.computeIfAbsent(sha256, k -> new AtomicInteger()).incrementAndGet();
    }
  }

  public void unpin(String sha256) {
    synchronized (stripe(sha256)) {
      AtomicInteger n = pins.get(sha256);
      if (n != null && n.decrementAndGet() <= 0) {
        pins.remove(sha256);
      }
    }
  }

  /**
   * Stores {@code bytes} under {@code sha256} (which the caller computed) unless a blob of that name and size is
   * already there. The caller must hold a {@linkplain #pin pin} on the hash. Durable on return.
   */
  public void put(String sha256, byte[] bytes) {
    Batch batch = batch();
    batch.put(sha256, bytes);
    batch.sync();
  }

  /** A group of writes whose folders are fsynced once, together, by {@link Batch#sync}. */
  public Batch batch() {
    return new Batch();
  }

  /**
   * Writes that become durable together. Each {@link #put} fsyncs its file and renames it into place; the
   * renames (folder entries) are made durable by {@link #sync}, once per folder, which must be called before
   * anything that refers to the blobs is committed. Thread-safe.
   */
  public final class Batch {
    private final Set<Path> dirtyFolders = ConcurrentHashMap.newKeySet();

    private Batch() {}

    public void put(String sha256, byte[] bytes) {
      Path target = path(sha256);
      synchronized (stripe(sha256)) {
        try {
          if (Files.size(target) == bytes.length) {
            return;
          }
        } catch (NoSuchFileException e) {
          // not stored yet
        } catch (IOException e) {
          throw new StorageException("cannot read blob " + target + ": " + e.getMessage(), e);
        }
      }
      Path temp = tmp.resolve(sha256 + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()));
      try {
        writeAndForce(temp, bytes);
        Path dir = target.getParent();
        Files.createDirectories(dir);
        synchronized (stripe(sha256)) {
          try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
          } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
          }
        }
        dirtyFolders.add(dir);
      } catch (IOException e) {
        throw new StorageException("cannot write blob " + target + ": " + e.getMessage(), e);
      } finally {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // best effort; the folder is swept at start-up
        }
      }
    }

    /** Makes every put of this batch durable. */
    public void sync() {
      for (Path dir : dirtyFolders) {
        try {
          fsyncDirectory(dir);
        } catch (IOException e) {
          throw new StorageException("cannot sync blob folder " + dir + ": " + e.getMessage(), e);
        }
      }
      dirtyFolders.clear();
    }
  }

  private static void writeAndForce(Path file, byte[] bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
  }

  public boolean exists(String sha256) {
    return Files.isRegularFile(path(sha256));
  }

  public byte[] read(String sha256) {
    try {
      return Files.readAllBytes(path(sha256));
    } catch (IOException e) {
      throw new StorageException("cannot read blob " + sha256 + ": " + e.getMessage(), e);
    }
  }

  public InputStream open(String sha256) throws IOException {
    return Files.newInputStream(path(sha256));
  }

  /**
   * Deletes a blob unless it is pinned or {@code referenced} says it is still in use. Returns whether it
   * was deleted.
   */
  public boolean deleteIfUnreferenced(String sha256, Predicate<String> referenced) {
    synchronized (stripe(sha256)) {
      if (pins.containsKey(sha256) || referenced.test(sha256)) {
        return false;
      }
      try {
        return Files.deleteIfExists(path(sha256));
      } catch (IOException e) {
        log.warn("Could not delete unreferenced blob {}: {}", sha256, e.getMessage());
        return false;
      }
    }
  }

  /**
   * Deletes blobs last modified before {@code olderThanMillis} that nothing references: what a crash between
   * writing a blob and committing its reference leaves behind. Returns how many were deleted.
   */
  public int sweep(long olderThanMillis, Predicate<String> referenced) {
    int deleted = 0;
    try (DirectoryStream<Path> fans = Files.newDirectoryStream(root, p -> p.getFileName().toString().length() == 2)) {
      for (Path fan : fans) {
        try (DirectoryStream<Path> blobs = Files.newDirectoryStream(fan)) {
          for (Path blob : blobs) {
            String name = blob.getFileName().toString();
            if (isSha256Hex(name) && Files.getLastModifiedTime(blob).toMillis() < olderThanMillis
                && deleteIfUnreferenced(name, referenced)) {
              deleted++;
            }
          }
        }
      }
    } catch (IOException e) {
      log.warn("Blob sweep stopped early: {}", e.getMessage());
    }
    return deleted;
  }

  private Object stripe(String sha256) {
    return stripes[Math.floorMod(sha256.hashCode(), stripes.length)];
  }

  public static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /** Writes a small file durably (temp, fsync, atomic rename, fsync folder). */
  public static void writeDurably(Path target, byte[] bytes) {
    Path temp = target.resolveSibling(target.getFileName() + ".tmp" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
    try {
      Files.createDirectories(target.getParent());
      writeAndForce(temp, bytes);
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      fsyncDirectory(target.getParent());
    } catch (IOException e) {
      throw new StorageException("cannot write " + target + ": " + e.getMessage(), e);
    } finally {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException ignored) {
        // best effort
      }
    }
  }
}
