package dev.nimbus.server.dataset;

import com.google.longrunning.Operation;
import com.google.protobuf.FieldMask;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.Code;
import dev.nimbus.server.config.ServerConfig;
import dev.nimbus.server.dataset.DatasetStore.DatasetRow;
import dev.nimbus.server.dataset.DatasetStore.ExampleRow;
import dev.nimbus.server.dataset.DatasetStore.SplitCount;
import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.operation.OperationManager;
import dev.nimbus.server.operation.OperationRecord;
import dev.nimbus.server.storage.BlobStore;
import dev.nimbus.server.storage.BucketMapping;
import dev.nimbus.server.util.ListQueries;
import dev.nimbus.server.util.OutputPaths;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.server.util.UserLabels;
import dev.nimbus.v1.BatchPredictRequest;
import dev.nimbus.v1.ClassificationType;
import dev.nimbus.v1.CreateDatasetRequest;
import dev.nimbus.v1.Dataset;
import dev.nimbus.v1.DatasetStats;
import dev.nimbus.v1.DeleteDatasetRequest;
import dev.nimbus.v1.DeleteDetails;
import dev.nimbus.v1.Example;
import dev.nimbus.v1.ExportDataDetails;
import dev.nimbus.v1.ExportDataRequest;
import dev.nimbus.v1.FindMissingImagesRequest;
import dev.nimbus.v1.FindMissingImagesResponse;
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
import dev.nimbus.v1.MlUseSource;
import dev.nimbus.v1.OperationMetadata;
import dev.nimbus.v1.UpdateDatasetRequest;
import dev.nimbus.v1.UpdateExampleRequest;
import dev.nimbus.v1.UploadImagesRequest;
import dev.nimbus.v1.UploadImagesResponse;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The dataset use cases behind DatasetService: validation, storage, and starting operations. */
public final class Datasets {
  private static final Logger log = LoggerFactory.getLogger(Datasets.class);
  private static final String DATASET_TYPE = "nimbus.dev/Dataset";
  private static final String EXAMPLE_TYPE = "nimbus.dev/Example";

  private final DatasetStore store;
  private final BlobStore blobs;
  private final OperationManager operations;
  private final ServerConfig config;
  private final CsvSnapshots snapshots;
  private final BucketMapping buckets;
  private final Uploads uploads;
  private final Thumbnails thumbnails;
  private final Clock clock;

  public Datasets(DatasetStore store, BlobStore blobs, OperationManager operations, ServerConfig config,
      CsvSnapshots snapshots, Uploads uploads, Thumbnails thumbnails, BucketMapping buckets, Clock clock) {
    this.buckets = buckets;
    this.store = store;
    this.blobs = blobs;
    this.operations = operations;
    this.config = config;
    this.snapshots = snapshots;
    this.uploads = uploads;
    this.thumbnails = thumbnails;
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
    Map<String, String> userLabels = UserLabels.check("dataset.user_labels", d.getUserLabelsMap());
    if (!store.insertDataset(id, displayName, d.getDescription(), type, userLabels, clock.millis())) {
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
    Set<String> updatable = Set.of("display_name", "description", "user_labels");
    Set<String> paths = mask.getPathsCount() == 0 ? updatable : Set.copyOf(mask.getPathsList());
    for (String p : paths) {
      if (!updatable.contains(p)) {
        throw ApiException.invalidArgument("update_mask", "update_mask: '" + ResourceNames.abbreviate(p)
            + "' cannot be updated (expected: display_name, description, user_labels)");
      }
    }
    Map<String, String> userLabels = UserLabels.check("dataset.user_labels", d.getUserLabelsMap());
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
      store.updateDataset(c, id, displayName, description,
          paths.contains("user_labels") ? userLabels : row.userLabels(), clock.millis());
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
    active(id, "; imports are not accepted");
    InputConfig snapshot = snapshots.take(req.getInputConfig());
    ImportCsv parsed = ImportCsv.parse(snapshots.read(snapshot));
    ImportDataRequest spec = ImportDataRequest.newBuilder()
        .setName(ResourceNames.dataset(id))
        .setInputConfig(snapshot)
        .build();
    try {
      return operations.start(OperationMetadata.Kind.IMPORT_DATA, ResourceNames.dataset(id), spec,
          ImportDataDetails.newBuilder().setTotalRowCount(parsed.rowCount()).build(), null);
    } catch (RuntimeException e) {
      snapshots.delete(snapshot);
      throw e;
    }
  }

  /**
   * Starts ExportData: the dataset must be ACTIVE and the output a new (or empty) folder inside the export roots;
   * the operation writes the images and the CSV in AutoML Vision's layout ({@link ExportDataHandler}).
   */
  public Operation exportData(ExportDataRequest req) {
    String id = ResourceNames.datasetId("name", req.getName());
    DatasetRow row = active(id, "; it cannot be exported");
    if (!req.hasOutputConfig()) {
      throw ApiException.invalidArgument("output_config", "output_config is required (output_uri: a new or empty"
          + " folder on the server)");
    }
    String prefix = req.getImageUriPrefix();
    if (!prefix.isEmpty()) {
      if (prefix.length() > 1024 || prefix.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
        throw ApiException.invalidArgument("image_uri_prefix", "image_uri_prefix: at most 1024 characters and no"
            + " control characters (given " + prefix.length() + " characters)");
      }
      if (!prefix.endsWith("/")) {
        throw ApiException.invalidArgument("image_uri_prefix", "image_uri_prefix: '"
            + ResourceNames.abbreviate(prefix) + "' must end with '/' (it is the folder the export's images/ folder"
            + " will be in, e.g. gs://bucket/export/)");
      }
    }
    String out = OutputPaths.check(config, buckets, "output_config.output_uri", req.getOutputConfig().getOutputUri(),
        true).uri();
    ExportDataRequest spec = req.toBuilder().setName(ResourceNames.dataset(id))
        .setOutputConfig(req.getOutputConfig().toBuilder().setOutputUri(out)).build();
    return operations.start(OperationMetadata.Kind.EXPORT_DATA, ResourceNames.dataset(id), spec,
        ExportDataDetails.newBuilder().setOutputUri(out).setTotalCount(row.exampleCount()).build(), null);
  }

  /**
   * Checks a CSV input with the import's rules and keeps a durable copy of it for an operation to read (see
   * {@link CsvSnapshots#take}); returns the config naming the copy.
   */
  public InputConfig takeCsv(InputConfig in) {
    return snapshots.take(in);
  }

  /** The data rows of a CSV snapshot. */
  public long csvRowCount(InputConfig snapshot) {
    return ImportCsv.parse(snapshots.read(snapshot)).rowCount();
  }

  /** Deletes a CSV snapshot its operation is done with. */
  public void releaseCsv(InputConfig snapshot) {
    snapshots.delete(snapshot);
  }

  /** The images a CSV snapshot's rows name, read with the import's rules, in row order. */
  public Iterator<NamedImage> csvImages(InputConfig snapshot) {
    return NamedImages.ofCsv(ImportCsv.parse(snapshots.read(snapshot)), snapshots.sources(snapshot),
        CsvSnapshots.base(snapshot));
  }

  /** The images of a dataset's examples in {@code split} (ML_USE_UNSPECIFIED: every split), in import order. */
  public Iterator<NamedImage> exampleImages(String datasetName, MlUse split) {
    String id = ResourceNames.datasetId("dataset", datasetName);
    existing(id);
    return NamedImages.ofExamples(store, blobs, id, split == MlUse.ML_USE_UNSPECIFIED ? null : split);
  }

  /**
   * Start-up work after a restart: deletes the CSV snapshots that no operation still running uses, and, in the
   * background, the blobs a crash left between their write and their commit (written before {@code startedAt},
   * referenced by no example).
   */
  public void cleanUpAfterRestart(List<OperationRecord> running, long startedAtMillis, Executor background) {
    Set<String> inUse = new HashSet<>();
    for (OperationRecord r : running) {
      if (r.spec() == null) {
        continue;
      }
      try {
        switch (r.metadata().getKind()) {
          case IMPORT_DATA -> inUse.add(ImportDataRequest.parseFrom(r.spec()).getInputConfig().getCsvUri());
          case BATCH_PREDICT -> inUse.add(BatchPredictRequest.parseFrom(r.spec()).getInputConfig().getCsv()
              .getCsvUri());
          default -> { }
        }
      } catch (InvalidProtocolBufferException e) {
        log.warn("Operation {} has an unreadable spec", r.id());
      }
    }
    snapshots.sweep(inUse, startedAtMillis);
    background.execute(() -> {
      int n = blobs.sweep(startedAtMillis, store::isReferenced);
      if (n > 0) {
        log.info("Removed {} unreferenced blobs left by an interrupted import", n);
      }
    });
  }

  /** Examples of a dataset in a split (ML_USE_UNSPECIFIED: all). */
  public long count(String datasetName, MlUse split) {
    String id = ResourceNames.datasetId("dataset", datasetName);
    existing(id);
    return store.countExamples(id, null, split == MlUse.ML_USE_UNSPECIFIED ? null : split);
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
          + "' is not a valid label (expected: " + ResourceNames.LABEL_RULE + ")");
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

  /** Changes the labels and/or split of an example (UpdateExample). */
  public Example updateExample(UpdateExampleRequest req) {
    if (!req.hasExample()) {
      throw ApiException.invalidArgument("example", "example is required (with its name and the fields to change)");
    }
    Example e = req.getExample();
    String[] ids = ResourceNames.exampleIds("example.name", e.getName());
    // Without a mask, the fields the request sets (AIP-134): labels if any, ml_use if given.
    Set<String> paths = new HashSet<>(req.getUpdateMask().getPathsList());
    if (paths.isEmpty()) {
      if (e.getLabelsCount() > 0) {
        paths.add("labels");
      }
      if (e.getMlUse() != MlUse.ML_USE_UNSPECIFIED) {
        paths.add("ml_use");
      }
      if (paths.isEmpty()) {
        throw ApiException.invalidArgument("example", "the request changes nothing (set example.labels and/or"
            + " example.ml_use, or name them in update_mask)");
      }
    }
    for (String p : paths) {
      if (!p.equals("labels") && !p.equals("ml_use")) {
        throw ApiException.invalidArgument("update_mask", "update_mask: '" + ResourceNames.abbreviate(p)
            + "' cannot be updated (expected: labels, ml_use)");
      }
    }
    MlUse use = e.getMlUse();
    if (paths.contains("ml_use") && use != MlUse.TRAIN && use != MlUse.VALIDATION && use != MlUse.TEST) {
      throw ApiException.invalidArgument("example.ml_use", "example.ml_use: " + use
          + " (expected: TRAIN, VALIDATION or TEST)");
    }
    List<String> labels = new ArrayList<>(new TreeSet<>(e.getLabelsList()));
    if (paths.contains("labels")) {
      if (labels.isEmpty()) {
        throw ApiException.invalidArgument("example.labels", "example.labels is empty (expected: at least one"
            + " label; to remove the image from the dataset, delete the example)");
      }
      for (String label : labels) {
        if (!ResourceNames.isValidLabel(label)) {
          throw ApiException.invalidArgument("example.labels", "example.labels: '" + ResourceNames.abbreviate(label)
              + "' is not a valid label (expected: " + ResourceNames.LABEL_RULE + ")");
        }
      }
      if (labels.size() > ImportRow.MAX_LABELS) {
        throw ApiException.invalidArgument("example.labels", "example.labels: " + labels.size()
            + " labels (expected: at most " + ImportRow.MAX_LABELS + ")");
      }
    }
    store.database().write(c -> {
      DatasetRow ds = store.dataset(c, ids[0]).orElseThrow(() -> notFound(ids[0]));
      if (ds.state() != Dataset.State.ACTIVE) {
        throw ApiException.failedPrecondition("DATASET_DELETING", "dataset " + ResourceNames.dataset(ids[0])
            + " is being deleted");
      }
      if (store.example(c, ids[0], ids[1]).isEmpty()) {
        throw exampleNotFound(e.getName());
      }
      if (paths.contains("labels")) {
        if (ds.type() == ClassificationType.MULTICLASS && labels.size() > 1) {
          throw ApiException.invalidArgument("example.labels", "the dataset is MULTICLASS (one label per image) but"
              + " example.labels has " + labels.size() + ": " + String.join(", ", labels));
        }
        store.setLabels(c, ids[0], ids[1], labels);
      }
      if (paths.contains("ml_use")) {
        store.setMlUse(c, ids[0], ids[1], use, MlUseSource.USER);
      }
      store.touch(c, ids[0], clock.millis());
      return null;
    });
    return getExample(e.getName());
  }

  /** FindMissingImages: which of the hashes the client must upload. */
  public FindMissingImagesResponse findMissingImages(FindMissingImagesRequest req) {
    existingActive("parent", req.getParent());
    return FindMissingImagesResponse.newBuilder().addAllMissing(uploads.missing(req.getSha256List())).build();
  }

  /** UploadImages: stores the chunks for the import that follows. */
  public UploadImagesResponse uploadImages(UploadImagesRequest req) {
    existingActive("parent", req.getParent());
    return UploadImagesResponse.newBuilder().addAllImages(uploads.receive(req.getChunksList())).build();
  }

  /** The bytes to show for an example: the stored image, or a JPEG preview ({@code thumbnailSize} > 0). */
  public ExampleImage image(String name, int thumbnailSize) {
    ExampleRow example = existingExample(name);
    if (thumbnailSize == 0) {
      return new ExampleImage(example.sha256(), example.mimeType(), example.sha256(), example.sizeBytes(), null);
    }
    int size = Thumbnails.bucket(thumbnailSize);
    byte[] preview = thumbnails.get(example.sha256(), size);
    return new ExampleImage(example.sha256(), "image/jpeg", example.sha256() + "-" + size, preview.length, preview);
  }

  /**
   * What ReadExampleImage sends.
   *
   * @param sha256 the blob of the stored image
   * @param tag a strong validator of the bytes (content hash, and preview size)
   * @param preview the preview's bytes; null: stream the blob
   */
  public record ExampleImage(String sha256, String mimeType, String tag, long sizeBytes, byte[] preview) {}

  private void existingActive(String field, String name) {
    active(ResourceNames.datasetId(field, name), "");
  }

  /** The dataset, or NOT_FOUND; FAILED_PRECONDITION, followed by {@code refusal}, while it is being deleted. */
  private DatasetRow active(String id, String refusal) {
    DatasetRow ds = existing(id);
    if (ds.state() != Dataset.State.ACTIVE) {
      throw ApiException.failedPrecondition("DATASET_DELETING", "dataset " + ResourceNames.dataset(id)
          + " is being deleted" + refusal);
    }
    return ds;
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
    if (blobs.deleteIfUnreferenced(ids[1], store::isReferenced)) {
      thumbnails.delete(ids[1]);
    }
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
