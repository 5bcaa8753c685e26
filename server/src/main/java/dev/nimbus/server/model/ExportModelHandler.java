package dev.nimbus.server.model;

import com.google.protobuf.Any;
import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.operation.OperationContext;
import dev.nimbus.server.operation.OperationHandler;
import dev.nimbus.server.storage.BucketMapping;
import dev.nimbus.server.storage.StorageException;
import dev.nimbus.server.util.OutputPaths;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.server.util.ServerPaths;
import dev.nimbus.v1.ExportModelRequest;
import dev.nimbus.v1.ExportModelResponse;
import dev.nimbus.v1.OperationMetadata;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Runs ExportModel: copies the model's folder (SavedModel, labels, model card) to a new folder or zip on the
 * server, written under a temporary name and renamed when complete. Resumable (it starts over).
 */
public final class ExportModelHandler implements OperationHandler {
  private final ModelStore store;
  private final ModelFiles files;
  private final BucketMapping buckets;

  public ExportModelHandler(ModelStore store, ModelFiles files, BucketMapping buckets) {
    this.store = store;
    this.files = files;
    this.buckets = buckets;
  }

  @Override
  public OperationMetadata.Kind kind() {
    return OperationMetadata.Kind.EXPORT_MODEL;
  }

  @Override
  public boolean resumable() {
    return true;
  }

  @Override
  public void run(OperationContext ctx) throws Exception {
    ExportModelRequest spec = ExportModelRequest.parseFrom(ctx.spec());
    String id = ResourceNames.modelId("name", spec.getName());
    store.get(id).orElseThrow(() -> Models.notFound(id));
    Path source = files.dir(id);
    if (!Files.isDirectory(source)) {
      throw ApiException.failedPrecondition("MODEL_FILES_MISSING", "the files of model " + spec.getName()
          + " are missing from the data directory");
    }
    String uri = spec.getOutputConfig().getOutputUri(); // as the caller gave it (gs:// or a path), so reported
    Path out = null;
    Path temp = null;
    try {
      out = OutputPaths.prepare(buckets, uri);
      temp = out.resolveSibling("." + out.getFileName() + ".partial-" + UUID.randomUUID());
      if (spec.getFormat() == ExportModelRequest.Format.SAVED_MODEL_ZIP) {
        try (OutputStream o = Files.newOutputStream(temp)) {
          ModelFiles.zipTree(source, o);
        }
      } else {
        ModelFiles.copyTree(source, temp);
      }
      OutputPaths.moveIntoPlace(temp, out);
    } catch (ApiException e) {
      ServerPaths.deleteTree(temp);
      throw e;
    } catch (IOException e) {
      if (temp != null) {
        ServerPaths.deleteTree(temp);
      }
      throw new StorageException("cannot write the export to " + uri + ": " + e.getMessage(), e);
    }
    store.database().write(c -> {
      ctx.finish(c, ctx.metadata().toBuilder().setStatusMessage("exported to " + uri).build(),
          Any.pack(ExportModelResponse.newBuilder().setOutputUri(uri).build()));
      return null;
    });
  }
}
