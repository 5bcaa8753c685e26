package dev.nimbus.server.model;

import com.google.protobuf.Any;
import com.google.protobuf.Empty;
import dev.nimbus.server.operation.OperationContext;
import dev.nimbus.server.operation.OperationHandler;
import dev.nimbus.server.operation.OperationManager;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.v1.DeleteDetails;
import dev.nimbus.v1.DeleteModelRequest;
import dev.nimbus.v1.OperationMetadata;
import java.util.concurrent.TimeUnit;

/** Runs DeleteModel: cancels a training still running, then removes the model's rows and files. Resumable. */
public final class DeleteModelHandler implements OperationHandler {
  private final ModelStore store;
  private final ModelFiles files;
  private final OperationManager operations;

  public DeleteModelHandler(ModelStore store, ModelFiles files, OperationManager operations) {
    this.store = store;
    this.files = files;
    this.operations = operations;
  }

  @Override
  public OperationMetadata.Kind kind() {
    return OperationMetadata.Kind.DELETE_MODEL;
  }

  @Override
  public boolean resumable() {
    return true;
  }

  @Override
  public void run(OperationContext ctx) throws Exception {
    DeleteModelRequest spec = DeleteModelRequest.parseFrom(ctx.spec());
    String id = ResourceNames.modelId("name", spec.getName());
    operations.cancelAll(spec.getName(), ctx.id()).get(5, TimeUnit.MINUTES);
    files.delete(id);
    store.database().write(c -> {
      store.delete(c, id);
      ctx.finish(c, ctx.metadata().toBuilder()
          .setDeleteDetails(DeleteDetails.newBuilder().setDeletedCount(1).setTotalCount(1))
          .setStatusMessage("deleted " + spec.getName()).build(), Any.pack(Empty.getDefaultInstance()));
      return null;
    });
  }
}
