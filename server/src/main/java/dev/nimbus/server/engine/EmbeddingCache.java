package dev.nimbus.server.engine;

import dev.nimbus.server.storage.Database;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Embeddings of images by a frozen backbone, kept in the metadata database by (backbone id, image hash,
 * variant), so training again on the same images skips the backbone. Variant 0 is the image itself; others are
 * augmented versions (flipped, cropped). A backbone id changes with its weights and cut, so stale entries are
 * never read.
 */
public final class EmbeddingCache {
  private final Database db;

  public EmbeddingCache(Database db) {
    this.db = db;
  }

  /** The cached embeddings among {@code hashes}, by hash. */
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
