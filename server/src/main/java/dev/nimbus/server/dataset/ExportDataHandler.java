package dev.nimbus.server.dataset;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.Status;
import dev.nimbus.server.dataset.DatasetStore.ExampleRow;
import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.image.ImageFormat;
import dev.nimbus.server.operation.OperationContext;
import dev.nimbus.server.operation.OperationHandler;
import dev.nimbus.server.storage.BlobStore;
import dev.nimbus.server.storage.BucketMapping;
import dev.nimbus.server.storage.StorageException;
import dev.nimbus.server.util.OutputPaths;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.server.util.ServerPaths;
import dev.nimbus.v1.Dataset;
import dev.nimbus.v1.ExportDataDetails;
import dev.nimbus.v1.ExportDataRequest;
import dev.nimbus.v1.ExportDataResponse;
import dev.nimbus.v1.MlUse;
import dev.nimbus.v1.OperationMetadata;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs ExportData: copies every example's image from the blob store to {@code images/<sha256>.<ext>} and writes
 * {@code image_classification_1.csv} ({@code ML_USE,URI,LABEL[,LABEL...]} per example, in import order), the
 * layout AutoML Vision's ExportData writes, so ImportData (Nimbus's or AutoML's) reads it back as it is.
 *
 * <p>Everything is written into a hidden sibling folder named after the operation, each file fsynced, and the
 * folder renamed to the output path at the end, so the output is complete or absent. Restartable: a run that
 * stopped while writing deletes its folder and starts over; one that stopped after saving checkpoint
 * {@link #RENAMING} only finishes the rename (or finds it done).
 */
public final class ExportDataHandler implements OperationHandler {
  private static final Logger log = LoggerFactory.getLogger(ExportDataHandler.class);
  /** The CSV's name inside the export: AutoML's for an image classification dataset. */
  public static final String CSV_NAME = "image_classification_1.csv";
  /** The images' folder inside the export. */
  public static final String IMAGES = "images";
  /** Checkpoint: the temporary folder is complete and only has to be renamed. */
  static final long RENAMING = 1;
  private static final int PAGE = 256;

  private final DatasetStore store;
  private final BlobStore blobs;
  private final BucketMapping buckets;

  public ExportDataHandler(DatasetStore store, BlobStore blobs, BucketMapping buckets) {
    this.store = store;
    this.blobs = blobs;
    this.buckets = buckets;
  }

  @Override
  public OperationMetadata.Kind kind() {
    return OperationMetadata.Kind.EXPORT_DATA;
  }

  @Override
  public boolean resumable() {
    return true;
  }

  /** The hidden folder an export is written into before its rename, beside the output and named after the run. */
  private static Path tempFolder(Path out, String operationId) {
    return out.resolveSibling("." + out.getFileName() + ".partial-" + operationId);
  }

  @Override
  public void run(OperationContext ctx) throws Exception {
    ExportDataRequest spec = ExportDataRequest.parseFrom(ctx.spec());
    String id = ResourceNames.datasetId("name", spec.getName());
    String uri = spec.getOutputConfig().getOutputUri(); // as the caller gave it (gs:// or a path), so reported
    Path out = OutputPaths.prepare(buckets, uri);
    Path temp = tempFolder(out, ctx.id());
    OperationMetadata.Builder m = ctx.metadata().toBuilder();
    ExportDataDetails.Builder d = m.getExportDataDetails().toBuilder();
    if (ctx.checkpoint() == RENAMING && !Files.exists(temp)) {
      // The previous run renamed the finished folder and stopped before recording it.
      finish(ctx, m, d, uri);
      return;
    }
    if (ctx.checkpoint() != RENAMING) {
      try {
        ServerPaths.deleteTree(temp); // what a run that stopped half-way left
        Files.createDirectories(temp.resolve(IMAGES));
        d.setExportedCount(0);
        write(ctx, spec, id, temp, m, d);
      } catch (Cancelled e) {
        deleteQuietly(temp);
        String message = "cancelled after " + d.getExportedCount() + " of " + d.getTotalCount()
            + " examples; nothing was written";
        store.database().write(c -> {
          ctx.finishWithError(c, m.setExportDataDetails(d).setStatusMessage(message).build(),
              OperationMetadata.State.CANCELLED, Status.newBuilder().setCode(Code.CANCELLED_VALUE)
                  .setMessage(message).build());
          return null;
        });
        return;
      } catch (OperationContext.Stopped e) {
        throw e; // the folder is kept until the resumed run deletes it
      } catch (IOException e) {
        deleteQuietly(temp);
        throw new StorageException("cannot write the export to " + out + ": " + e.getMessage(), e);
      } catch (Exception | Error e) {
        deleteQuietly(temp);
        throw e;
      }
      store.database().write(c -> {
        ctx.saveProgress(c, m.setExportDataDetails(d).setProgressPercent(99)
            .setStatusMessage("wrote " + d.getExportedCount() + " examples; moving them to " + out).build(), RENAMING);
        return null;
      });
    }
    rename(temp, out);
    finish(ctx, m, d, uri);
  }

  private void write(OperationContext ctx, ExportDataRequest spec, String id, Path temp, OperationMetadata.Builder m,
      ExportDataDetails.Builder d) throws Exception {
    Path csv = temp.resolve(CSV_NAME);
    try (FileChannel ch = FileChannel.open(csv, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
         BufferedWriter w = new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(ch),
             StandardCharsets.UTF_8))) {
      long after = 0;
      while (true) {
        List<ExampleRow> page = store.examples(id, null, null, after, PAGE);
        for (ExampleRow e : page) {
          if (ctx.cancelRequested()) {
            throw new Cancelled();
          }
          ctx.throwIfStopping();
          String file = IMAGES + "/" + e.sha256() + "." + ImageFormat.fromMimeType(e.mimeType()).extension();
          try {
            copyBlob(e.sha256(), temp.resolve(file));
          } catch (NoSuchFileException gone) {
            if (store.example(id, e.sha256()).isEmpty()) {
              continue; // deleted (DeleteExample) since the page was read: not part of the export
            }
            throw gone;
          }
          w.write(row(e, spec.getImageUriPrefix() + file));
          d.setExportedCount(d.getExportedCount() + 1);
          // Examples imported after the start are exported too; the total grows with them.
          d.setTotalCount(Math.max(d.getTotalCount(), d.getExportedCount()));
          ctx.publish(m.setExportDataDetails(d)
              .setProgressPercent(Math.min(99, 100.0 * d.getExportedCount() / d.getTotalCount()))
              .setStatusMessage("exported " + d.getExportedCount() + " of " + d.getTotalCount() + " examples")
              .build());
        }
        if (page.size() < PAGE) {
          break;
        }
        after = page.get(page.size() - 1).seq();
      }
      if (store.dataset(id).filter(ds -> ds.state() == Dataset.State.ACTIVE).isEmpty()) {
        throw ApiException.failedPrecondition("DATASET_DELETING", "dataset " + spec.getName()
            + " was deleted during the export; nothing was written");
      }
      w.flush();
      ch.force(true);
    }
    BlobStore.fsyncDirectory(temp.resolve(IMAGES));
    BlobStore.fsyncDirectory(temp);
  }

  /** One CSV row: {@code ML_USE,URI[,LABEL...]}, the URI quoted if the prefix made that necessary. */
  static String row(ExampleRow e, String uri) {
    MlUse use = switch (e.mlUse()) {
      case TRAIN, VALIDATION, TEST -> e.mlUse();
      default -> MlUse.UNASSIGNED;
    };
    StringBuilder b = new StringBuilder(use.name()).append(',').append(csvField(uri));
    for (String label : e.labels()) {
      b.append(',').append(label);
    }
    return b.append('\n').toString();
  }

  private static String csvField(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
      return s;
    }
    return '"' + s.replace("\"", "\"\"") + '"';
  }

  private void copyBlob(String sha256, Path target) throws IOException {
    if (Files.exists(target)) {
      return; // the same image twice cannot happen in one dataset, but a copy would be identical anyway
    }
    try (InputStream in = blobs.open(sha256);
         FileChannel ch = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      OutputStream o = Channels.newOutputStream(ch);
      in.transferTo(o);
      ch.force(true);
    }
  }

  private static void rename(Path temp, Path out) throws IOException {
    try {
      OutputPaths.moveIntoPlace(temp, out);
    } catch (ApiException e) {
      deleteQuietly(temp);
      throw e;
    }
    BlobStore.fsyncDirectory(out.getParent());
  }

  private void finish(OperationContext ctx, OperationMetadata.Builder m, ExportDataDetails.Builder d, String uri) {
    ExportDataResponse response = ExportDataResponse.newBuilder().setOutputUri(uri)
        .setCsvUri(uri + "/" + CSV_NAME).setExportedCount(d.getExportedCount()).build();
    store.database().write(c -> {
      ctx.finish(c, m.setExportDataDetails(d).setStatusMessage("exported " + d.getExportedCount()
          + " examples to " + uri).build(), Any.pack(response));
      return null;
    });
  }

  private static void deleteQuietly(Path root) {
    try {
      ServerPaths.deleteTree(root);
    } catch (IOException e) {
      // Hidden beside the output and never renamed into place, so only its space is lost; say where it is.
      log.warn("Could not remove the partial export {}: {}", root, e.toString());
    }
  }

  private static final class Cancelled extends Exception {
    Cancelled() {
      super(null, null, false, false);
    }
  }
}
