package dev.nimbus.server.model;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.nimbus.server.storage.Database;
import dev.nimbus.server.storage.StorageException;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.ModelEvaluation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * SQL for models and their evaluations. A model is stored as its {@link Model} message, with the fields that
 * queries filter on copied into columns. Methods taking a {@link Connection} run in the caller's transaction.
 */
public final class ModelStore {
  private final Database db;

  public ModelStore(Database db) {
    this.db = db;
  }

  public Database database() {
    return db;
  }

  /** Inserts a model; false if the id is taken. */
  public boolean insert(Connection c, String id, Model m, long now) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO models(id, dataset_id, training_state, deployment_state, create_time, update_time, model)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING")) {
      ps.setString(1, id);
      ps.setString(2, m.getDataset());
      ps.setInt(3, m.getTrainingStateValue());
      ps.setInt(4, m.getDeploymentStateValue());
      ps.setLong(5, now);
      ps.setLong(6, now);
      ps.setBytes(7, m.toByteArray());
      return ps.executeUpdate() == 1;
    }
  }

  public void update(Connection c, String id, Model m, long now) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE models SET training_state = ?, deployment_state = ?, update_time = ?, model = ? WHERE id = ?")) {
      ps.setInt(1, m.getTrainingStateValue());
      ps.setInt(2, m.getDeploymentStateValue());
      ps.setLong(3, now);
      ps.setBytes(4, m.toByteArray());
      ps.setString(5, id);
      ps.executeUpdate();
    }
  }

  public Optional<Model> get(String id) {
    return db.read(c -> get(c, id));
  }

  public Optional<Model> get(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT model FROM models WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(parse(rs.getBytes(1), id)) : Optional.empty();
      }
    }
  }

  /** Models with id after {@code afterId}, in id order, optionally filtered (null: any). */
  public List<Model> list(String afterId, int limit, String datasetName, Integer trainingState,
      Integer deploymentState) {
    return db.read(c -> {
      StringBuilder sql = new StringBuilder("SELECT id, model FROM models WHERE id > ?");
      List<Object> args = new ArrayList<>(List.of(afterId));
      if (datasetName != null) {
        sql.append(" AND dataset_id = ?");
        args.add(datasetName);
      }
      if (trainingState != null) {
        sql.append(" AND training_state = ?");
        args.add(trainingState);
      }
      if (deploymentState != null) {
        sql.append(" AND deployment_state = ?");
        args.add(deploymentState);
      }
      sql.append(" ORDER BY id LIMIT ?");
      args.add(limit);
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        for (int i = 0; i < args.size(); i++) {
          ps.setObject(i + 1, args.get(i));
        }
        List<Model> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(parse(rs.getBytes(2), rs.getString(1)));
          }
        }
        return out;
      }
    });
  }

  public void delete(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM model_evaluations WHERE model_id = ?")) {
      ps.setString(1, id);
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM models WHERE id = ?")) {
      ps.setString(1, id);
      ps.executeUpdate();
    }
  }

  /** Replaces a model's evaluations; {@code evaluations} in display order (overall first). */
  public void putEvaluations(Connection c, String modelId, List<ModelEvaluation> evaluations) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM model_evaluations WHERE model_id = ?")) {
      ps.setString(1, modelId);
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO model_evaluations(model_id, evaluation_id, ordinal, evaluation) VALUES (?, ?, ?, ?)")) {
      for (int i = 0; i < evaluations.size(); i++) {
        ModelEvaluation e = evaluations.get(i);
        ps.setString(1, modelId);
        ps.setString(2, e.getName().substring(e.getName().lastIndexOf('/') + 1));
        ps.setInt(3, i);
        ps.setBytes(4, e.toByteArray());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  public Optional<ModelEvaluation> evaluation(String modelId, String evaluationId) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT evaluation FROM model_evaluations WHERE model_id = ? AND evaluation_id = ?")) {
        ps.setString(1, modelId);
        ps.setString(2, evaluationId);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(parseEvaluation(rs.getBytes(1))) : Optional.empty();
        }
      }
    });
  }

  /** Evaluations after ordinal {@code afterOrdinal}, in order. */
  public List<ModelEvaluation> evaluations(String modelId, int afterOrdinal, int limit) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT evaluation FROM model_evaluations"
          + " WHERE model_id = ? AND ordinal > ? ORDER BY ordinal LIMIT ?")) {
        ps.setString(1, modelId);
        ps.setInt(2, afterOrdinal);
        ps.setInt(3, limit);
        List<ModelEvaluation> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(parseEvaluation(rs.getBytes(1)));
          }
        }
        return out;
      }
    });
  }

  private static Model parse(byte[] bytes, String id) {
    try {
      return Model.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new StorageException("model " + id + " is damaged in the database: " + e.getMessage(), e);
    }
  }

  private static ModelEvaluation parseEvaluation(byte[] bytes) {
    try {
      return ModelEvaluation.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new StorageException("a model evaluation is damaged in the database: " + e.getMessage(), e);
    }
  }
}
