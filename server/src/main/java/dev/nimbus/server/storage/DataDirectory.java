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
 * of running imports), {@code LOCK}.
 */
public final class DataDirectory implements AutoCloseable {
  private final Path root;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private DataDirectory(Path root, FileChannel lockChannel, FileLock lock) {
    this.root = root;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  public static DataDirectory open(Path dir) {
    Path root = dir.toAbsolutePath().normalize();
    try {
      Files.createDirectories(root);
      Files.createDirectories(root.resolve("imports"));
    } catch (IOException e) {
      throw new StorageException("cannot create the data directory " + root + ": " + e.getMessage(), e);
    }
    FileChannel ch = null;
    try {
      ch = FileChannel.open(root.resolve("LOCK"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = ch.tryLock();
      if (lock == null) {
        throw new StorageException("the data directory " + root
            + " is in use by another Nimbus server; stop it or choose another --data-dir");
      }
      return new DataDirectory(root, ch, lock);
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

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException ignored) {
      // released with the channel anyway
    }
    closeQuietly(lockChannel);
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
