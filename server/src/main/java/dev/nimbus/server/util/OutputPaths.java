package dev.nimbus.server.util;

import com.google.rpc.Code;
import dev.nimbus.server.config.ServerConfig;
import dev.nimbus.server.error.ApiException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/**
 * Where the server may write what a caller asks for (model and dataset exports, batch predictions): an absolute path
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

  /**
   * Moves a finished output from its temporary name to {@code out}, the path {@link #check} accepted: atomically,
   * replacing only the empty folder the request named. ALREADY_EXISTS if something else appeared there meanwhile
   * (the temporary copy is then left to the caller to delete). The caller fsyncs the parent folder.
   */
  public static void moveIntoPlace(Path temp, Path out) throws IOException {
    boolean taken;
    if (Files.isDirectory(out)) {
      try (Stream<Path> s = Files.list(out)) {
        taken = s.findAny().isPresent();
      }
      if (!taken) {
        Files.delete(out);
      }
    } else {
      taken = Files.exists(out);
    }
    if (taken) {
      throw ApiException.of(Code.ALREADY_EXISTS, "OUTPUT_EXISTS", "output_config.output_uri: " + out
          + " was written by someone else while the server prepared its output; the server never overwrites, so"
          + " nothing was written (run it again with a new path)");
    }
    Files.move(temp, out, StandardCopyOption.ATOMIC_MOVE);
  }
}
