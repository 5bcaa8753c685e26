package dev.nimbus.cli;

import dev.nimbus.client.NimbusClient;
import dev.nimbus.client.OperationFuture;
import dev.nimbus.client.UploadResult;
import dev.nimbus.v1.ImportDataResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code nimbus datasets import}: starts ImportData and, unless told not to, follows it to the end and reports
 * every row the server rejected. Rejected rows do not make the command fail: the import did its job and says
 * which rows it could not use; only an import that fails or is cancelled as a whole does.
 */
@Command(name = "import",
    description = {
        "Import labeled images from a CSV of [ML_USE,]URI,LABEL[,LABEL...] rows, as in AutoML Vision.",
        "ML_USE is TRAIN, VALIDATION, TEST or empty (the server then splits 80/10/10); URI is a path relative to"
            + " the CSV's folder, an absolute path, a file:// URI, or an http:// or https:// URL where the server"
            + " allows it.",
        "By default the server reads the CSV and the images from its own disk (right when it runs on this"
            + " machine). --upload sends them from this machine instead: only the images the server lacks (a"
            + " repeated upload sends none; an interrupted one resumes). With --upload, SOURCE may also be a folder"
            + " with one sub-folder per label (clouds/cirrus/a.jpg is labelled cirrus) or a zip of either layout.",
        "Waits with a progress bar, then lists the rows that failed."},
    footerHeading = "%nExamples:%n",
    footer = {
        "  nimbus datasets import clouds ./clouds/labels.csv",
        "  nimbus datasets import clouds ./clouds/labels.csv --upload",
        "  nimbus datasets import clouds ./clouds/ --upload          (a folder per label)",
        "  nimbus datasets import clouds clouds.zip --upload",
        "  nimbus datasets import clouds labels.csv --upload --base-uri /srv/images   (images on the server)",
        "  nimbus datasets import clouds /srv/import/clouds.csv --no-wait"})
final class DatasetImport extends NimbusCommand.WithClient {
  @Parameters(index = "0", paramLabel = "DATASET", description = DatasetsCommand.DATASET_DESCRIPTION)
  String dataset;

  @Parameters(index = "1", paramLabel = "SOURCE",
      description = "The CSV file (a path on the server unless --upload; relative paths are made absolute here);"
          + " with --upload also a folder of label folders or a zip.")
  Path csv;

  @Option(names = "--upload", description = "Send the CSV and its images from this machine.")
  boolean upload;

  @Option(names = "--base-uri", paramLabel = "DIR",
      description = "With --upload: send only the CSV; the server reads the images from this folder of its own.")
  Path baseUri;

  @Option(names = "--no-wait", description = "Print the operation and return at once.")
  boolean noWait;

  @Override
  protected int run(NimbusClient client) throws IOException {
    Path csvPath = csv.toAbsolutePath().normalize();
    OperationFuture<ImportDataResponse> future;
    if (upload && baseUri == null) {
      if (!Files.exists(csvPath)) {
        throw new UsageException("SOURCE " + csv + ": no such file or folder");
      }
      UploadResult sent;
      try (Progress bar = Progress.start(context(), "Uploading")) {
        sent = client.datasets().upload(dataset, csvPath, bar::upload);
      }
      if (!json()) {
        // With --no-wait, stdout is the operation's name alone, for scripts.
        int held = sent.images() - sent.imagesSent() - sent.unreadable().size();
        (noWait ? err() : out()).printf(Locale.ROOT, "uploaded:     %d of %d images sent (%s)%s%n",
            sent.imagesSent(), sent.images(), Text.bytes(sent.bytesSent()),
            held > 0 ? "; the server had the other " + held + " already" : "");
        for (String uri : sent.unreadable()) {
          err().println("not uploaded: " + uri + " (missing, empty, unreadable or not an image here)");
        }
      }
      future = sent.operation();
    } else if (upload) {
      // Read here, before any call: a file that is not there is the person's mistake, not the server's.
      if (Files.isDirectory(csvPath)) {
        throw new UsageException("CSV " + csv + " is a folder (expected: a CSV file)");
      }
      if (!Files.isRegularFile(csvPath)) {
        throw new UsageException("CSV " + csv + ": no such file");
      }
      byte[] content = Files.readAllBytes(csvPath);
      future = client.datasets().importCsvContent(dataset, content, baseUri.toAbsolutePath().normalize()
          .toString());
    } else {
      if (baseUri != null) {
        throw new UsageException("--base-uri needs --upload: the server resolves relative image paths against"
            + " the folder of a CSV it reads itself");
      }
      // The server judges the path: it may name a file on the server that this machine does not have.
      future = client.datasets().importCsv(dataset, csvPath);
    }
    return Waiting.follow(this, client, future, noWait, "Importing", done -> {
      ImportDataResponse response = OperationView.importResponse(done).orElseThrow(() ->
          new IllegalStateException(done.getName() + " finished without an ImportDataResponse"));
      OperationView.printImportSummary(out(), done, response, upload ? csv.toString() : csvPath.toString());
    });
  }
}
