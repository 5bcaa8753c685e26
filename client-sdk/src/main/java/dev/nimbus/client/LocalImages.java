package dev.nimbus.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * What an upload sends: the CSV for ImportData and the images on this machine that its rows name, each under the
 * URI as the row writes it. Three layouts are read:
 * <ul>
 *   <li>a CSV file ({@code [set,]uri,label}): relative URIs resolve against its folder; absolute paths and
 *       {@code file://} URIs are read as they are; other schemes ({@code http://}, {@code gs://}) are left to the
 *       server;</li>
 *   <li>a folder with one sub-folder per label ({@code clouds/cirrus/a.jpg} is labelled {@code cirrus}; images
 *       deeper down belong to their top sub-folder), as Create ML and Keras' {@code image_dataset_from_directory}
 *       take data; a top sub-folder named after a split ({@code train/}, {@code validation/} or {@code val/},
 *       {@code test/}) sets the split and the next one the label ({@code clouds/test/cirrus/a.jpg}); the CSV is
 *       written here (the console reads folders by the same rule);</li>
 *   <li>a zip of either: a CSV inside it names entries relative to the CSV's folder in the zip; without one, the
 *       folder layout, below a single top folder if everything lies in one.</li>
 * </ul>
 * The CSV parsing here only finds the URI column (the server parses the CSV for real, row by row): fields are
 * split as RFC 4180 says and trimmed, and a first field naming a split shifts the URI to the second.
 */
final class LocalImages implements AutoCloseable {
  static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "gif", "bmp", "webp", "tif", "tiff");
  private static final Set<String> SPLITS = Set.of("TRAIN", "TRAINING", "VALIDATION", "VALIDATE", "TEST",
      "UNASSIGNED");
  /** Top folder names that set a split in the folder layout, and the split they set. */
  private static final Map<String, String> FOLDER_SPLITS = Map.of("TRAIN", "TRAIN", "TRAINING", "TRAIN",
      "VALIDATION", "VALIDATION", "VALIDATE", "VALIDATION", "VAL", "VALIDATION", "TEST", "TEST");

  /** Opens an image's bytes. */
  @FunctionalInterface
  interface Opener {
    InputStream open() throws IOException;
  }

  /** One image: the URI its row writes, its size, and how to read its bytes. */
  record Image(String uri, long size, Opener opener) {
    InputStream open() throws IOException {
      return opener.open();
    }
  }

  private final byte[] csv;
  private final Map<String, Image> images;
  private final List<String> unreadable;
  private final ZipFile zip;

  private LocalImages(byte[] csv, Map<String, Image> images, List<String> unreadable, ZipFile zip) {
    this.csv = csv;
    this.images = images;
    this.unreadable = unreadable;
    this.zip = zip;
  }

  /** Reads {@code source}: a CSV file, a folder of label folders, or a zip of either. */
  static LocalImages read(Path source) throws IOException {
    if (Files.isDirectory(source)) {
      return ofFolder(source);
    }
    if (!Files.isRegularFile(source)) {
      throw new ArgumentException("'" + source + "' is neither a CSV file, a folder nor a zip");
    }
    String name = source.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".zip")) {
      return ofZip(source);
    }
    byte[] csv = Files.readAllBytes(source);
    Path base = source.toAbsolutePath().getParent();
    Map<String, Image> images = new LinkedHashMap<>();
    List<String> unreadable = new ArrayList<>();
    for (String uri : uris(csv)) {
      Path p = localPath(uri, base);
      if (p == null || images.containsKey(uri)) {
        continue;
      }
      if (Files.isRegularFile(p) && Files.isReadable(p)) {
        images.put(uri, file(uri, p));
      } else {
        unreadable.add(uri);
      }
    }
    return new LocalImages(csv, images, unreadable, null);
  }

  byte[] csv() {
    return csv;
  }

  /** The images to send, by URI, in CSV order. */
  Map<String, Image> images() {
    return images;
  }

  /** URIs the CSV names as local files that are missing or unreadable here (their rows fail on the server). */
  List<String> unreadable() {
    return unreadable;
  }

  @Override
  public void close() throws IOException {
    if (zip != null) {
      zip.close();
    }
  }

  private static LocalImages ofFolder(Path root) throws IOException {
    Map<String, Image> images = new LinkedHashMap<>();
    Map<String, String> labels = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : (Iterable<Path>) files.sorted()::iterator) {
        Path rel = root.relativize(p);
        if (rel.getNameCount() < 2 || !Files.isRegularFile(p) || !isImage(p.getFileName().toString())
            || isHidden(rel)) {
          continue;
        }
        String uri = slashes(rel);
        String row = folderRow(uri);
        if (row != null) {
          labels.put(uri, row);
          images.put(uri, file(uri, p));
        }
      }
    }
    if (images.isEmpty()) {
      throw new ArgumentException("'" + root + "' holds no images in label folders (expected " + root
          + "/LABEL/IMAGE.jpg, e.g. clouds/cirrus/a.jpg)");
    }
    return new LocalImages(folderCsv(labels), images, List.of(), null);
  }

  private static LocalImages ofZip(Path source) throws IOException {
    ZipFile zip = new ZipFile(source.toFile());
    try {
      List<ZipEntry> entries = new ArrayList<>();
      ZipEntry csvEntry = null;
      for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
        ZipEntry entry = e.nextElement();
        if (entry.isDirectory() || isHidden(Path.of(entry.getName().replace('\\', '/')))) {
          continue;
        }
        String lower = entry.getName().toLowerCase(Locale.ROOT);
        if (lower.endsWith(".csv") && (csvEntry == null || depth(entry) < depth(csvEntry))) {
          csvEntry = entry;
        } else if (isImage(lower)) {
          entries.add(entry);
        }
      }
      Map<String, ZipEntry> byName = new LinkedHashMap<>();
      entries.forEach(e -> byName.put(e.getName(), e));
      Map<String, Image> images = new LinkedHashMap<>();
      if (csvEntry != null) {
        byte[] csv = readAll(zip.getInputStream(csvEntry), csvEntry.getName());
        String folder = csvEntry.getName().contains("/")
            ? csvEntry.getName().substring(0, csvEntry.getName().lastIndexOf('/') + 1) : "";
        List<String> unreadable = new ArrayList<>();
        for (String uri : uris(csv)) {
          ZipEntry entry = byName.get(folder + uri);
          if (entry != null) {
            images.putIfAbsent(uri, zipped(zip, uri, entry));
          } else if (!uri.contains("://")) {
            unreadable.add(uri);
          }
        }
        return new LocalImages(csv, images, unreadable, zip);
      }
      String prefix = commonTopFolder(entries);
      Map<String, String> labels = new TreeMap<>();
      for (ZipEntry entry : entries) {
        String uri = entry.getName().substring(prefix.length());
        String row = folderRow(uri);
        if (row != null) {
          labels.put(uri, row);
          images.put(uri, zipped(zip, uri, entry));
        }
      }
      if (images.isEmpty()) {
        throw new ArgumentException("'" + source + "' holds no CSV and no images in label folders (expected"
            + " LABEL/IMAGE.jpg entries, or a CSV naming the images)");
      }
      return new LocalImages(folderCsv(labels), sortedByUri(images), List.of(), zip);
    } catch (IOException | RuntimeException e) {
      zip.close();
      throw e;
    }
  }

  private static Map<String, Image> sortedByUri(Map<String, Image> images) {
    return new LinkedHashMap<>(new TreeMap<>(images));
  }

  /** The folder every entry lies in ({@code clouds/}), when there is exactly one; else "". */
  private static String commonTopFolder(List<ZipEntry> entries) {
    String top = null;
    for (ZipEntry e : entries) {
      int slash = e.getName().indexOf('/');
      String t = slash < 0 ? "" : e.getName().substring(0, slash + 1);
      if (top == null) {
        top = t;
      } else if (!top.equals(t)) {
        return "";
      }
    }
    if (top == null || top.isEmpty()) {
      return "";
    }
    // Only a wrapper if the label folders lie below it.
    for (ZipEntry e : entries) {
      if (e.getName().indexOf('/', top.length()) < 0) {
        return "";
      }
    }
    return top;
  }

  /**
   * What follows the URI in the CSV row of an image at {@code uri} in the folder layout: its label, after its split
   * when the top folder names one ({@code "TEST|cirrus"}), or null for an image outside any label folder.
   */
  static String folderRow(String uri) {
    String[] parts = uri.split("/");
    if (parts.length < 2) {
      return null;
    }
    String split = parts.length >= 3 ? FOLDER_SPLITS.get(parts[0].toUpperCase(Locale.ROOT)) : null;
    return split != null ? split + "|" + parts[1] : parts[0];
  }

  /** {@code [SET,]uri,label} rows, quoted where needed. */
  private static byte[] folderCsv(Map<String, String> rows) {
    StringBuilder b = new StringBuilder();
    rows.forEach((uri, row) -> {
      int bar = row.indexOf('|');
      if (bar >= 0) {
        b.append(row, 0, bar).append(',');
      }
      b.append(quote(uri)).append(',').append(quote(row.substring(bar + 1))).append('\n');
    });
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String quote(String field) {
    if (field.indexOf(',') < 0 && field.indexOf('"') < 0 && field.indexOf('\n') < 0 && field.indexOf('\r') < 0
        && field.strip().equals(field)) {
      return field;
    }
    return '"' + field.replace("\"", "\"\"") + '"';
  }

  /** The URI field of every row, trimmed, as the server's parser sees it. */
  static List<String> uris(byte[] csv) {
    List<String> out = new ArrayList<>();
    for (List<String> row : CsvRows.parse(new String(csv, StandardCharsets.UTF_8))) {
      if (row.isEmpty()) {
        continue;
      }
      int at = SPLITS.contains(row.get(0).toUpperCase(Locale.ROOT)) || (row.size() >= 3 && row.get(0).isEmpty())
          ? 1 : 0;
      if (row.size() > at && !row.get(at).isEmpty()) {
        out.add(row.get(at));
      }
    }
    return out;
  }

  /** The local file a URI names, or null when it names something else (a remote URL). */
  private static Path localPath(String uri, Path base) {
    String lower = uri.toLowerCase(Locale.ROOT);
    try {
      if (lower.startsWith("file:")) {
        return Path.of(URI.create(uri));
      }
      if (lower.matches("^[a-z][a-z0-9+.-]+:.*")) {
        return null; // http(s), gs, s3: for the server
      }
      Path p = Path.of(uri);
      return p.isAbsolute() ? p : base.resolve(p);
    } catch (IllegalArgumentException e) { // InvalidPathException too
      return null; // the server says what is wrong with it
    }
  }

  private static Image file(String uri, Path p) throws IOException {
    return new Image(uri, Files.size(p), () -> Files.newInputStream(p));
  }

  private static Image zipped(ZipFile zip, String uri, ZipEntry entry) {
    return new Image(uri, entry.getSize(), () -> zip.getInputStream(entry));
  }

  private static byte[] readAll(InputStream in, String name) throws IOException {
    try (in) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toByteArray();
    }
  }

  private static boolean isImage(String name) {
    int dot = name.lastIndexOf('.');
    return dot > 0 && IMAGE_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  /** Hidden files and folders (.DS_Store, __MACOSX/) are skipped. */
  private static boolean isHidden(Path rel) {
    for (Path part : rel) {
      String s = part.toString();
      if (s.startsWith(".") || s.equals("__MACOSX")) {
        return true;
      }
    }
    return false;
  }

  private static int depth(ZipEntry e) {
    return (int) e.getName().chars().filter(c -> c == '/').count();
  }

  private static String slashes(Path rel) {
    StringBuilder b = new StringBuilder();
    for (Path part : rel) {
      if (b.length() > 0) {
        b.append('/');
      }
      b.append(part);
    }
    return b.toString();
  }
}
