package dev.nimbus.server.serving;

import com.google.protobuf.Any;
import com.google.rpc.Status;
import dev.nimbus.server.error.ErrorStatus;
import dev.nimbus.server.model.ModelStore;
import dev.nimbus.server.model.Models;
import dev.nimbus.server.operation.OperationContext;
import dev.nimbus.server.operation.OperationHandler;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.v1.DeployModelRequest;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.OperationMetadata;

/**
 * Runs DeployModel: the RPC has set the model LOADING; this loads and warms it up and only then makes it AVAILABLE
 * (or DEPLOYMENT_FAILED with the reason). Resumable: after a restart it loads again.
 */
public final class DeployModelHandler implements OperationHandler {
  private final ModelStore store;
  private final Deployments deployments;
  private final DeploymentStates states;

  public DeployModelHandler(ModelStore store, Deployments deployments) {
    this.store = store;
    this.deployments = deployments;
    this.states = deployments.states();
  }

  @Override
  public OperationMetadata.Kind kind() {
    return OperationMetadata.Kind.DEPLOY_MODEL;
  }

  @Override
  public boolean resumable() {
    return true;
  }

  @Override
  public void run(OperationContext ctx) throws Exception {
    DeployModelRequest spec = DeployModelRequest.parseFrom(ctx.spec());
    String id = ResourceNames.modelId("name", spec.getName());
    Model model = store.get(id).orElseThrow(() -> Models.notFound(id));
    try {
      deployments.deploy(model, spec.getDeploymentConfig());
    } catch (RuntimeException e) {
      if (ctx.stopping()) {
        throw new OperationContext.Stopped(); // deployed at the next start
      }
      Status error = ErrorStatus.of(e, "the deployment of " + spec.getName());
      store.database().write(c -> {
        states.set(c, id, Model.DeploymentState.DEPLOYMENT_FAILED, null, error);
        ctx.finishWithError(c, ctx.metadata().toBuilder().setStatusMessage(error.getMessage()).build(),
            OperationMetadata.State.FAILED, error);
        return null;
      });
      return;
    }
    store.database().write(c -> {
      Model available = states.set(c, id, Model.DeploymentState.AVAILABLE, spec.getDeploymentConfig(), null);
      ctx.finish(c, ctx.metadata().toBuilder().setStatusMessage("deployed " + spec.getName() + " on "
          + spec.getDeploymentConfig().getDevice()).build(), Any.pack(available == null ? model : available));
      return null;
    });
    deployments.reportServing(id);
  }
}
