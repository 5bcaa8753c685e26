package dev.nimbus.server.model;

import dev.nimbus.server.storage.StorageException;
import dev.nimbus.server.util.ServerPaths;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Where trained models live: {@code models/<id>/} under the data directory, holding {@code saved_model/},
 * {@code labels.txt}, {@code model_card.json} and, for transfer learning, {@code head_weights.bin} (what a warm
 * start reads). A model is written into a fresh work folder and moved into place in one rename, so a model folder
 * is either complete or absent.
 */
public final class ModelFiles {
  private final Path root;

  public ModelFiles(Path root) {
    this.root = root;
  }

  /**
   * Creates the folder if needed and removes the work folders of trainings a crash interrupted (they start over,
   * in a new one); returns {@code this}.
   */
  public ModelFiles open() {
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new StorageException("cannot create " + root + ": " + e.getMessage(), e);
    }
    sweepWorkDirs();
    return this;
  }

  public Path dir(String modelId) {
    return root.resolve(modelId);
  }

  public Path savedModel(String modelId) {
    return dir(modelId).resolve("saved_model");
  }

  /** A new, empty work folder for a model being trained. */
  public Path workDir(String modelId) {
    Path p = root.resolve(".work-" + modelId + "-" + UUID.randomUUID());
    try {
      return Files.createDirectories(p);
    } catch (IOException e) {
      throw new StorageException("cannot create " + p + ": " + e.getMessage(), e);
    }
  }

  /** Moves a finished work folder into place as the model's folder, replacing any earlier one. */
  public void publish(Path workDir, String modelId) {
    Path target = dir(modelId);
    try {
      if (Files.exists(target)) {
        ServerPaths.deleteTree(target);
      }
      Files.move(workDir, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new StorageException("cannot move the trained model into " + target + ": " + e.getMessage(), e);
    }
  }

  public void delete(String modelId) {
    try {
      ServerPaths.deleteTree(dir(modelId));
    } catch (IOException e) {
      throw new StorageException("cannot delete the files of model " + modelId + ": " + e.getMessage(), e);
    }
  }

  private void sweepWorkDirs() {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, ".work-*")) {
      for (Path p : ds) {
        ServerPaths.deleteTree(p);
      }
    } catch (IOException e) {
      throw new StorageException("cannot clean " + root + ": " + e.getMessage(), e);
    }
  }

  /** Copies a folder tree to {@code target} (which must not exist or be empty). */
  public static void copyTree(Path source, Path target) throws IOException {
    Files.createDirectories(target);
    try (var files = Files.walk(source)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path dest = target.resolve(source.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(dest);
        } else {
          Files.copy(p, dest, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  /** Writes a folder tree as a zip, entries relative to {@code source}. */
  public static void zipTree(Path source, OutputStream out) throws IOException {
    try (ZipOutputStream zip = new ZipOutputStream(out); var files = Files.walk(source)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(p)) {
          zip.putNextEntry(new ZipEntry(source.relativize(p).toString().replace('\\', '/')));
          Files.copy(p, zip);
          zip.closeEntry();
        }
      }
    }
  }
}
