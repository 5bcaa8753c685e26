package dev.nimbus.server.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The server's data directory, locked for the life of the server so that two servers never write the same
 * files. The lock is an OS file lock: it goes away with the process, even after {@code kill -9}.
 *
 * <p>Layout: {@code nimbus.db} (metadata), {@code blobs/} (images by SHA-256), {@code imports/} (CSV snapshots
 * of running imports), {@code models/}, {@code backbones/} (unpacked pretrained weights), {@code LOCK}.
 * Constructing one does no I/O; {@link #lock()} creates the folder and takes the lock.
 */
public final class DataDirectory implements AutoCloseable {
  private final Path root;
  private FileChannel lockChannel;
  private FileLock lock;

  public DataDirectory(Path dir) {
    this.root = dir.toAbsolutePath().normalize();
  }

  /** Creates the folder (and {@code imports/}) if needed and locks it for this process; returns {@code this}. */
  public synchronized DataDirectory lock() {
    if (lock != null) {
      throw new IllegalStateException("the data directory " + root + " is locked already");
    }
    try {
      Files.createDirectories(root);
      Files.createDirectories(imports());
    } catch (IOException e) {
      throw new StorageException("cannot create the data directory " + root + ": " + e.getMessage(), e);
    }
    FileChannel ch = null;
    try {
      ch = FileChannel.open(root.resolve("LOCK"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock l = ch.tryLock();
      if (l == null) {
        throw new StorageException("the data directory " + root
            + " is in use by another Nimbus server; stop it or choose another --data-dir");
      }
      lockChannel = ch;
      lock = l;
      return this;
    } catch (OverlappingFileLockException e) {
      closeQuietly(ch);
      throw new StorageException("the data directory " + root + " is already open in this process", e);
    } catch (IOException e) {
      closeQuietly(ch);
      throw new StorageException("cannot lock the data directory " + root + ": " + e.getMessage(), e);
    } catch (StorageException e) {
      closeQuietly(ch);
      throw e;
    }
  }

  public Path root() {
    return root;
  }

  public Path database() {
    return root.resolve("nimbus.db");
  }

  public Path blobs() {
    return root.resolve("blobs");
  }

  public Path imports() {
    return root.resolve("imports");
  }

  /** Images clients sent for an import that has not read them yet (see {@code dataset.Uploads}). */
  public Path uploads() {
    return root.resolve("uploads");
  }

  /** Cached JPEG previews of stored images. */
  public Path thumbnails() {
    return root.resolve("thumbnails");
  }

  public Path models() {
    return root.resolve("models");
  }

  public Path backbones() {
    return root.resolve("backbones");
  }

  /** Releases the lock; a directory never locked (or released already) is left alone. */
  @Override
  public synchronized void close() {
    if (lock == null) {
      return;
    }
    try {
      lock.release();
    } catch (IOException ignored) {
      // released with the channel anyway
    }
    closeQuietly(lockChannel);
    lock = null;
    lockChannel = null;
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // nothing to do
      }
    }
  }
}
