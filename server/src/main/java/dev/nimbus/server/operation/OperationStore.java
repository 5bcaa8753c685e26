package dev.nimbus.server.operation;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import com.google.rpc.Status;
import dev.nimbus.server.storage.Database;
import dev.nimbus.server.storage.StorageException;
import dev.nimbus.v1.OperationMetadata;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** SQL for operations. Methods taking a {@link Connection} run inside the caller's transaction. */
public final class OperationStore {
  private final Database db;

  public OperationStore(Database db) {
    this.db = db;
  }

  public void insert(Connection c, OperationRecord r) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO operations(id, kind, target, state, create_time, update_time, metadata, spec, checkpoint)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      OperationMetadata m = r.metadata();
      ps.setString(1, r.id());
      ps.setInt(2, m.getKindValue());
      ps.setString(3, m.getTarget());
      ps.setInt(4, m.getStateValue());
      ps.setLong(5, millis(m.getCreateTime()));
      ps.setLong(6, millis(m.getUpdateTime()));
      ps.setBytes(7, m.toByteArray());
      ps.setBytes(8, r.spec());
      ps.setLong(9, r.checkpoint());
      ps.executeUpdate();
    }
  }

  /** Saves progress of a running operation: its metadata and how far it got. */
  public void saveProgress(Connection c, String id, OperationMetadata m, long checkpoint) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE operations SET metadata = ?, update_time = ?, checkpoint = ? WHERE id = ?")) {
      ps.setBytes(1, m.toByteArray());
      ps.setLong(2, millis(m.getUpdateTime()));
      ps.setLong(3, checkpoint);
      ps.setString(4, id);
      ps.executeUpdate();
    }
  }

  public void saveMetadata(Connection c, String id, OperationMetadata m) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE operations SET metadata = ?, update_time = ? WHERE id = ?")) {
      ps.setBytes(1, m.toByteArray());
      ps.setLong(2, millis(m.getUpdateTime()));
      ps.setString(3, id);
      ps.executeUpdate();
    }
  }

  /** Marks an operation done with a response or an error (exactly one non-null). */
  public void finish(Connection c, String id, OperationMetadata m, Any response, Status error) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE operations SET state = ?, metadata = ?, update_time = ?, response = ?, error = ?, spec = NULL"
            + " WHERE id = ?")) {
      ps.setInt(1, m.getStateValue());
      ps.setBytes(2, m.toByteArray());
      ps.setLong(3, millis(m.getUpdateTime()));
      ps.setBytes(4, response == null ? null : response.toByteArray());
      ps.setBytes(5, error == null ? null : error.toByteArray());
      ps.setString(6, id);
      ps.executeUpdate();
    }
  }

  public Optional<OperationRecord> get(String id) {
    return db.read(c -> get(c, id));
  }

  public Optional<OperationRecord> get(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(record(rs)) : Optional.empty();
      }
    }
  }

  /** Newest first; {@code after} is (create_time, id) of the last one seen, or null. */
  public List<OperationRecord> list(Integer kind, Integer state, String target, Boolean done, long[] afterTime,
      String afterId, int limit) {
    return db.read(c -> {
      StringBuilder sql = new StringBuilder(SELECT).append(" WHERE 1 = 1");
      List<Object> args = new ArrayList<>();
      if (kind != null) {
        sql.append(" AND kind = ?");
        args.add(kind);
      }
      if (state != null) {
        sql.append(" AND state = ?");
        args.add(state);
      }
      if (target != null) {
        sql.append(" AND target = ?");
        args.add(target);
      }
      if (done != null) {
        sql.append(done ? " AND state <> ?" : " AND state = ?");
        args.add(OperationMetadata.State.RUNNING_VALUE);
      }
      if (afterTime != null) {
        sql.append(" AND (create_time < ? OR (create_time = ? AND id < ?))");
        args.add(afterTime[0]);
        args.add(afterTime[0]);
        args.add(afterId);
      }
      sql.append(" ORDER BY create_time DESC, id DESC LIMIT ?");
      args.add(limit);
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        for (int i = 0; i < args.size(); i++) {
          ps.setObject(i + 1, args.get(i));
        }
        List<OperationRecord> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(record(rs));
          }
        }
        return out;
      }
    });
  }

  public List<OperationRecord> running() {
    return list(null, OperationMetadata.State.RUNNING_VALUE, null, null, null, null, Integer.MAX_VALUE);
  }

  public boolean delete(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM operations WHERE id = ?")) {
      ps.setString(1, id);
      return ps.executeUpdate() == 1;
    }
  }

  private static final String SELECT = "SELECT id, metadata, response, error, spec, checkpoint FROM operations";

  private static OperationRecord record(ResultSet rs) throws SQLException {
    try {
      byte[] response = rs.getBytes(3);
      byte[] error = rs.getBytes(4);
      return new OperationRecord(rs.getString(1), OperationMetadata.parseFrom(rs.getBytes(2)),
          response == null ? null : Any.parseFrom(response), error == null ? null : Status.parseFrom(error),
          rs.getBytes(5), rs.getLong(6));
    } catch (InvalidProtocolBufferException e) {
      throw new StorageException("operation " + rs.getString(1) + " is damaged in the database: " + e.getMessage(), e);
    }
  }

  static long millis(Timestamp t) {
    return t.getSeconds() * 1000 + t.getNanos() / 1_000_000;
  }
}
