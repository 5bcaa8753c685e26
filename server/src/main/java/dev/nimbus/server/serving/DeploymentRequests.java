package dev.nimbus.server.serving;

import com.google.longrunning.Operation;
import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.model.ModelStore;
import dev.nimbus.server.model.Models;
import dev.nimbus.server.operation.OperationManager;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.v1.DeployModelDetails;
import dev.nimbus.v1.DeployModelRequest;
import dev.nimbus.v1.DeploymentConfig;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.OperationMetadata;
import dev.nimbus.v1.UndeployModelRequest;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * DeployModel and UndeployModel: check the model and the config, record the change (LOADING or UNLOADING) in the
 * same transaction as the operation that carries it out ({@link DeployModelHandler}, {@link UndeployModelHandler}).
 */
public final class DeploymentRequests {
  private final ModelStore store;
  private final Deployments deployments;
  private final DeploymentStates states;
  private final OperationManager operations;

  public DeploymentRequests(ModelStore store, Deployments deployments, OperationManager operations) {
    this.store = store;
    this.deployments = deployments;
    this.states = deployments.states();
    this.operations = operations;
  }

  /**
   * Starts deploying a trained model: the model is LOADING from the moment this returns, and AVAILABLE once it is
   * loaded and warmed up.
   */
  public Operation deploy(DeployModelRequest req) {
    String id = ResourceNames.modelId("name", req.getName());
    Model m = store.get(id).orElseThrow(() -> Models.notFound(id));
    if (m.getTrainingState() != Model.TrainingState.TRAINED) {
      throw ApiException.failedPrecondition("MODEL_NOT_TRAINED", "model " + m.getName() + " is "
          + m.getTrainingState() + "; only a trained model can be deployed");
    }
    if (m.getDeploymentState() == Model.DeploymentState.LOADING
        || m.getDeploymentState() == Model.DeploymentState.UNLOADING) {
      throw changing(m);
    }
    DeploymentConfig resolved = deployments.resolve(req.getDeploymentConfig());
    DeployModelRequest spec = DeployModelRequest.newBuilder().setName(m.getName()).setDeploymentConfig(resolved)
        .build();
    return operations.start(OperationMetadata.Kind.DEPLOY_MODEL, m.getName(), spec,
        DeployModelDetails.newBuilder().setModel(m.getName()).setDevice(resolved.getDevice()).build(), c -> {
          // Checked again here: two DeployModel calls at once must not both start.
          states.set(c, changeable(c, id), Model.DeploymentState.LOADING, resolved, null);
          return null;
        });
  }

  /** Starts undeploying: UNLOADING now, UNDEPLOYED once waiting requests are failed and the model unloaded. */
  public Operation undeploy(UndeployModelRequest req) {
    String id = ResourceNames.modelId("name", req.getName());
    Model m = store.get(id).orElseThrow(() -> Models.notFound(id));
    if (m.getDeploymentState() != Model.DeploymentState.AVAILABLE
        && m.getDeploymentState() != Model.DeploymentState.DEPLOYMENT_FAILED) {
      throw ApiException.failedPrecondition("MODEL_NOT_DEPLOYED", "model " + m.getName() + " is "
          + m.getDeploymentState() + "; only an AVAILABLE (or failed) deployment can be undeployed");
    }
    UndeployModelRequest spec = UndeployModelRequest.newBuilder().setName(m.getName()).build();
    return operations.start(OperationMetadata.Kind.UNDEPLOY_MODEL, m.getName(), spec,
        DeployModelDetails.newBuilder().setModel(m.getName()).build(), c -> {
          states.set(c, changeable(c, id), Model.DeploymentState.UNLOADING, null, null);
          return null;
        });
  }

  /** The model, inside the transaction: NOT_FOUND if it is gone, FAILED_PRECONDITION if a change is under way. */
  private Model changeable(Connection c, String id) throws SQLException {
    Model now = store.get(c, id).orElseThrow(() -> Models.notFound(id));
    if (now.getDeploymentState() == Model.DeploymentState.LOADING
        || now.getDeploymentState() == Model.DeploymentState.UNLOADING) {
      throw changing(now);
    }
    return now;
  }

  private static ApiException changing(Model m) {
    return ApiException.failedPrecondition("DEPLOYMENT_CHANGING", "model " + m.getName() + " is "
        + m.getDeploymentState() + "; wait for that operation to finish");
  }
}
