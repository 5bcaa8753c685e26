package dev.nimbus.cli;

import dev.nimbus.client.Names;
import dev.nimbus.client.NimbusClient;
import dev.nimbus.client.OperationFuture;
import dev.nimbus.v1.AnnotationSpec;
import dev.nimbus.v1.ClassificationType;
import dev.nimbus.v1.CreateDatasetRequest;
import dev.nimbus.v1.Dataset;
import dev.nimbus.v1.DatasetStats;
import dev.nimbus.v1.DatasetWarning;
import dev.nimbus.v1.ExportDataRequest;
import dev.nimbus.v1.ExportDataResponse;
import dev.nimbus.v1.OutputConfig;
import dev.nimbus.v1.SplitCounts;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nimbus datasets ...}: the datasets of labeled images, and the verbs that need no more than a name. */
@Command(name = "datasets",
    description = "Create, import into, export, inspect and delete datasets of labeled images.",
    subcommands = {DatasetsCommand.Create.class, DatasetsCommand.ListDatasets.class, DatasetsCommand.Get.class,
        DatasetImport.class, DatasetsCommand.Export.class, DatasetsCommand.Stats.class, DatasetExamples.Examples.class,
        DatasetExamples.Image.class, DatasetsCommand.Delete.class},
    footerHeading = "%nExamples:%n",
    footer = {
        "  nimbus datasets create clouds",
        "  nimbus datasets import clouds ./clouds/labels.csv",
        "  nimbus datasets stats clouds",
        "  nimbus datasets examples clouds --label cirrus --split TEST"})
final class DatasetsCommand {
  static final String DATASET_DESCRIPTION = "The dataset: an id like clouds, or datasets/clouds.";

  private DatasetsCommand() {}

  /** The classification types by the names people type. */
  enum Type {
    multiclass(ClassificationType.MULTICLASS), multilabel(ClassificationType.MULTILABEL);

    final ClassificationType proto;

    Type(ClassificationType proto) {
      this.proto = proto;
    }
  }

  static void printDataset(PrintWriter out, Dataset d) {
    List<String[]> lines = new ArrayList<>();
    lines.add(new String[] {"name", d.getName()});
    lines.add(new String[] {"display name", d.getDisplayName()});
    lines.add(new String[] {"type", Text.name(d.getClassificationType())});
    lines.add(new String[] {"state", Text.name(d.getState())});
    lines.add(new String[] {"examples", Long.toString(d.getExampleCount())});
    lines.add(new String[] {"labels", Integer.toString(d.getLabelCount())});
    lines.add(new String[] {"created", Text.time(d.getCreateTime())});
    lines.add(new String[] {"updated", Text.time(d.getUpdateTime())});
    if (!d.getDescription().isEmpty()) {
      lines.add(new String[] {"description", d.getDescription()});
    }
    Table.keyValues(out, lines);
  }

  @Command(name = "create", description = "Create an empty dataset.",
      footerHeading = "%nExamples:%n",
      footer = {"  nimbus datasets create clouds --display-name \"Cloud types\"",
          "  nimbus datasets create scenes --type multilabel"})
  static final class Create extends NimbusCommand.WithClient {
    @Parameters(paramLabel = "ID", description = "1-63 lowercase letters, digits, '-' and '_', starting with a"
        + " letter; becomes datasets/ID.")
    String id;

    @Option(names = "--type", paramLabel = "multiclass|multilabel", defaultValue = "multiclass",
        description = "One label per image, or one or more (default: ${DEFAULT-VALUE}); fixed once created.")
    Type type;

    @Option(names = "--display-name", paramLabel = "TEXT", description = "A name for people (default: the id).")
    String displayName;

    @Option(names = "--description", paramLabel = "TEXT", description = "Free text.")
    String description;

    @Override
    protected int run(NimbusClient client) {
      // The id goes to the server as typed: it alone checks the id rules, with the message people should see.
      String datasetId = id.startsWith("datasets/") ? id.substring("datasets/".length()) : id;
      Dataset.Builder dataset = Dataset.newBuilder().setClassificationType(type.proto);
      if (displayName != null) {
        dataset.setDisplayName(displayName);
      }
      if (description != null) {
        dataset.setDescription(description);
      }
      Dataset created = client.datasets().create(
          CreateDatasetRequest.newBuilder().setDatasetId(datasetId).setDataset(dataset).build());
      if (json()) {
        out().println(Json.print(created));
      } else {
        out().println("Created " + created.getName() + " (" + Text.name(created.getClassificationType()) + ")");
      }
      return OK;
    }
  }

  @Command(name = "list", description = "List the datasets, by id.",
      footerHeading = "%nExamples:%n",
      footer = {"  nimbus datasets list", "  nimbus datasets list --format json"})
  static final class ListDatasets extends NimbusCommand.WithClient {
    @Override
    protected int run(NimbusClient client) {
      List<Dataset> datasets = client.datasets().list().stream().toList();
      if (json()) {
        out().println(Json.list("datasets", datasets));
        return OK;
      }
      if (datasets.isEmpty()) {
        out().println("No datasets yet; create one with: nimbus datasets create ID");
        return OK;
      }
      Table table = new Table("NAME", "TYPE", "EXAMPLES", "LABELS", "STATE", "CREATED", "DISPLAY NAME");
      for (Dataset d : datasets) {
        table.row(d.getName(), Text.name(d.getClassificationType()), d.getExampleCount(), d.getLabelCount(),
            Text.name(d.getState()), Text.time(d.getCreateTime()), d.getDisplayName());
      }
      table.print(out());
      return OK;
    }
  }

  @Command(name = "get", description = "Show one dataset.",
      footerHeading = "%nExamples:%n",
      footer = {"  nimbus datasets get clouds", "  nimbus datasets get datasets/clouds --format json"})
  static final class Get extends NimbusCommand.WithClient {
    @Parameters(paramLabel = "DATASET", description = DATASET_DESCRIPTION)
    String dataset;

    @Override
    protected int run(NimbusClient client) {
      Dataset d = client.datasets().get(dataset);
      if (json()) {
        out().println(Json.print(d));
      } else {
        printDataset(out(), d);
      }
      return OK;
    }
  }

  @Command(name = "export",
      description = {"Write a dataset in AutoML Vision's export layout to a folder on the server: images/<sha256>.<ext>"
          + " and image_classification_1.csv, which 'nimbus datasets import' (or AutoML) reads back as it is.",
          "The folder must be new or empty; it appears only once complete. Waits unless --no-wait."},
      footerHeading = "%nExamples:%n",
      footer = {"  nimbus datasets export clouds /srv/exports/clouds",
          "  nimbus datasets export clouds /srv/exports/clouds --image-uri-prefix gs://my-bucket/clouds/"})
  static final class Export extends NimbusCommand.WithClient {
    @Parameters(index = "0", paramLabel = "DATASET", description = DATASET_DESCRIPTION)
    String dataset;

    @Parameters(index = "1", paramLabel = "FOLDER",
        description = "A new or empty folder on the server; relative paths are made absolute here.")
    Path folder;

    @Option(names = "--image-uri-prefix", paramLabel = "PREFIX",
        description = "Written before images/... in the CSV's URIs (ending in /), e.g. where the folder will be"
            + " copied; by default the URIs are relative to the CSV.")
    String imageUriPrefix;

    @Option(names = "--no-wait", description = "Print the operation and return at once.")
    boolean noWait;

    @Override
    protected int run(NimbusClient client) {
      Path out = folder.toAbsolutePath().normalize();
      ExportDataRequest.Builder request = ExportDataRequest.newBuilder().setName(Names.dataset(dataset))
          .setOutputConfig(OutputConfig.newBuilder().setOutputUri(out.toString()));
      if (imageUriPrefix != null) {
        request.setImageUriPrefix(imageUriPrefix);
      }
      OperationFuture<ExportDataResponse> future = client.datasets().exportData(request.build());
      return Waiting.follow(this, client, future, noWait, "Exporting",
          done -> {
            ExportDataResponse r = OperationView.exportDataResponse(done)
                .orElse(ExportDataResponse.getDefaultInstance());
            out().println("Exported " + r.getExportedCount() + " examples of " + Names.dataset(dataset) + " to "
                + out);
          });
    }
  }

  @Command(name = "delete",
      description = {"Delete a dataset with its examples; imports running into it are cancelled first.",
          "Waits until it is gone unless --no-wait."},
      footerHeading = "%nExamples:%n",
      footer = {"  nimbus datasets delete clouds", "  nimbus datasets delete clouds --no-wait"})
  static final class Delete extends NimbusCommand.WithClient {
    @Parameters(paramLabel = "DATASET", description = DATASET_DESCRIPTION)
    String dataset;

    @Option(names = "--no-wait", description = "Print the operation and return at once.")
    boolean noWait;

    @Override
    protected int run(NimbusClient client) {
      return Waiting.follow(this, client, client.datasets().delete(dataset), noWait, "Deleting",
          done -> out().println("Deleted " + OperationView.metadata(done).getTarget()));
    }
  }

  /** For --no-wait: the operation's name for people, the operation itself for programs. */
  static void printStarted(NimbusCommand command, NimbusClient client, OperationFuture<?> future) {
    if (command.json()) {
      command.out().println(Json.print(client.operations().get(future.name())));
    } else {
      command.out().println(future.name());
    }
  }

  @Command(name = "stats",
      description = {"Images per label and split, most frequent label first, with the warnings AutoML gives"
          + " before training."},
      footerHeading = "%nExamples:%n",
      footer = {"  nimbus datasets stats clouds"})
  static final class Stats extends NimbusCommand.WithClient {
    @Parameters(paramLabel = "DATASET", description = DATASET_DESCRIPTION)
    String dataset;

    @Override
    protected int run(NimbusClient client) {
      DatasetStats stats = client.datasets().stats(dataset);
      if (json()) {
        out().println(Json.print(stats));
        return OK;
      }
      SplitCounts total = stats.getSplitCounts();
      // UNASSIGNED exists only while an import runs; a column of zeros the rest of the time would be noise.
      boolean unassigned = total.getUnassigned() > 0;
      Table table = unassigned
          ? new Table("LABEL", "IMAGES", "TRAIN", "VALIDATION", "TEST", "UNASSIGNED")
          : new Table("LABEL", "IMAGES", "TRAIN", "VALIDATION", "TEST");
      for (AnnotationSpec label : stats.getLabelsList()) {
        addRow(table, label.getDisplayName(), label.getExampleCount(), label.getSplitCounts(), unassigned);
      }
      addRow(table, "TOTAL", stats.getExampleCount(), total, unassigned);
      table.print(out());
      if (stats.getWarningsCount() > 0) {
        out().println();
        for (DatasetWarning warning : stats.getWarningsList()) {
          out().println("warning: " + warning.getMessage());
        }
      }
      return OK;
    }

    private static void addRow(Table table, String label, long images, SplitCounts s, boolean unassigned) {
      if (unassigned) {
        table.row(label, images, s.getTrain(), s.getValidation(), s.getTest(), s.getUnassigned());
      } else {
        table.row(label, images, s.getTrain(), s.getValidation(), s.getTest());
      }
    }
  }
}
