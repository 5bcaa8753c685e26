package dev.nimbus.server.util;

import dev.nimbus.server.error.ApiException;
import java.net.URI;
import java.io.IOException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;

/** Paths on the server that callers name: a plain absolute path or a {@code file://} URI. */
public final class ServerPaths {
  private ServerPaths() {}

  /** {@code uri} as an absolute path; INVALID_ARGUMENT naming {@code field} if it is not one. */
  public static Path absolute(String field, String uri) {
    String u = uri.strip();
    Path p;
    try {
      p = u.toLowerCase(Locale.ROOT).startsWith("file:") ? Path.of(URI.create(u)) : Path.of(u);
    } catch (IllegalArgumentException | FileSystemNotFoundException e) {
      throw ApiException.invalidArgument(field, field + ": '" + ResourceNames.abbreviate(u)
          + "' is not a valid path or file:// URI");
    }
    if (!p.isAbsolute()) {
      throw ApiException.invalidArgument(field, field + ": '" + ResourceNames.abbreviate(u)
          + "' is relative (expected: an absolute path on the server, or file:///...)");
    }
    return p;
  }

  /**
   * Deletes a file or a folder with everything in it; nothing if it does not exist. For the server's own folders
   * (model files, half-written exports), never a path a caller named.
   */
  public static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    Files.walkFileTree(p, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
