package dev.nimbus.server.util;

import com.google.rpc.Code;
import dev.nimbus.server.config.ServerConfig;
import dev.nimbus.server.error.ApiException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the server may write what a caller asks for (model exports, batch prediction results): an absolute path
 * inside the configured export roots (anywhere on a loopback-only server without them), whose folder exists, and
 * that does not exist yet (or is an empty folder, when a folder is written). Nothing is ever overwritten.
 */
public final class OutputPaths {
  private OutputPaths() {}

  public static Path check(ServerConfig config, String field, String uri, boolean emptyFolderAllowed) {
    if (uri.isBlank()) {
      throw ApiException.invalidArgument(field, field + " is required (an absolute path on the server)");
    }
    Path p = ServerPaths.absolute(field, uri);
    p = p.normalize();
    if (config.exportRoots().isEmpty()) {
      if (!config.loopbackOnly()) {
        throw ApiException.failedPrecondition("EXPORT_ROOTS_REQUIRED", "this server is reachable from other"
            + " machines and has no export-roots, so it writes no files for callers; an administrator must set"
            + " export-roots");
      }
    } else if (config.exportRoots().stream().map(r -> r.toAbsolutePath().normalize()).noneMatch(p::startsWith)) {
      throw ApiException.invalidArgument(field, field + ": " + p + " is outside the export roots ("
          + String.join(", ", config.exportRoots().stream().map(Path::toString).toList()) + ")");
    }
    if (Files.exists(p)) {
      boolean emptyFolder;
      try (var s = Files.isDirectory(p) ? Files.list(p) : null) {
        emptyFolder = s != null && s.findAny().isEmpty();
      } catch (IOException e) {
        emptyFolder = false;
      }
      if (!(emptyFolder && emptyFolderAllowed)) {
        throw ApiException.of(Code.ALREADY_EXISTS, "OUTPUT_EXISTS", field + ": " + p
            + " already exists; the server never overwrites (choose a new path" + (emptyFolderAllowed
            ? " or an empty folder)" : ")"));
      }
    }
    if (p.getParent() == null || !Files.isDirectory(p.getParent())) {
      throw ApiException.invalidArgument(field, field + ": the folder " + p.getParent() + " does not exist");
    }
    return p;
  }
}
