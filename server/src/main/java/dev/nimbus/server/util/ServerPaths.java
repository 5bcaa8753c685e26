package dev.nimbus.server.util;

import dev.nimbus.server.error.ApiException;
import java.net.URI;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Path;
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
}
