package dev.nimbus.server.model;

import dev.nimbus.server.storage.Database;
import dev.nimbus.server.training.EmbeddingCache;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The embedding cache in the metadata database (table {@code embeddings}), so embeddings outlive the process and a
 * retraining after a restart skips the backbone too.
 */
public final class EmbeddingStore implements EmbeddingCache {
  private final Database db;

  public EmbeddingStore(Database db) {
    this.db = db;
  }

  @Override
  public Map<String, float[]> get(String backboneId, List<String> hashes, int variant) {
    Map<String, float[]> out = new HashMap<>();
    if (hashes.isEmpty()) {
      return out;
    }
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT vector FROM embeddings WHERE backbone_id = ? AND sha256 = ? AND variant = ?")) {
        for (String h : hashes) {
          ps.setString(1, backboneId);
          ps.setString(2, h);
          ps.setInt(3, variant);
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
              out.put(h, decode(rs.getBytes(1)));
            }
          }
        }
      }
      return out;
    });
  }

  @Override
  public void put(String backboneId, Map<String, float[]> vectors, int variant) {
    if (vectors.isEmpty()) {
      return;
    }
    db.write(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO embeddings(backbone_id, sha256, variant, vector)"
          + " VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET vector = excluded.vector")) {
        for (Map.Entry<String, float[]> e : vectors.entrySet()) {
          ps.setString(1, backboneId);
          ps.setString(2, e.getKey());
          ps.setInt(3, variant);
          ps.setBytes(4, encode(e.getValue()));
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return null;
    });
  }

  static byte[] encode(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b.array();
  }

  static float[] decode(byte[] bytes) {
    float[] v = new float[bytes.length / 4];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
    return v;
  }
}
