package dev.nimbus.server.dataset;

import com.google.protobuf.Any;
import com.google.protobuf.Empty;
import dev.nimbus.server.operation.OperationContext;
import dev.nimbus.server.operation.OperationHandler;
import dev.nimbus.server.operation.OperationManager;
import dev.nimbus.server.storage.BlobStore;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.v1.DeleteDatasetRequest;
import dev.nimbus.v1.DeleteDetails;
import dev.nimbus.v1.OperationMetadata;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs DeleteDataset: stops imports into the dataset, removes its examples in chunks (each chunk one
 * transaction, its blobs deleted when no other dataset refers to them), then the dataset itself. Resumable:
 * a restart continues where it stopped.
 */
public final class DeleteDatasetHandler implements OperationHandler {
  private static final int CHUNK = 500;

  private final DatasetStore store;
  private final BlobStore blobs;
  private final Thumbnails thumbnails;
  private final OperationManager operations;

  public DeleteDatasetHandler(DatasetStore store, BlobStore blobs, Thumbnails thumbnails,
      OperationManager operations) {
    this.store = store;
    this.blobs = blobs;
    this.thumbnails = thumbnails;
    this.operations = operations;
  }

  @Override
  public OperationMetadata.Kind kind() {
    return OperationMetadata.Kind.DELETE_DATASET;
  }

  @Override
  public boolean resumable() {
    return true;
  }

  @Override
  public void run(OperationContext ctx) throws Exception {
    DeleteDatasetRequest spec = DeleteDatasetRequest.parseFrom(ctx.spec());
    String id = ResourceNames.datasetId("name", spec.getName());
    // Imports stop at their next batch once the dataset is DELETING; asking them to cancel makes it prompt.
    operations.cancelAll(spec.getName(), ctx.id()).get(5, TimeUnit.MINUTES);
    long total = store.countExamples(id, null, null) + ctx.metadata().getDeleteDetails().getDeletedCount();
    long deleted = ctx.metadata().getDeleteDetails().getDeletedCount();
    while (true) {
      ctx.throwIfStopping();
      final long done = deleted;
      List<String> removed = store.database().write(c -> {
        List<String> hashes = store.deleteExamples(c, id, CHUNK);
        long now = done + hashes.size();
        ctx.saveProgress(c, progress(ctx.metadata(), now, total), now);
        return hashes;
      });
      for (String sha : removed) {
        if (blobs.deleteIfUnreferenced(sha, store::isReferenced)) {
          thumbnails.delete(sha);
        }
      }
      deleted += removed.size();
      if (removed.size() < CHUNK) {
        break;
      }
    }
    final long count = deleted;
    store.database().write(c -> {
      store.deleteDatasetRow(c, id);
      ctx.finish(c, progress(ctx.metadata(), count, total).toBuilder()
          .setStatusMessage("deleted " + spec.getName() + " and its " + count + " examples").build(),
          Any.pack(Empty.getDefaultInstance()));
      return null;
    });
  }

  private static OperationMetadata progress(OperationMetadata m, long deleted, long total) {
    return m.toBuilder()
        .setDeleteDetails(DeleteDetails.newBuilder().setDeletedCount(deleted).setTotalCount(total))
        .setProgressPercent(total == 0 ? 100 : Math.min(100, 100.0 * deleted / total))
        .setStatusMessage("deleted " + deleted + " of " + total + " examples")
        .build();
  }
}
