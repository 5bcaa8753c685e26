package dev.nimbus.server.serving;

import com.google.protobuf.Any;
import dev.nimbus.server.model.ModelStore;
import dev.nimbus.server.operation.OperationContext;
import dev.nimbus.server.operation.OperationHandler;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.OperationMetadata;
import dev.nimbus.v1.UndeployModelRequest;
import java.time.Clock;

/** Runs UndeployModel: stop serving (waiting requests fail, running batches finish), unload, UNDEPLOYED. */
public final class UndeployModelHandler implements OperationHandler {
  private final ModelStore store;
  private final Deployments deployments;
  private final Clock clock;

  public UndeployModelHandler(ModelStore store, Deployments deployments, Clock clock) {
    this.store = store;
    this.deployments = deployments;
    this.clock = clock;
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
      Model m = store.get(c, id).orElse(null);
      Model done = m == null ? Model.getDefaultInstance() : m.toBuilder()
          .setDeploymentState(Model.DeploymentState.UNDEPLOYED).clearDeploymentError().build();
      if (m != null) {
        store.update(c, id, done, clock.millis());
      }
      ctx.finish(c, ctx.metadata().toBuilder().setStatusMessage("undeployed " + spec.getName()).build(),
          Any.pack(done));
      return null;
    });
  }
}
