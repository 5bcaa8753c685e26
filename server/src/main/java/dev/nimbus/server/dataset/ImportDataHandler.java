package dev.nimbus.server.dataset;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.Status;
import dev.nimbus.server.config.ServerConfig;
import dev.nimbus.server.dataset.DatasetStore.DatasetRow;
import dev.nimbus.server.dataset.DatasetStore.ExampleRow;
import dev.nimbus.server.dataset.DatasetStore.SplitCount;
import dev.nimbus.server.dataset.RowFailure.Reason;
import dev.nimbus.server.dataset.RowFailure.RowException;
import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.image.ImageInfo;
import dev.nimbus.server.image.ImageInspector;
import dev.nimbus.server.image.InvalidImageException;
import dev.nimbus.server.operation.OperationContext;
import dev.nimbus.server.operation.OperationHandler;
import dev.nimbus.server.storage.BlobStore;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.v1.ClassificationType;
import dev.nimbus.v1.Dataset;
import dev.nimbus.v1.ImportDataDetails;
import dev.nimbus.v1.ImportDataRequest;
import dev.nimbus.v1.ImportDataResponse;
import dev.nimbus.v1.MlUse;
import dev.nimbus.v1.MlUseSource;
import dev.nimbus.v1.OperationMetadata;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;

/**
 * Runs ImportData. Rows are read from the CSV snapshot taken when the operation started, in batches: each
 * batch's images are fetched, validated, hashed and stored as blobs in parallel on the import pool, then the
 * batch's examples, failures, counts and checkpoint are committed in one transaction. So what the operation
 * reports as imported is exactly what is committed, and a resumed import (after a crash) continues after the
 * last committed row. When the rows are done (or the import is cancelled), the automatic split is assigned in
 * the same transaction that finishes the operation.
 */
public final class ImportDataHandler implements OperationHandler {
  static final int MAX_REPORTED_FAILURES = 1000;

  private final DatasetStore store;
  private final BlobStore blobs;
  private final ImageInspector inspector;
  private final CsvSnapshots snapshots;
  private final ExecutorService pool;
  private final Clock clock;
  private final int batchSize;
  private final Semaphore decoders;

  public ImportDataHandler(DatasetStore store, BlobStore blobs, CsvSnapshots snapshots, ImageInspector inspector,
      ServerConfig config, ExecutorService pool, Clock clock) {
    this.snapshots = snapshots;
    this.store = store;
    this.blobs = blobs;
    this.inspector = inspector;
    this.pool = pool;
    this.clock = clock;
    this.batchSize = Math.max(16, 4 * config.threads().importThreads());
    this.decoders = new Semaphore(config.threads().importDecoders());
  }

  @Override
  public OperationMetadata.Kind kind() {
    return OperationMetadata.Kind.IMPORT_DATA;
  }

  @Override
  public boolean resumable() {
    return true;
  }

  /** What one row came to before its commit. */
  private sealed interface Outcome permits Stored, Failed {}

  private record Stored(ImportRow row, String sha256, ImageInfo info, long size) implements Outcome {}

  private record Failed(RowFailure failure) implements Outcome {}

  @Override
  public void run(OperationContext ctx) throws Exception {
    ImportDataRequest spec = ImportDataRequest.parseFrom(ctx.spec());
    String datasetId = ResourceNames.datasetId("name", spec.getName());
    DatasetRow dataset = store.dataset(datasetId).orElseThrow(() -> ApiException.notFound("nimbus.dev/Dataset",
        spec.getName(), "dataset " + spec.getName() + " was deleted before the import could run"));
    ImportCsv csv = ImportCsv.parse(snapshots.read(spec.getInputConfig()));
    Path base = CsvSnapshots.base(spec.getInputConfig());
    ImportSources sources = snapshots.sources(spec.getInputConfig());

    Progress progress = new Progress(ctx.metadata(), csv.rowCount(), clock);
    Iterator<ImportCsv.Row> rows = csv.rows((int) ctx.checkpoint());
    String stopReason = null;
    while (rows.hasNext()) {
      if (ctx.cancelRequested()) {
        stopReason = "cancelled";
        break;
      }
      ctx.throwIfStopping();
      List<ImportCsv.Row> batch = new ArrayList<>(batchSize);
      while (rows.hasNext() && batch.size() < batchSize) {
        batch.add(rows.next());
      }
      List<Outcome> outcomes = process(batch, dataset.type(), sources, base);
      long checkpoint = batch.get(batch.size() - 1).index() + 1L;
      boolean committed;
      try {
        committed = store.database().write(c -> {
          Optional<DatasetRow> now = store.dataset(c, datasetId);
          if (now.isEmpty() || now.get().state() != Dataset.State.ACTIVE) {
            return false;
          }
          for (Outcome o : outcomes) {
            apply(c, datasetId, dataset.type(), o, progress);
          }
          ctx.saveProgress(c, progress.metadata(), checkpoint);
          return true;
        });
      } finally {
        for (Outcome o : outcomes) {
          if (o instanceof Stored s) {
            blobs.unpin(s.sha256());
          }
        }
      }
      if (!committed) {
        stopReason = "the dataset is being deleted";
        break;
      }
    }
    finish(ctx, datasetId, progress, stopReason);
    snapshots.discardUploads(spec.getInputConfig());
    snapshots.delete(spec.getInputConfig());
  }

  private void finish(OperationContext ctx, String datasetId, Progress progress, String stopReason) {
    store.database().write(c -> {
      store.assignPendingSplits(c, datasetId);
      SplitCount splits = store.splitCounts(c, datasetId);
      ImportDataDetails d = progress.details();
      if (stopReason == null) {
        ImportDataResponse response = ImportDataResponse.newBuilder()
            .setDataset(ResourceNames.dataset(datasetId))
            .setTotalRowCount(d.getTotalRowCount())
            .setImportedCount(d.getImportedCount())
            .setDuplicateCount(d.getDuplicateCount())
            .setFailedCount(d.getFailedCount())
            .setLabelsAddedCount(d.getLabelsAddedCount())
            .setSplitCounts(DatasetProtos.splitCounts(splits))
            .build();
        ctx.finish(c, progress.metadata().toBuilder().setStatusMessage("done: " + progress.summary()).build(),
            Any.pack(response));
      } else {
        String message = stopReason + " after " + d.getProcessedRowCount() + " of " + d.getTotalRowCount()
            + " rows; the " + d.getImportedCount() + " imported images are kept";
        ctx.finishWithError(c, progress.metadata().toBuilder().setStatusMessage(message).build(),
            OperationMetadata.State.CANCELLED,
            Status.newBuilder().setCode(Code.CANCELLED_VALUE).setMessage(message).build());
      }
      return null;
    });
  }

  /** Fetches, validates and stores the images of a batch in parallel; outcomes in row order. */
  private List<Outcome> process(List<ImportCsv.Row> batch, ClassificationType type, ImportSources sources,
      Path base) {
    BlobStore.Batch writes = blobs.batch();
    List<CompletableFuture<Outcome>> futures = new ArrayList<>(batch.size());
    for (ImportCsv.Row row : batch) {
      futures.add(CompletableFuture.supplyAsync(() -> processRow(row, type, sources, base, writes), pool));
    }
    List<Outcome> out = new ArrayList<>(batch.size());
    RuntimeException fatal = null;
    for (CompletableFuture<Outcome> f : futures) {
      try {
        out.add(f.join());
      } catch (CompletionException e) {
        // Not a problem of the row (the disk is full, say): stop the import, keep what was committed.
        fatal = fatal != null ? fatal : e.getCause() instanceof RuntimeException r ? r : e;
      }
    }
    if (fatal == null) {
      try {
        writes.sync();
      } catch (RuntimeException e) {
        fatal = e;
      }
    }
    if (fatal != null) {
      for (Outcome o : out) {
        if (o instanceof Stored s) {
          blobs.unpin(s.sha256());
        }
      }
      throw fatal;
    }
    return out;
  }

  private Outcome processRow(ImportCsv.Row csvRow, ClassificationType type, ImportSources sources, Path base,
      BlobStore.Batch writes) {
    ImportRow row;
    try {
      row = ImportRow.parse(csvRow, type);
    } catch (RowException e) {
      return new Failed(new RowFailure(csvRow.line(), ImportRow.uriOf(csvRow), e.reason(), e.getMessage()));
    }
    try {
      byte[] bytes = sources.read(row.uri(), base);
      ImageInfo info;
      decoders.acquireUninterruptibly();
      try {
        info = inspector.inspect(bytes);
      } catch (InvalidImageException e) {
        throw new RowException(reasonOf(e), e.getMessage());
      } finally {
        decoders.release();
      }
      String sha = BlobStore.sha256Hex(bytes);
      blobs.pin(sha);
      try {
        writes.put(sha, bytes);
      } catch (RuntimeException e) {
        blobs.unpin(sha);
        throw e;
      }
      return new Stored(row, sha, info, bytes.length);
    } catch (RowException e) {
      return new Failed(new RowFailure(row.line(), row.uri(), e.reason(), e.getMessage()));
    }
  }

  private static Reason reasonOf(InvalidImageException e) {
    return switch (e.reason()) {
      case EMPTY -> Reason.EMPTY_FILE;
      case TOO_LARGE_FILE -> Reason.FILE_TOO_LARGE;
      case UNSUPPORTED_FORMAT -> Reason.UNSUPPORTED_FORMAT;
      case TOO_MANY_PIXELS -> Reason.TOO_MANY_PIXELS;
      case CORRUPT -> Reason.CORRUPT_IMAGE;
    };
  }

  /** Applies one outcome inside the batch's transaction. */
  private void apply(Connection c, String datasetId, ClassificationType type, Outcome o, Progress p)
      throws SQLException {
    if (o instanceof Failed f) {
      p.failed(f.failure());
      return;
    }
    Stored s = (Stored) o;
    ImportRow row = s.row();
    Optional<ExampleRow> existing = store.example(c, datasetId, s.sha256());
    if (existing.isEmpty()) {
      store.insertExample(c, new ExampleRow(0, datasetId, s.sha256(), row.labels(),
          row.explicitMlUse() ? row.mlUse() : MlUse.UNASSIGNED,
          row.explicitMlUse() ? MlUseSource.FROM_CSV : MlUseSource.AUTOMATIC,
          s.info().format().mimeType(), s.info().width(), s.info().height(), s.size(),
          truncate(row.uri(), 2048), clock.millis()));
      p.imported();
      return;
    }
    ExampleRow e = existing.get();
    if (type == ClassificationType.MULTICLASS && !e.labels().equals(row.labels())) {
      p.failed(new RowFailure(row.line(), row.uri(), Reason.LABEL_CONFLICT, "the same image is already in the"
          + " dataset labeled '" + String.join(",", e.labels()) + "' (imported from "
          + ResourceNames.abbreviate(e.sourceUri()) + "); a MULTICLASS image has exactly one label"));
      return;
    }
    if (row.explicitMlUse() && e.mlUse() != row.mlUse()) {
      if (e.mlUseSource() == MlUseSource.FROM_CSV) {
        p.failed(new RowFailure(row.line(), row.uri(), Reason.SPLIT_CONFLICT, "the same image is already in "
            + e.mlUse() + " (imported from " + ResourceNames.abbreviate(e.sourceUri())
            + "); an image cannot sit in two splits"));
        return;
      }
      store.setMlUse(c, datasetId, s.sha256(), row.mlUse(), MlUseSource.FROM_CSV);
    }
    List<String> added = new ArrayList<>();
    for (String label : row.labels()) {
      if (!e.labels().contains(label)) {
        store.addLabel(c, datasetId, s.sha256(), label);
        added.add(label);
      }
    }
    if (added.isEmpty()) {
      p.duplicate();
    } else {
      p.labelsAdded();
    }
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }

  /** Counts and the failure report of an import, carried in its metadata. */
  private static final class Progress {
    private final OperationMetadata.Builder m;
    private final ImportDataDetails.Builder d;
    private final Clock clock;
    private final long startMillis;
    private final long processedAtStart;

    Progress(OperationMetadata start, int totalRows, Clock clock) {
      this.m = start.toBuilder();
      this.d = start.getImportDataDetails().toBuilder().setTotalRowCount(totalRows);
      this.clock = clock;
      this.startMillis = clock.millis();
      this.processedAtStart = d.getProcessedRowCount();
    }

    void imported() {
      d.setImportedCount(d.getImportedCount() + 1);
      processed();
    }

    void duplicate() {
      d.setDuplicateCount(d.getDuplicateCount() + 1);
      processed();
    }

    void labelsAdded() {
      d.setLabelsAddedCount(d.getLabelsAddedCount() + 1);
      processed();
    }

    void failed(RowFailure f) {
      d.setFailedCount(d.getFailedCount() + 1);
      m.setPartialFailureCount(m.getPartialFailureCount() + 1);
      if (m.getPartialFailuresCount() < MAX_REPORTED_FAILURES) {
        m.addPartialFailures(f.toStatus());
      }
      processed();
    }

    private void processed() {
      d.setProcessedRowCount(d.getProcessedRowCount() + 1);
    }

    ImportDataDetails details() {
      return d.build();
    }

    String summary() {
      return String.format(Locale.ROOT, "%d of %d rows: %d imported, %d duplicates, %d labels added, %d failed",
          d.getProcessedRowCount(), d.getTotalRowCount(), d.getImportedCount(), d.getDuplicateCount(),
          d.getLabelsAddedCount(), d.getFailedCount());
    }

    OperationMetadata metadata() {
      long elapsed = Math.max(1, clock.millis() - startMillis);
      d.setImagesPerSecond((d.getProcessedRowCount() - processedAtStart) * 1000.0 / elapsed);
      double percent = d.getTotalRowCount() == 0 ? 100 : 100.0 * d.getProcessedRowCount() / d.getTotalRowCount();
      return m.setImportDataDetails(d).setProgressPercent(Math.min(100, percent)).setStatusMessage(summary()).build();
    }
  }
}
