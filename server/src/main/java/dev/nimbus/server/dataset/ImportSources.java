package dev.nimbus.server.dataset;

import dev.nimbus.server.config.ServerConfig.HttpImport;
import dev.nimbus.server.dataset.RowFailure.Reason;
import dev.nimbus.server.dataset.RowFailure.RowException;
import dev.nimbus.server.storage.BucketMapping;
import dev.nimbus.server.storage.GcsUri;
import dev.nimbus.server.storage.UnmappedBucketException;
import dev.nimbus.server.util.ResourceNames;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where imported bytes come from, and the rules that keep an import inside what the server allows: local paths
 * (relative to a base folder, absolute, or {@code file://}) must lie under an allowed import root, both as
 * written and after symbolic links are followed; {@code http(s)://} only when enabled, and only from allowed
 * hosts, without following redirects; {@code gs://} through the server's bucket mapping (a mapped bucket's folder
 * is an import root, with the same checks); {@code s3://} is not supported yet. Sizes are checked before bytes are
 * read.
 */
public final class ImportSources {
  private static final Pattern SCHEME = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*):");

  private final List<Path> roots;
  private final List<Path> realRoots;
  private final HttpImport http;
  private final long maxBytes;
  private final HttpClient httpClient;
  private final Uploads uploads;
  private final Map<String, String> uploaded;
  private final BucketMapping buckets;

  /**
   * @param roots allowed import roots (absolute); a path is allowed if it lies under any of them
   * @param maxBytes largest file read
   */
  public ImportSources(List<Path> roots, HttpImport http, long maxBytes) {
    this(roots, http, maxBytes, null, Map.of(), BucketMapping.NONE);
  }

  /**
   * @param uploads where uploaded images are kept
   * @param uploaded URIs as written in the CSV that name uploaded images -> their SHA-256
   * @param buckets where {@code gs://} objects are; their folders are allowed roots too
   */
  public ImportSources(List<Path> roots, HttpImport http, long maxBytes, Uploads uploads,
      Map<String, String> uploaded, BucketMapping buckets) {
    this.uploads = uploads;
    this.uploaded = Map.copyOf(uploaded);
    this.buckets = buckets;
    this.roots = Stream.concat(roots.stream(), buckets.folders().stream())
        .map(p -> p.toAbsolutePath().normalize()).distinct().toList();
    List<Path> real = new ArrayList<>();
    for (Path r : this.roots) {
      try {
        real.add(r.toRealPath());
      } catch (IOException e) {
        real.add(r);
      }
    }
    this.realRoots = List.copyOf(real);
    this.http = http;
    this.maxBytes = maxBytes;
    this.httpClient = http.enabled()
        ? HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(http.timeout()).build()
        : null;
  }

  public List<Path> roots() {
    return roots;
  }

  /** Reads the bytes {@code uri} names, resolving relative paths against {@code base} (null: none). */
  public byte[] read(String uri, Path base) throws RowException {
    String sha = uploaded.get(uri);
    if (sha != null) {
      return uploads.read(sha); // never as a path: the client's paths mean nothing on the server
    }
    Matcher m = SCHEME.matcher(uri);
    if (m.find() && m.group(1).length() > 1) { // one letter would be a Windows drive, which is a path here
      String scheme = m.group(1).toLowerCase(Locale.ROOT);
      return switch (scheme) {
        case "file" -> readLocal(fileUri(uri), uri);
        case "http", "https" -> readHttp(uri);
        case "gs" -> readGcs(uri);
        case "s3" -> throw new RowException(Reason.UNSUPPORTED_URI, "s3:// URIs are not supported yet; copy the"
            + " files to the server and use local paths");
        default -> throw new RowException(Reason.UNSUPPORTED_URI, "unsupported URI scheme '" + scheme
            + "' (expected a path, file://, gs:// of a mapped bucket, or http(s):// when enabled)");
      };
    }
    Path p;
    try {
      p = Path.of(uri);
    } catch (InvalidPathException e) {
      throw new RowException(Reason.INVALID_URI, "not a valid path: " + e.getReason());
    }
    if (!p.isAbsolute()) {
      if (base == null && !uploaded.isEmpty()) {
        throw new RowException(Reason.UPLOAD_MISSING, "the image was not uploaded with the CSV (it was missing,"
            + " empty or unreadable where the upload ran)");
      }
      if (base == null) {
        throw new RowException(Reason.INVALID_URI, "a relative path, but the CSV was uploaded without base_uri;"
            + " use absolute paths or set input_config.base_uri");
      }
      p = base.resolve(p);
    }
    return readLocal(p, uri);
  }

  /** An object of a mapped bucket, read as the local file it is, under the same checks as any local path. */
  private byte[] readGcs(String uri) throws RowException {
    GcsUri gcs = gcsUri(uri);
    Path p = gcsPath(gcs);
    try {
      return readLocal(p, uri);
    } catch (RowException e) {
      if (e.reason() != Reason.FILE_NOT_FOUND) {
        throw e;
      }
      // The usual slip: 'gsutil cp -r gs://NAME DIR' makes DIR/NAME, and DIR was mapped instead of DIR/NAME.
      Path nested = gcsPath(new GcsUri(gcs.bucket(), gcs.bucket() + "/" + gcs.object()));
      if (Files.isRegularFile(nested)) {
        Path folder = gcsPath(new GcsUri(gcs.bucket(), ""));
        throw new RowException(Reason.FILE_NOT_FOUND, e.getMessage() + "; it is in " + folder.resolve(gcs.bucket())
            + ": was the bucket copied into a folder of its name? then map " + gcs.bucket() + "="
            + folder.resolve(gcs.bucket()) + " (gcs-buckets)");
      }
      throw e;
    }
  }

  /** {@code uri} parsed as a {@code gs://} object's URI; INVALID_URI saying why not. */
  private static GcsUri gcsUri(String uri) throws RowException {
    try {
      return GcsUri.parse(uri);
    } catch (IllegalArgumentException e) {
      throw new RowException(Reason.INVALID_URI, "not a valid gs:// URI: " + e.getMessage());
    }
  }

  private Path gcsPath(GcsUri uri) throws RowException {
    try {
      return buckets.resolve(uri);
    } catch (UnmappedBucketException e) {
      throw new RowException(Reason.BUCKET_NOT_MAPPED, e.getMessage());
    }
  }

  private static Path fileUri(String uri) throws RowException {
    try {
      URI u = new URI(uri);
      if (u.getAuthority() != null && !u.getAuthority().isEmpty() && !u.getAuthority().equals("localhost")) {
        throw new RowException(Reason.INVALID_URI, "file:// URIs must name a local file (no host)");
      }
      if (u.getPath() == null || !u.getPath().startsWith("/")) {
        throw new RowException(Reason.INVALID_URI, "file:// URIs must hold an absolute path, e.g. file:///data/a.jpg");
      }
      return Path.of(u.getPath());
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw new RowException(Reason.INVALID_URI, "not a valid file:// URI: " + ResourceNames.abbreviate(e.getMessage()));
    }
  }

  /** Checks that a path is allowed, then reads it. */
  private byte[] readLocal(Path path, String uri) throws RowException {
    Path p = checkAllowed(path);
    long size;
    try {
      size = Files.size(p);
    } catch (IOException e) {
      throw new RowException(Reason.READ_FAILED, "cannot read the file: " + e.getMessage());
    }
    if (size > maxBytes) {
      throw new RowException(Reason.FILE_TOO_LARGE, "the file is " + megabytes(size) + "; the limit is "
          + megabytes(maxBytes));
    }
    try {
      byte[] bytes = Files.readAllBytes(p);
      if (bytes.length > maxBytes) { // it grew while we read it
        throw new RowException(Reason.FILE_TOO_LARGE, "the file is " + megabytes(bytes.length) + "; the limit is "
            + megabytes(maxBytes));
      }
      return bytes;
    } catch (AccessDeniedException e) {
      throw new RowException(Reason.READ_FAILED, "permission denied");
    } catch (IOException e) {
      throw new RowException(Reason.READ_FAILED, "cannot read the file: " + e.getMessage());
    }
  }

  /**
   * Returns the real path of {@code path} if it is a regular file under an allowed root, as written and after
   * links are followed; otherwise says why not. Files outside the roots are refused before their existence is
   * looked at, so an import cannot probe the server's file system.
   */
  public Path checkAllowed(Path path) throws RowException {
    return checkAllowed(path, false);
  }

  /** As {@link #checkAllowed(Path)}, for a folder ({@code folder}) or a regular file. */
  public Path checkAllowed(Path path, boolean folder) throws RowException {
    Path p = path.toAbsolutePath().normalize();
    if (roots.isEmpty() && realRoots.isEmpty()) {
      throw new RowException(Reason.OUTSIDE_IMPORT_ROOTS, "no import roots allow local files for this import"
          + " (upload the CSV with base_uri, or ask an administrator to set import-roots)");
    }
    if (!under(p, roots) && !under(p, realRoots)) {
      throw new RowException(Reason.OUTSIDE_IMPORT_ROOTS, "the path is outside the allowed import roots ("
          + rootsText() + ")");
    }
    Path real;
    try {
      real = p.toRealPath();
    } catch (NoSuchFileException e) {
      throw new RowException(Reason.FILE_NOT_FOUND, "file not found: " + p);
    } catch (AccessDeniedException e) {
      throw new RowException(Reason.READ_FAILED, "permission denied: " + p);
    } catch (IOException e) {
      throw new RowException(Reason.READ_FAILED, "cannot resolve the path: " + e.getMessage());
    }
    if (!under(real, realRoots)) {
      throw new RowException(Reason.OUTSIDE_IMPORT_ROOTS, "the path leads, through a symbolic link, outside the"
          + " allowed import roots (" + rootsText() + ")");
    }
    if (folder) {
      if (!Files.isDirectory(real)) {
        throw new RowException(Reason.NOT_A_FILE, "the path is not a folder");
      }
      return real;
    }
    if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
      throw new RowException(Reason.NOT_A_FILE, Files.isDirectory(real) ? "the path is a folder, not a file"
          : "the path is not a regular file");
    }
    return real;
  }

  private String rootsText() {
    return roots.isEmpty() ? "none configured" : String.join(", ", roots.stream().map(Path::toString).toList());
  }

  private static boolean under(Path p, List<Path> roots) {
    for (Path r : roots) {
      if (p.startsWith(r)) {
        return true;
      }
    }
    return false;
  }

  private byte[] readHttp(String uri) throws RowException {
    if (!http.enabled()) {
      throw new RowException(Reason.HTTP_DISABLED, "http(s) URIs are disabled on this server (an administrator can"
          + " enable them with http-import-enabled and http-import-allowed-hosts)");
    }
    URI u;
    try {
      u = new URI(uri);
    } catch (URISyntaxException e) {
      throw new RowException(Reason.INVALID_URI, "not a valid URL: " + ResourceNames.abbreviate(e.getMessage()));
    }
    String host = u.getHost() == null ? "" : u.getHost().toLowerCase(Locale.ROOT);
    String hostPort = u.getPort() < 0 ? host : host + ":" + u.getPort();
    if (host.isEmpty() || !(http.allowedHosts().contains(host) || http.allowedHosts().contains(hostPort))) {
      throw new RowException(Reason.HTTP_DISABLED, "host '" + ResourceNames.abbreviate(hostPort)
          + "' is not in the server's http-import-allowed-hosts");
    }
    HttpRequest request = HttpRequest.newBuilder(u).timeout(http.timeout()).GET().build();
    try {
      HttpResponse<InputStream> response = httpClient.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = response.body()) {
        int status = response.statusCode();
        if (status / 100 == 3) {
          throw new RowException(Reason.HTTP_FAILED, "HTTP " + status + " redirect not followed; use the final URL");
        }
        if (status != 200) {
          throw new RowException(status == 404 ? Reason.FILE_NOT_FOUND : Reason.HTTP_FAILED, "HTTP " + status);
        }
        long declared = response.headers().firstValueAsLong("content-length").orElse(-1);
        if (declared > maxBytes) {
          throw new RowException(Reason.FILE_TOO_LARGE, "the file is " + megabytes(declared) + "; the limit is "
              + megabytes(maxBytes));
        }
        byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        if (bytes.length > maxBytes) {
          throw new RowException(Reason.FILE_TOO_LARGE, "the file is over the limit of " + megabytes(maxBytes));
        }
        return bytes;
      }
    } catch (IOException e) {
      throw new RowException(Reason.HTTP_FAILED, "fetch failed: " + ResourceNames.abbreviate(String.valueOf(e.getMessage())));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RowException(Reason.HTTP_FAILED, "fetch interrupted");
    }
  }

  public static String megabytes(long bytes) {
    return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024.0));
  }
}
