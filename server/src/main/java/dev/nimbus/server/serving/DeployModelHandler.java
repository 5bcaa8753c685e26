package dev.nimbus.server.serving;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.Status;
import dev.nimbus.server.model.ModelStore;
import dev.nimbus.server.operation.OperationContext;
import dev.nimbus.server.operation.OperationHandler;
import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.error.ErrorStatus;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.v1.DeployModelRequest;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.OperationMetadata;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs DeployModel: the RPC has set the model LOADING; this loads and warms it up and only then makes it AVAILABLE
 * (or DEPLOYMENT_FAILED with the reason). Resumable: after a restart it loads again.
 */
public final class DeployModelHandler implements OperationHandler {
  private static final Logger log = LoggerFactory.getLogger(DeployModelHandler.class);

  private final ModelStore store;
  private final Deployments deployments;
  private final Clock clock;

  public DeployModelHandler(ModelStore store, Deployments deployments, Clock clock) {
    this.store = store;
    this.deployments = deployments;
    this.clock = clock;
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
    Model model = store.get(id).orElseThrow(() -> ApiException.notFound("nimbus.dev/Model", spec.getName(),
        "model " + spec.getName() + " was deleted before it could be deployed"));
    try {
      deployments.deploy(model, spec.getDeploymentConfig());
    } catch (RuntimeException e) {
      Status error = ErrorStatus.of(e, "the deployment of " + spec.getName());
      setState(id, Model.DeploymentState.DEPLOYMENT_FAILED, error);
      store.database().write(c -> {
        ctx.finishWithError(c, ctx.metadata().toBuilder().setStatusMessage(error.getMessage()).build(),
            OperationMetadata.State.FAILED, error);
        return null;
      });
      return;
    }
    store.database().write(c -> {
      Model now = store.get(c, id).orElseThrow();
      Model available = now.toBuilder().setDeploymentState(Model.DeploymentState.AVAILABLE)
          .setDeploymentConfig(spec.getDeploymentConfig()).clearDeploymentError()
          .setUpdateTime(now.getUpdateTime()).build();
      store.update(c, id, available, clock.millis());
      ctx.finish(c, ctx.metadata().toBuilder().setStatusMessage("deployed " + spec.getName() + " on "
          + spec.getDeploymentConfig().getDevice()).build(), Any.pack(available));
      return null;
    });
  }

  void setState(String id, Model.DeploymentState state, Status error) {
    store.database().write(c -> {
      store.get(c, id).ifPresent(m -> {
        Model.Builder b = m.toBuilder().setDeploymentState(state);
        if (error != null) {
          b.setDeploymentError(error);
        }
        try {
          store.update(c, id, b.build(), clock.millis());
        } catch (java.sql.SQLException e) {
          throw new dev.nimbus.server.storage.StorageException(e.getMessage(), e);
        }
      });
      return null;
    });
  }

}
