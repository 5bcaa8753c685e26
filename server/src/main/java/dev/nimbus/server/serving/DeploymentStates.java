package dev.nimbus.server.serving;

import com.google.rpc.Status;
import dev.nimbus.server.model.ModelStore;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.v1.DeploymentConfig;
import dev.nimbus.v1.Model;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;

/**
 * The one place a model's deployment state is written: LOADING and UNLOADING when an RPC starts a change, AVAILABLE,
 * DEPLOYMENT_FAILED or UNDEPLOYED when it is done, and the same after a restart.
 */
final class DeploymentStates {
  private final ModelStore store;
  private final Clock clock;

  DeploymentStates(ModelStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /**
   * Sets the state inside the caller's transaction.
   *
   * @param config the deployment config to record, or null to keep the stored one
   * @param error why the deployment failed, or null to clear it; UNLOADING keeps the stored one, so a failed
   *     deployment's reason stays visible until it is UNDEPLOYED
   * @return the model as now stored, or null if it no longer exists
   */
  Model set(Connection c, String modelId, Model.DeploymentState state, DeploymentConfig config, Status error)
      throws SQLException {
    Model now = store.get(c, modelId).orElse(null);
    return now == null ? null : set(c, now, state, config, error);
  }

  /** The same for a model the caller has just read in this transaction. */
  Model set(Connection c, Model now, Model.DeploymentState state, DeploymentConfig config, Status error)
      throws SQLException {
    String modelId = ResourceNames.modelId("name", now.getName());
    Model.Builder b = now.toBuilder().setDeploymentState(state);
    if (config != null) {
      b.setDeploymentConfig(config);
    }
    if (error != null) {
      b.setDeploymentError(error);
    } else if (state != Model.DeploymentState.UNLOADING) {
      b.clearDeploymentError();
    }
    Model updated = b.build();
    store.update(c, modelId, updated, clock.millis());
    return updated;
  }

  /** {@link #set(Connection, String, Model.DeploymentState, DeploymentConfig, Status)} in a transaction of its own. */
  Model set(String modelId, Model.DeploymentState state, DeploymentConfig config, Status error) {
    return store.database().write(c -> set(c, modelId, state, config, error));
  }
}
