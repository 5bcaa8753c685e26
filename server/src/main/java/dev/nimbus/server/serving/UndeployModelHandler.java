package dev.nimbus.server.serving;

import com.google.protobuf.Any;
import dev.nimbus.server.model.ModelStore;
import dev.nimbus.server.operation.OperationContext;
import dev.nimbus.server.operation.OperationHandler;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.OperationMetadata;
import dev.nimbus.v1.UndeployModelRequest;

/** Runs UndeployModel: stop serving (waiting requests fail, running batches finish), unload, UNDEPLOYED. */
public final class UndeployModelHandler implements OperationHandler {
  private final ModelStore store;
  private final Deployments deployments;
  private final DeploymentStates states;

  public UndeployModelHandler(ModelStore store, Deployments deployments) {
    this.store = store;
    this.deployments = deployments;
    this.states = deployments.states();
  }

  @Override
  public OperationMetadata.Kind kind() {
    return OperationMetadata.Kind.UNDEPLOY_MODEL;
  }

  @Override
  public boolean resumable() {
    return true;
  }

  @Override
  public void run(OperationContext ctx) throws Exception {
    UndeployModelRequest spec = UndeployModelRequest.parseFrom(ctx.spec());
    String id = ResourceNames.modelId("name", spec.getName());
    deployments.undeploy(id);
    store.database().write(c -> {
      Model done = states.set(c, id, Model.DeploymentState.UNDEPLOYED, null, null);
      ctx.finish(c, ctx.metadata().toBuilder().setStatusMessage("undeployed " + spec.getName()).build(),
          Any.pack(done == null ? Model.getDefaultInstance() : done));
      return null;
    });
  }
}
