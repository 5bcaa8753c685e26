package dev.nimbus.cli;

import com.google.gson.JsonPrimitive;
import dev.nimbus.client.ImageInfo;
import dev.nimbus.client.Names;
import dev.nimbus.client.NimbusClient;
import dev.nimbus.v1.Example;
import dev.nimbus.v1.ListExamplesRequest;
import dev.nimbus.v1.ListExamplesResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nimbus datasets examples} and {@code nimbus datasets image}: the images of a dataset. */
final class DatasetExamples {
  private DatasetExamples() {}

  /** The splits by the names people type, as the ListExamples filter takes them. */
  enum Split { TRAIN, VALIDATION, TEST, UNASSIGNED }

  /** The file extension for each MIME type the server stores. */
  static String extension(String mimeType) {
    return switch (mimeType.toLowerCase(Locale.ROOT)) {
      case "image/jpeg" -> "jpg";
      case "image/png" -> "png";
      case "image/gif" -> "gif";
      case "image/bmp" -> "bmp";
      case "image/webp" -> "webp";
      case "image/tiff" -> "tif";
      default -> "bin";
    };
  }

  /**
   * Streams an example's image into {@code file} through a temporary file beside it, so that an interrupted
   * download never leaves a truncated image under the final name.
   */
  static ImageInfo download(NimbusClient client, String example, Path file) throws IOException {
    Path part = file.resolveSibling(file.getFileName() + ".part");
    ImageInfo info;
    try (OutputStream out = Files.newOutputStream(part)) {
      info = client.datasets().readImage(example, out);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(part);
      throw e;
    }
    Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return info;
  }

  @Command(name = "examples",
      description = {"List the images of a dataset, in import order.",
          "Filter them by label and split, and download them as DIR/<sha256>.<ext>."},
      footerHeading = "%nExamples:%n",
      footer = {
          "  nimbus datasets examples clouds --label cirrus --split TEST",
          "  nimbus datasets examples clouds --limit 20 --download ./sample"})
  static final class Examples extends NimbusCommand.WithClient {
    @Parameters(paramLabel = "DATASET", description = DatasetsCommand.DATASET_DESCRIPTION)
    String dataset;

    @Option(names = "--label", paramLabel = "LABEL", description = "Only images with this label.")
    String label;

    @Option(names = "--split", paramLabel = "TRAIN|VALIDATION|TEST",
        description = "Only images of this split (UNASSIGNED too, while an import runs).")
    Split split;

    @Option(names = "--limit", paramLabel = "N", description = "At most N examples (default: all).")
    Integer limit;

    @Option(names = "--download", paramLabel = "DIR",
        description = "Also write each listed image to DIR/<sha256>.<ext> (DIR is created if needed).")
    Path download;

    @Override
    protected int run(NimbusClient client) throws IOException {
      if (limit != null && limit <= 0) {
        throw new UsageException("--limit: " + limit + " (expected: a number > 0)");
      }
      if (download != null) {
        if (Files.exists(download) && !Files.isDirectory(download)) {
          throw new UsageException("--download: " + download + " is a file (expected: a folder)");
        }
        Files.createDirectories(download);
      }
      ListExamplesRequest.Builder request = ListExamplesRequest.newBuilder()
          .setParent(Names.dataset(dataset))
          .setFilter(filter());
      if (limit != null) {
        // No larger pages than needed; the server caps a page at 1000.
        request.setPageSize(Math.min(limit, 1000));
      }
      // Page by page rather than through the SDK's iterable: the first page also carries the total count.
      List<Example> examples = new ArrayList<>();
      long total = -1;
      String token = "";
      do {
        ListExamplesResponse page = client.datasets().listExamplesPage(request.setPageToken(token).build());
        if (total < 0) {
          total = page.getTotalSize();
        }
        for (Example e : page.getExamplesList()) {
          if (limit == null || examples.size() < limit) {
            examples.add(e);
          }
        }
        token = page.getNextPageToken();
      } while (!token.isEmpty() && (limit == null || examples.size() < limit));

      Map<String, Path> files = new LinkedHashMap<>();
      if (download != null) {
        for (Example e : examples) {
          Path file = download.resolve(e.getContentSha256() + "." + extension(e.getMimeType()));
          download(client, e.getName(), file);
          files.put(e.getName(), file);
        }
      }
      if (json()) {
        out().println(Json.list("examples", examples, Map.of("total_size", new JsonPrimitive(Long.toString(total)))));
        return OK;
      }
      if (examples.isEmpty()) {
        out().println("No examples" + (filter().isEmpty() ? "" : " match " + filter()) + ".");
        return OK;
      }
      Table table = new Table("EXAMPLE", "LABELS", "SPLIT", "SIZE", "SOURCE");
      for (Example e : examples) {
        table.row(e.getName(), String.join(",", e.getLabelsList()), Text.name(e.getMlUse()),
            e.getWidth() + "x" + e.getHeight(), e.getSourceUri());
      }
      table.print(out());
      out().println();
      out().println("Listed " + examples.size() + " of " + Text.plural(total, "example", "examples")
          + (filter().isEmpty() ? "" : " matching " + filter()) + ".");
      if (download != null) {
        out().println("Downloaded " + Text.plural(files.size(), "image", "images") + " to "
            + download.toAbsolutePath().normalize() + ".");
      }
      return OK;
    }

    /** The ListExamples filter: {@code label = "cirrus" AND ml_use = TEST}. */
    String filter() {
      List<String> terms = new ArrayList<>();
      if (label != null) {
        // The filter language quotes as JSON does: backslash before a quote or a backslash.
        terms.add("label = \"" + label.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
      }
      if (split != null) {
        terms.add("ml_use = " + split.name());
      }
      return String.join(" AND ", terms);
    }
  }

  @Command(name = "image", description = "Download the image of one example.",
      footerHeading = "%nExamples:%n",
      footer = {"  nimbus datasets examples clouds --label cirrus --limit 1",
          "  nimbus datasets image datasets/clouds/examples/SHA256 --out cirrus.jpg"})
  static final class Image extends NimbusCommand.WithClient {
    @Parameters(paramLabel = "EXAMPLE_NAME",
        description = "datasets/DATASET/examples/SHA256, as `nimbus datasets examples` lists them.")
    String example;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "Where to write the image.")
    Path out;

    @Override
    protected int run(NimbusClient client) throws IOException {
      String name = Names.example(example);
      Path file = out.toAbsolutePath().normalize();
      if (!Files.isDirectory(file.getParent())) {
        throw new UsageException("--out: folder " + file.getParent() + " does not exist");
      }
      if (Files.isDirectory(file)) {
        throw new UsageException("--out: " + out + " is a folder (expected: a file name)");
      }
      ImageInfo info = download(client, name, file);
      if (json()) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("example", name);
        fields.put("file", file.toString());
        fields.put("mime_type", info.mimeType());
        fields.put("size_bytes", Long.toString(info.sizeBytes()));
        out().println(Json.object(fields));
      } else {
        out().println("Wrote " + file + " (" + info.mimeType() + ", " + info.sizeBytes() + " bytes)");
      }
      return OK;
    }
  }
}
