package dev.nimbus.server.dataset;

import com.google.longrunning.Operation;
import com.google.protobuf.FieldMask;
import com.google.rpc.Code;
import dev.nimbus.server.config.ServerConfig;
import dev.nimbus.server.dataset.DatasetStore.DatasetRow;
import dev.nimbus.server.dataset.DatasetStore.ExampleRow;
import dev.nimbus.server.dataset.DatasetStore.SplitCount;
import dev.nimbus.server.dataset.RowFailure.RowException;
import dev.nimbus.server.operation.OperationManager;
import dev.nimbus.server.storage.BlobStore;
import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.util.ListQueries;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.v1.ClassificationType;
import dev.nimbus.v1.CreateDatasetRequest;
import dev.nimbus.v1.Dataset;
import dev.nimbus.v1.DatasetStats;
import dev.nimbus.v1.DeleteDatasetRequest;
import dev.nimbus.v1.DeleteDetails;
import dev.nimbus.v1.Example;
import dev.nimbus.v1.ImportDataDetails;
import dev.nimbus.v1.ImportDataRequest;
import dev.nimbus.v1.InputConfig;
import dev.nimbus.v1.ListAnnotationSpecsRequest;
import dev.nimbus.v1.ListAnnotationSpecsResponse;
import dev.nimbus.v1.ListDatasetsRequest;
import dev.nimbus.v1.ListDatasetsResponse;
import dev.nimbus.v1.ListExamplesRequest;
import dev.nimbus.v1.ListExamplesResponse;
import dev.nimbus.v1.MlUse;
import dev.nimbus.v1.OperationMetadata;
import dev.nimbus.v1.UpdateDatasetRequest;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** The dataset use cases behind DatasetService: validation, storage, and starting operations. */
public final class Datasets {
  private static final String DATASET_TYPE = "nimbus.dev/Dataset";
  private static final String EXAMPLE_TYPE = "nimbus.dev/Example";

  private final DatasetStore store;
  private final BlobStore blobs;
  private final OperationManager operations;
  private final ServerConfig config;
  private final Path importsDir;
  private final Clock clock;

  public Datasets(DatasetStore store, BlobStore blobs, OperationManager operations, ServerConfig config,
      Path importsDir, Clock clock) {
    this.store = store;
    this.blobs = blobs;
    this.operations = operations;
    this.config = config;
    this.importsDir = importsDir;
    this.clock = clock;
  }

  public Dataset create(CreateDatasetRequest req) {
    String id = ResourceNames.requireId("dataset_id", req.getDatasetId());
    Dataset d = req.getDataset();
    String displayName = d.getDisplayName().isBlank() ? id : d.getDisplayName().strip();
    checkText("dataset.display_name", displayName, 256);
    checkText("dataset.description", d.getDescription(), 4096);
    ClassificationType type = switch (d.getClassificationType()) {
      case CLASSIFICATION_TYPE_UNSPECIFIED, MULTICLASS -> ClassificationType.MULTICLASS;
      case MULTILABEL -> ClassificationType.MULTILABEL;
      default -> throw ApiException.invalidArgument("dataset.classification_type", "dataset.classification_type: "
          + d.getClassificationTypeValue() + " (expected: MULTICLASS or MULTILABEL)");
    };
    if (!store.insertDataset(id, displayName, d.getDescription(), type, clock.millis())) {
      throw ApiException.alreadyExists(DATASET_TYPE, ResourceNames.dataset(id), "dataset " + ResourceNames.dataset(id)
          + " already exists; choose another id or delete it first");
    }
    return DatasetProtos.dataset(existing(id));
  }

  public Dataset get(String name) {
    return DatasetProtos.dataset(existing(ResourceNames.datasetId("name", name)));
  }

  public ListDatasetsResponse list(ListDatasetsRequest req) {
    int size = ListQueries.pageSize(req.getPageSize());
    String scope = "datasets";
    String after = ListQueries.resumeKey(scope, req.getPageToken());
    List<DatasetRow> rows = store.datasets(after, size + 1);
    ListDatasetsResponse.Builder b = ListDatasetsResponse.newBuilder();
    for (int i = 0; i < Math.min(size, rows.size()); i++) {
      b.addDatasets(DatasetProtos.dataset(rows.get(i)));
    }
    if (rows.size() > size) {
      b.setNextPageToken(ListQueries.token(scope, rows.get(size - 1).id()));
    }
    return b.build();
  }

  public Dataset update(UpdateDatasetRequest req) {
    if (!req.hasDataset()) {
      throw ApiException.invalidArgument("dataset", "dataset is required (with its name and the fields to change)");
    }
    Dataset d = req.getDataset();
    String id = ResourceNames.datasetId("dataset.name", d.getName());
    FieldMask mask = req.getUpdateMask();
    Set<String> paths = mask.getPathsCount() == 0 ? Set.of("display_name", "description") : Set.copyOf(mask.getPathsList());
    for (String p : paths) {
      if (!p.equals("display_name") && !p.equals("description")) {
        throw ApiException.invalidArgument("update_mask", "update_mask: '" + ResourceNames.abbreviate(p)
            + "' cannot be updated (expected: display_name, description)");
      }
    }
    store.database().write(c -> {
      DatasetRow row = store.dataset(c, id).orElseThrow(() -> notFound(id));
      if (!d.getEtag().isEmpty() && !d.getEtag().equals(DatasetProtos.etag(row))) {
        throw ApiException.of(Code.ABORTED, "ETAG_MISMATCH", "dataset " + ResourceNames.dataset(id)
            + " changed since it was read (etag " + DatasetProtos.etag(row) + ", given " + d.getEtag()
            + "); read it again and retry");
      }
      String displayName = paths.contains("display_name")
          ? (d.getDisplayName().isBlank() ? id : d.getDisplayName().strip()) : row.displayName();
      String description = paths.contains("description") ? d.getDescription() : row.description();
      checkText("dataset.display_name", displayName, 256);
      checkText("dataset.description", description, 4096);
      store.updateDataset(c, id, displayName, description, clock.millis());
      return null;
    });
    return get(ResourceNames.dataset(id));
  }

  public Operation delete(DeleteDatasetRequest req) {
    String id = ResourceNames.datasetId("name", req.getName());
    DatasetRow row = existing(id);
    if (row.state() == Dataset.State.DELETING) {
      throw ApiException.failedPrecondition("DATASET_DELETING", "dataset " + ResourceNames.dataset(id)
          + " is already being deleted");
    }
    DeleteDatasetRequest spec = DeleteDatasetRequest.newBuilder().setName(ResourceNames.dataset(id)).build();
    return operations.start(OperationMetadata.Kind.DELETE_DATASET, ResourceNames.dataset(id), spec,
        DeleteDetails.newBuilder().setTotalCount(row.exampleCount()).build(), c -> {
          store.setDatasetState(c, id, Dataset.State.DELETING, clock.millis());
          return null;
        });
  }

  /**
   * Checks the request and the CSV as a whole, keeps a copy of the CSV in the data directory (so the import can
   * resume after a crash whatever happens to the original), and starts the operation.
   */
  public Operation importData(ImportDataRequest req) {
    String id = ResourceNames.datasetId("name", req.getName());
    DatasetRow row = existing(id);
    if (row.state() != Dataset.State.ACTIVE) {
      throw ApiException.failedPrecondition("DATASET_DELETING", "dataset " + ResourceNames.dataset(id)
          + " is being deleted; imports are not accepted");
    }
    InputConfig snapshot = snapshotCsv(req.getInputConfig());
    ImportCsv parsed = ImportCsv.parse(readSnapshot(snapshot));
    Path snapshotFile = Path.of(snapshot.getCsvUri());
    ImportDataRequest spec = ImportDataRequest.newBuilder()
        .setName(ResourceNames.dataset(id))
        .setInputConfig(snapshot)
        .build();
    try {
      return operations.start(OperationMetadata.Kind.IMPORT_DATA, ResourceNames.dataset(id), spec,
          ImportDataDetails.newBuilder().setTotalRowCount(parsed.rowCount()).build(), null);
    } catch (RuntimeException e) {
      try {
        Files.deleteIfExists(snapshotFile);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * Checks a CSV input (a server path under the import roots, or uploaded bytes with an optional base folder) and
   * the CSV as a whole, and keeps a durable copy in the data directory, so that the operation reading it can resume
   * after a crash whatever happens to the original. Returns the config that names the copy and the base folder.
   */
  public InputConfig snapshotCsv(InputConfig in) {
    byte[] csv;
    Path base;
    switch (in.getSourceCase()) {
      case CSV_URI -> {
        Path csvPath = localPath("input_config.csv_uri", in.getCsvUri());
        String file = csvPath.getFileName() == null ? "" : csvPath.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!file.endsWith(".csv") && !file.endsWith(".txt")) {
          // Rows that fail are quoted back; refusing other files keeps an import from echoing arbitrary files.
          throw ApiException.invalidArgument("input_config.csv_uri", "input_config.csv_uri: '"
              + ResourceNames.abbreviate(in.getCsvUri()) + "' is not a .csv (or .txt) file");
        }
        Path real = checkInRoots("input_config.csv_uri", csvPath, false);
        csv = readCsv(real);
        base = real.getParent();
      }
      case CSV_CONTENT -> {
        csv = in.getCsvContent().toByteArray();
        if (csv.length > config.limits().maxCsvBytes()) {
          throw ApiException.invalidArgument("input_config.csv_content", "the CSV is "
              + ImportSources.megabytes(csv.length) + "; the limit is " + ImportSources.megabytes(config.limits().maxCsvBytes()));
        }
        base = null;
        if (!in.getBaseUri().isBlank()) {
          Path b = localPath("input_config.base_uri", in.getBaseUri());
          base = checkInRoots("input_config.base_uri", b, true);
        }
      }
      default -> throw ApiException.invalidArgument("input_config", "input_config needs csv_uri (a CSV file on the"
          + " server) or csv_content (the CSV itself)");
    }
    ImportCsv.parse(csv);
    Path snapshot = importsDir.resolve(UUID.randomUUID() + ".csv");
    BlobStore.writeDurably(snapshot, csv);
    return InputConfig.newBuilder().setCsvUri(snapshot.toString()).setBaseUri(base == null ? "" : base.toString())
        .build();
  }

  /** The bytes of a CSV snapshot {@link #snapshotCsv} made. */
  public byte[] readSnapshot(InputConfig snapshot) {
    try {
      return Files.readAllBytes(Path.of(snapshot.getCsvUri()));
    } catch (IOException e) {
      throw ApiException.of(Code.DATA_LOSS, "CSV_SNAPSHOT_LOST", "the server's copy of the CSV is gone ("
          + e.getMessage() + "); start again");
    }
  }

  /** Examples of a dataset in a split (ML_USE_UNSPECIFIED: all). */
  public long count(String datasetName, MlUse split) {
    String id = ResourceNames.datasetId("dataset", datasetName);
    existing(id);
    return store.countExamples(id, null, split == MlUse.ML_USE_UNSPECIFIED ? null : split);
  }

  private byte[] readCsv(Path real) {
    try {
      long size = Files.size(real);
      if (size > config.limits().maxCsvBytes()) {
        throw ApiException.invalidArgument("input_config.csv_uri", "the CSV is " + ImportSources.megabytes(size)
            + "; the limit is " + ImportSources.megabytes(config.limits().maxCsvBytes()));
      }
      return Files.readAllBytes(real);
    } catch (IOException e) {
      throw ApiException.invalidArgument("input_config.csv_uri", "cannot read the CSV " + real + ": " + e.getMessage());
    }
  }

  /** A server path from a plain absolute path or a file:// URI. */
  private static Path localPath(String field, String uri) {
    String u = uri.strip();
    String lower = u.toLowerCase(Locale.ROOT);
    if (lower.startsWith("gs://") || lower.startsWith("s3://")) {
      throw ApiException.invalidArgument(field, field + ": " + u.substring(0, 2) + ":// is not supported yet; copy the"
          + " CSV to the server, or send its content (csv_content)");
    }
    if (lower.startsWith("http://") || lower.startsWith("https://")) {
      throw ApiException.invalidArgument(field, field + ": the CSV must be a file on the server; send remote CSVs as"
          + " csv_content");
    }
    Path p;
    try {
      p = lower.startsWith("file:") ? Path.of(URI.create(u)) : Path.of(u);
    } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
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
   * Resolves {@code p} (a file, or a folder when {@code folder}) and checks it lies under the configured import
   * roots; with none configured, any readable path is accepted, as it becomes the import's own root.
   */
  private Path checkInRoots(String field, Path p, boolean folder) {
    try {
      if (config.importRoots().isEmpty()) {
        if (!config.loopbackOnly()) {
          throw ApiException.failedPrecondition("IMPORT_ROOTS_REQUIRED", field + ": this server is reachable from"
              + " other machines (host " + config.host() + ") and has no import-roots, so it imports no local"
              + " files; an administrator must set import-roots to the folders imports may read");
        }
        Path real = p.toRealPath();
        if (folder != Files.isDirectory(real)) {
          throw ApiException.invalidArgument(field, field + ": " + p + (folder ? " is not a folder" : " is a folder"));
        }
        return real;
      }
      return new ImportSources(config.importRoots(), config.httpImport(), Long.MAX_VALUE).checkAllowed(p, folder);
    } catch (java.nio.file.NoSuchFileException e) {
      throw ApiException.invalidArgument(field, field + ": file not found: " + p);
    } catch (IOException e) {
      throw ApiException.invalidArgument(field, field + ": cannot read " + p + ": " + e.getMessage());
    } catch (RowException e) {
      throw ApiException.invalidArgument(field, field + ": " + e.getMessage());
    }
  }

  public DatasetStats stats(String name) {
    String id = ResourceNames.datasetId("dataset", name);
    existing(id);
    Map<String, SplitCount> labels = store.labelCounts(id);
    SplitCount total = store.splitCounts(id);
    DatasetStats.Builder b = DatasetStats.newBuilder()
        .setDataset(ResourceNames.dataset(id))
        .setExampleCount(total.total())
        .setSplitCounts(DatasetProtos.splitCounts(total));
    List<Map.Entry<String, SplitCount>> sorted = new ArrayList<>(labels.entrySet());
    sorted.sort(Comparator.<Map.Entry<String, SplitCount>>comparingLong(e -> -e.getValue().total())
        .thenComparing(Map.Entry::getKey));
    for (Map.Entry<String, SplitCount> e : sorted) {
      b.addLabels(DatasetProtos.annotationSpec(id, e.getKey(), e.getValue()));
    }
    b.addAllWarnings(LabelStatistics.warnings(labels));
    return b.build();
  }

  public ListAnnotationSpecsResponse listAnnotationSpecs(ListAnnotationSpecsRequest req) {
    String id = ResourceNames.datasetId("parent", req.getParent());
    existing(id);
    int size = ListQueries.pageSize(req.getPageSize());
    String scope = "annotationSpecs|" + id;
    String after = ListQueries.resumeKey(scope, req.getPageToken());
    List<Map.Entry<String, SplitCount>> labels = store.labelCounts(id).entrySet().stream()
        .filter(e -> e.getKey().compareTo(after) > 0).toList();
    ListAnnotationSpecsResponse.Builder b = ListAnnotationSpecsResponse.newBuilder();
    for (int i = 0; i < Math.min(size, labels.size()); i++) {
      b.addAnnotationSpecs(DatasetProtos.annotationSpec(id, labels.get(i).getKey(), labels.get(i).getValue()));
    }
    if (labels.size() > size) {
      b.setNextPageToken(ListQueries.token(scope, labels.get(size - 1).getKey()));
    }
    return b.build();
  }

  public ListExamplesResponse listExamples(ListExamplesRequest req) {
    String id = ResourceNames.datasetId("parent", req.getParent());
    existing(id);
    int size = ListQueries.pageSize(req.getPageSize());
    Map<String, String> filter = ListQueries.filter(req.getFilter(), Set.of("label", "ml_use", "split"));
    String label = filter.get("label");
    if (label != null && !ResourceNames.isValidLabel(label)) {
      throw ApiException.invalidArgument("filter", "filter: label '" + ResourceNames.abbreviate(label)
          + "' is not a valid label (expected: 1-32 characters of letters, digits and '_')");
    }
    String use = filter.containsKey("ml_use") ? filter.get("ml_use") : filter.get("split");
    MlUse mlUse = null;
    if (use != null) {
      mlUse = ImportCsv.MlUseColumn.parse(use);
      if (mlUse == null) {
        throw ApiException.invalidArgument("filter", "filter: ml_use '" + ResourceNames.abbreviate(use)
            + "' (expected: TRAIN, VALIDATION, TEST or UNASSIGNED)");
      }
    }
    String scope = "examples|" + id + "|" + label + "|" + mlUse;
    String after = ListQueries.resumeKey(scope, req.getPageToken());
    long afterSeq;
    try {
      afterSeq = after.isEmpty() ? 0 : Long.parseLong(after);
    } catch (NumberFormatException e) {
      throw ApiException.invalidArgument("page_token", "page_token is not one this list returned");
    }
    List<ExampleRow> rows = store.examples(id, label, mlUse, afterSeq, size + 1);
    ListExamplesResponse.Builder b = ListExamplesResponse.newBuilder()
        .setTotalSize(store.countExamples(id, label, mlUse));
    for (int i = 0; i < Math.min(size, rows.size()); i++) {
      b.addExamples(DatasetProtos.example(rows.get(i)));
    }
    if (rows.size() > size) {
      b.setNextPageToken(ListQueries.token(scope, Long.toString(rows.get(size - 1).seq())));
    }
    return b.build();
  }

  public Example getExample(String name) {
    return DatasetProtos.example(existingExample(name));
  }

  public void deleteExample(String name) {
    String[] ids = ResourceNames.exampleIds("name", name);
    boolean deleted = store.database().write(c -> {
      DatasetRow ds = store.dataset(c, ids[0]).orElseThrow(() -> notFound(ids[0]));
      if (ds.state() != Dataset.State.ACTIVE) {
        throw ApiException.failedPrecondition("DATASET_DELETING", "dataset " + ResourceNames.dataset(ids[0])
            + " is being deleted");
      }
      return store.deleteExample(c, ids[0], ids[1]);
    });
    if (!deleted) {
      throw exampleNotFound(name);
    }
    blobs.deleteIfUnreferenced(ids[1], store::isReferenced);
  }

  /** The stored example named {@code name}, or NOT_FOUND. */
  public ExampleRow existingExample(String name) {
    String[] ids = ResourceNames.exampleIds("name", name);
    existing(ids[0]);
    return store.example(ids[0], ids[1]).orElseThrow(() -> exampleNotFound(name));
  }

  public BlobStore blobs() {
    return blobs;
  }

  private DatasetRow existing(String id) {
    return store.dataset(id).orElseThrow(() -> notFound(id));
  }

  private static ApiException notFound(String id) {
    return ApiException.notFound(DATASET_TYPE, ResourceNames.dataset(id), "dataset " + ResourceNames.dataset(id)
        + " does not exist");
  }

  private static ApiException exampleNotFound(String name) {
    return ApiException.notFound(EXAMPLE_TYPE, name, "example " + ResourceNames.abbreviate(name)
        + " does not exist");
  }

  private static void checkText(String field, String value, int max) {
    if (value.length() > max) {
      throw ApiException.invalidArgument(field, field + " is " + value.length() + " characters (expected: at most "
          + max + ")");
    }
  }
}
