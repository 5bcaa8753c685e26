package dev.nimbus.server.dataset;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import dev.nimbus.server.storage.Database;
import dev.nimbus.v1.ClassificationType;
import dev.nimbus.v1.Dataset;
import dev.nimbus.v1.MlUse;
import dev.nimbus.v1.MlUseSource;
import java.lang.reflect.Type;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** SQL for datasets, examples and labels. Methods taking a {@link Connection} run inside the caller's transaction. */
public final class DatasetStore {
  private final Database db;

  public DatasetStore(Database db) {
    this.db = db;
  }

  public Database database() {
    return db;
  }

  /** A dataset row with its derived counts. */
  public record DatasetRow(String id, String displayName, String description, ClassificationType type,
      Dataset.State state, long createTime, long updateTime, long revision, long exampleCount, int labelCount,
      Map<String, String> userLabels) {}

  /** One example with its labels (sorted). */
  public record ExampleRow(long seq, String datasetId, String sha256, List<String> labels, MlUse mlUse,
      MlUseSource mlUseSource, String mimeType, int width, int height, long sizeBytes, String sourceUri,
      long createTime) {}

  /** Counts of one label (or of the whole dataset) by split. */
  public record SplitCount(long train, long validation, long test, long unassigned) {
    public static final SplitCount ZERO = new SplitCount(0, 0, 0, 0);

    public long total() {
      return train + validation + test + unassigned;
    }

    SplitCount plus(MlUse use, long n) {
      return switch (use) {
        case TRAIN -> new SplitCount(train + n, validation, test, unassigned);
        case VALIDATION -> new SplitCount(train, validation + n, test, unassigned);
        case TEST -> new SplitCount(train, validation, test + n, unassigned);
        default -> new SplitCount(train, validation, test, unassigned + n);
      };
    }
  }

  // ---- datasets ----

  /** Inserts a dataset; returns false if the id is taken. */
  public boolean insertDataset(String id, String displayName, String description, ClassificationType type,
      Map<String, String> userLabels, long now) {
    return db.write(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO datasets(id, display_name, description, classification_type, state, create_time, update_time,"
              + " user_labels) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING")) {
        ps.setString(1, id);
        ps.setString(2, displayName);
        ps.setString(3, description);
        ps.setInt(4, type.getNumber());
        ps.setInt(5, Dataset.State.ACTIVE_VALUE);
        ps.setLong(6, now);
        ps.setLong(7, now);
        ps.setString(8, labelsJson(userLabels));
        return ps.executeUpdate() == 1;
      }
    });
  }

  public Optional<DatasetRow> dataset(String id) {
    return db.read(c -> dataset(c, id));
  }

  public Optional<DatasetRow> dataset(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(DATASET_SELECT + " WHERE d.id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(datasetRow(rs)) : Optional.empty();
      }
    }
  }

  /** Datasets with id greater than {@code afterId}, in id order. */
  public List<DatasetRow> datasets(String afterId, int limit) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement(DATASET_SELECT + " WHERE d.id > ? ORDER BY d.id LIMIT ?")) {
        ps.setString(1, afterId);
        ps.setInt(2, limit);
        List<DatasetRow> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(datasetRow(rs));
          }
        }
        return out;
      }
    });
  }

  public void updateDataset(Connection c, String id, String displayName, String description,
      Map<String, String> userLabels, long now) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE datasets SET display_name = ?, description = ?,"
        + " user_labels = ?, update_time = ?, revision = revision + 1 WHERE id = ?")) {
      ps.setString(1, displayName);
      ps.setString(2, description);
      ps.setString(3, labelsJson(userLabels));
      ps.setLong(4, now);
      ps.setString(5, id);
      ps.executeUpdate();
    }
  }

  public void setDatasetState(Connection c, String id, Dataset.State state, long now) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE datasets SET state = ?, update_time = ?, revision = revision + 1 WHERE id = ?")) {
      ps.setInt(1, state.getNumber());
      ps.setLong(2, now);
      ps.setString(3, id);
      ps.executeUpdate();
    }
  }

  public void deleteDatasetRow(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM datasets WHERE id = ?")) {
      ps.setString(1, id);
      ps.executeUpdate();
    }
  }

  private static final String DATASET_SELECT =
      "SELECT d.id, d.display_name, d.description, d.classification_type, d.state, d.create_time, d.update_time,"
          + " d.revision,"
          + " (SELECT COUNT(*) FROM examples e WHERE e.dataset_id = d.id),"
          + " (SELECT COUNT(DISTINCT l.label) FROM example_labels l WHERE l.dataset_id = d.id),"
          + " d.user_labels"
          + " FROM datasets d";

  private static DatasetRow datasetRow(ResultSet rs) throws SQLException {
    return new DatasetRow(rs.getString(1), rs.getString(2), rs.getString(3),
        ClassificationType.forNumber(rs.getInt(4)), Dataset.State.forNumber(rs.getInt(5)), rs.getLong(6),
        rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getInt(10), labels(rs.getString(11)));
  }

  private static final Gson GSON = new Gson();
  private static final Type LABELS = new TypeToken<Map<String, String>>() {}.getType();

  private static String labelsJson(Map<String, String> labels) {
    return labels.isEmpty() ? null : GSON.toJson(new TreeMap<>(labels));
  }

  private static Map<String, String> labels(String json) {
    return json == null ? Map.of() : Map.copyOf(GSON.<Map<String, String>>fromJson(json, LABELS));
  }

  // ---- examples ----

  public Optional<ExampleRow> example(Connection c, String datasetId, String sha256) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(EXAMPLE_SELECT + " WHERE dataset_id = ? AND sha256 = ?")) {
      ps.setString(1, datasetId);
      ps.setString(2, sha256);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(exampleRow(rs, labels(c, datasetId, sha256)));
      }
    }
  }

  public Optional<ExampleRow> example(String datasetId, String sha256) {
    return db.read(c -> example(c, datasetId, sha256));
  }

  public void insertExample(Connection c, ExampleRow e) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO examples(dataset_id, sha256, ml_use, ml_use_source, mime_type, width, height, size_bytes,"
            + " source_uri, create_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, e.datasetId());
      ps.setString(2, e.sha256());
      ps.setInt(3, e.mlUse().getNumber());
      ps.setInt(4, e.mlUseSource().getNumber());
      ps.setString(5, e.mimeType());
      ps.setInt(6, e.width());
      ps.setInt(7, e.height());
      ps.setLong(8, e.sizeBytes());
      ps.setString(9, e.sourceUri());
      ps.setLong(10, e.createTime());
      ps.executeUpdate();
    }
    for (String label : e.labels()) {
      addLabel(c, e.datasetId(), e.sha256(), label);
    }
  }

  public void addLabel(Connection c, String datasetId, String sha256, String label) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO example_labels(dataset_id, label, sha256) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
      ps.setString(1, datasetId);
      ps.setString(2, label);
      ps.setString(3, sha256);
      ps.executeUpdate();
    }
  }

  public void setMlUse(Connection c, String datasetId, String sha256, MlUse use, MlUseSource source)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE examples SET ml_use = ?, ml_use_source = ? WHERE dataset_id = ? AND sha256 = ?")) {
      ps.setInt(1, use.getNumber());
      ps.setInt(2, source.getNumber());
      ps.setString(3, datasetId);
      ps.setString(4, sha256);
      ps.executeUpdate();
    }
  }

  /** Records that the dataset's content changed (a new update time and etag). */
  public void touch(Connection c, String id, long now) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE datasets SET update_time = ?, revision = revision + 1 WHERE id = ?")) {
      ps.setLong(1, now);
      ps.setString(2, id);
      ps.executeUpdate();
    }
  }

  /** Replaces the labels of an example. */
  public void setLabels(Connection c, String datasetId, String sha256, List<String> labels) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM example_labels WHERE dataset_id = ? AND sha256 = ?")) {
      ps.setString(1, datasetId);
      ps.setString(2, sha256);
      ps.executeUpdate();
    }
    for (String label : labels) {
      addLabel(c, datasetId, sha256, label);
    }
  }

  /** Removes one example and its labels; returns whether it existed. */
  public boolean deleteExample(Connection c, String datasetId, String sha256) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM example_labels WHERE dataset_id = ? AND sha256 = ?")) {
      ps.setString(1, datasetId);
      ps.setString(2, sha256);
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM examples WHERE dataset_id = ? AND sha256 = ?")) {
      ps.setString(1, datasetId);
      ps.setString(2, sha256);
      return ps.executeUpdate() == 1;
    }
  }

  /** Removes up to {@code limit} examples of a dataset; returns their hashes (empty when none are left). */
  public List<String> deleteExamples(Connection c, String datasetId, int limit) throws SQLException {
    List<String> hashes = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT sha256 FROM examples WHERE dataset_id = ? LIMIT ?")) {
      ps.setString(1, datasetId);
      ps.setInt(2, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          hashes.add(rs.getString(1));
        }
      }
    }
    for (String h : hashes) {
      deleteExample(c, datasetId, h);
    }
    return hashes;
  }

  public boolean isReferenced(String sha256) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM examples WHERE sha256 = ? LIMIT 1")) {
        ps.setString(1, sha256);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next();
        }
      }
    });
  }

  /** A page of examples in import order, filtered by label and/or split (null: any). */
  public List<ExampleRow> examples(String datasetId, String label, MlUse mlUse, long afterSeq, int limit) {
    return db.read(c -> {
      StringBuilder sql = new StringBuilder(EXAMPLE_SELECT).append(" WHERE dataset_id = ? AND seq > ?");
      appendFilter(sql, label, mlUse);
      sql.append(" ORDER BY seq LIMIT ?");
      List<ExampleRow> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        int i = 1;
        ps.setString(i++, datasetId);
        ps.setLong(i++, afterSeq);
        i = bindFilter(ps, i, datasetId, label, mlUse);
        ps.setInt(i, limit);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(exampleRow(rs, labels(c, datasetId, rs.getString(3))));
          }
        }
      }
      return out;
    });
  }

  public long countExamples(String datasetId, String label, MlUse mlUse) {
    return db.read(c -> {
      StringBuilder sql = new StringBuilder("SELECT COUNT(*) FROM examples WHERE dataset_id = ?");
      appendFilter(sql, label, mlUse);
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        ps.setString(1, datasetId);
        bindFilter(ps, 2, datasetId, label, mlUse);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? rs.getLong(1) : 0L;
        }
      }
    });
  }

  private static void appendFilter(StringBuilder sql, String label, MlUse mlUse) {
    if (mlUse != null) {
      sql.append(" AND ml_use = ?");
    }
    if (label != null) {
      sql.append(" AND sha256 IN (SELECT sha256 FROM example_labels WHERE dataset_id = ? AND label = ?)");
    }
  }

  private static int bindFilter(PreparedStatement ps, int i, String datasetId, String label, MlUse mlUse)
      throws SQLException {
    if (mlUse != null) {
      ps.setInt(i++, mlUse.getNumber());
    }
    if (label != null) {
      ps.setString(i++, datasetId);
      ps.setString(i++, label);
    }
    return i;
  }

  /** Image counts per label and split, labels in name order. */
  public Map<String, SplitCount> labelCounts(Connection c, String datasetId) throws SQLException {
    Map<String, SplitCount> out = new TreeMap<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT l.label, e.ml_use, COUNT(*) FROM example_labels l JOIN examples e"
            + " ON e.dataset_id = l.dataset_id AND e.sha256 = l.sha256 WHERE l.dataset_id = ?"
            + " GROUP BY l.label, e.ml_use")) {
      ps.setString(1, datasetId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.merge(rs.getString(1), SplitCount.ZERO.plus(MlUse.forNumber(rs.getInt(2)), rs.getLong(3)),
              DatasetStore::sum);
        }
      }
    }
    return out;
  }

  public Map<String, SplitCount> labelCounts(String datasetId) {
    return db.read(c -> labelCounts(c, datasetId));
  }

  /** Image counts per split over the whole dataset. */
  public SplitCount splitCounts(Connection c, String datasetId) throws SQLException {
    SplitCount total = SplitCount.ZERO;
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT ml_use, COUNT(*) FROM examples WHERE dataset_id = ? GROUP BY ml_use")) {
      ps.setString(1, datasetId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          total = total.plus(MlUse.forNumber(rs.getInt(1)), rs.getLong(2));
        }
      }
    }
    return total;
  }

  public SplitCount splitCounts(String datasetId) {
    return db.read(c -> splitCounts(c, datasetId));
  }

  /** Examples still waiting for the automatic split, with their labels: hash to sorted labels. */
  public Map<String, List<String>> unassigned(Connection c, String datasetId) throws SQLException {
    Map<String, List<String>> out = new LinkedHashMap<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT e.sha256, l.label FROM examples e JOIN example_labels l"
            + " ON l.dataset_id = e.dataset_id AND l.sha256 = e.sha256"
            + " WHERE e.dataset_id = ? AND e.ml_use = ? ORDER BY e.sha256, l.label")) {
      ps.setString(1, datasetId);
      ps.setInt(2, MlUse.UNASSIGNED_VALUE);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
        }
      }
    }
    return out;
  }

  /** One labeled image as training sees it. */
  public record LabeledExample(String sha256, List<String> labels, MlUse mlUse, String mimeType, int width,
      int height) {}

  /** Every example of a dataset with its labels, ordered by content hash (a stable order). */
  public List<LabeledExample> labeledExamples(Connection c, String datasetId) throws SQLException {
    List<LabeledExample> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT e.sha256, e.ml_use, e.mime_type, l.label, e.width, e.height FROM examples e JOIN example_labels l"
            + " ON l.dataset_id = e.dataset_id AND l.sha256 = e.sha256"
            + " WHERE e.dataset_id = ? ORDER BY e.sha256, l.label")) {
      ps.setString(1, datasetId);
      try (ResultSet rs = ps.executeQuery()) {
        String current = null;
        List<String> labels = null;
        MlUse use = null;
        String mime = null;
        int width = 0;
        int height = 0;
        while (rs.next()) {
          String sha = rs.getString(1);
          if (!sha.equals(current)) {
            if (current != null) {
              out.add(new LabeledExample(current, List.copyOf(labels), use, mime, width, height));
            }
            current = sha;
            labels = new ArrayList<>(1);
            use = MlUse.forNumber(rs.getInt(2));
            mime = rs.getString(3);
            width = rs.getInt(5);
            height = rs.getInt(6);
          }
          labels.add(rs.getString(4));
        }
        if (current != null) {
          out.add(new LabeledExample(current, List.copyOf(labels), use, mime, width, height));
        }
      }
    }
    return out;
  }

  /**
   * Assigns the automatic split to examples still waiting for it (an import finishes with this; training
   * calls it too, so that it never trains on a half-assigned dataset).
   */
  public void assignPendingSplits(Connection c, String datasetId) throws SQLException {
    Map<String, List<String>> pending = unassigned(c, datasetId);
    if (pending.isEmpty()) {
      return;
    }
    Map<String, SplitCount> counts = labelCounts(c, datasetId);
    for (Map.Entry<String, MlUse> e : SplitAssigner.assign(counts, pending).entrySet()) {
      setMlUse(c, datasetId, e.getKey(), e.getValue(), MlUseSource.AUTOMATIC);
    }
  }

  private static SplitCount sum(SplitCount a, SplitCount b) {
    return new SplitCount(a.train() + b.train(), a.validation() + b.validation(), a.test() + b.test(),
        a.unassigned() + b.unassigned());
  }

  private static final String EXAMPLE_SELECT =
      "SELECT seq, dataset_id, sha256, ml_use, ml_use_source, mime_type, width, height, size_bytes, source_uri,"
          + " create_time FROM examples";

  private static ExampleRow exampleRow(ResultSet rs, List<String> labels) throws SQLException {
    return new ExampleRow(rs.getLong(1), rs.getString(2), rs.getString(3), labels, MlUse.forNumber(rs.getInt(4)),
        MlUseSource.forNumber(rs.getInt(5)), rs.getString(6), rs.getInt(7), rs.getInt(8), rs.getLong(9),
        rs.getString(10), rs.getLong(11));
  }

  private static List<String> labels(Connection c, String datasetId, String sha256) throws SQLException {
    List<String> out = new ArrayList<>(1);
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT label FROM example_labels WHERE dataset_id = ? AND sha256 = ? ORDER BY label")) {
      ps.setString(1, datasetId);
      ps.setString(2, sha256);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }
}
