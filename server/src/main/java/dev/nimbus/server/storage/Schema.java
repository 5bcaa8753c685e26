package dev.nimbus.server.storage;

import java.util.List;

/**
 * The metadata schema, as an append-only list of migrations: entry {@code i} takes the database from version
 * {@code i} to {@code i + 1}. Never edit a released entry; add a new one.
 */
public final class Schema {
  private Schema() {}

  public static final List<String> MIGRATIONS = List.of(
      // 1: datasets, examples, labels, operations.
      """
      CREATE TABLE datasets (
        id TEXT PRIMARY KEY,
        display_name TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        classification_type INTEGER NOT NULL,
        state INTEGER NOT NULL,
        create_time INTEGER NOT NULL,
        update_time INTEGER NOT NULL,
        revision INTEGER NOT NULL DEFAULT 1
      );
      CREATE TABLE examples (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        dataset_id TEXT NOT NULL REFERENCES datasets(id),
        sha256 TEXT NOT NULL,
        ml_use INTEGER NOT NULL,
        ml_use_source INTEGER NOT NULL,
        mime_type TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        size_bytes INTEGER NOT NULL,
        source_uri TEXT NOT NULL,
        create_time INTEGER NOT NULL,
        UNIQUE (dataset_id, sha256)
      );
      CREATE INDEX examples_by_sha256 ON examples(sha256);
      CREATE INDEX examples_by_split ON examples(dataset_id, ml_use, seq);
      CREATE TABLE example_labels (
        dataset_id TEXT NOT NULL,
        label TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        PRIMARY KEY (dataset_id, label, sha256)
      ) WITHOUT ROWID;
      CREATE INDEX example_labels_by_example ON example_labels(dataset_id, sha256);
      CREATE TABLE operations (
        id TEXT PRIMARY KEY,
        kind INTEGER NOT NULL,
        target TEXT NOT NULL,
        state INTEGER NOT NULL,
        create_time INTEGER NOT NULL,
        update_time INTEGER NOT NULL,
        metadata BLOB NOT NULL,
        response BLOB,
        error BLOB,
        spec BLOB,
        checkpoint INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX operations_by_time ON operations(create_time DESC, id DESC);
      CREATE INDEX operations_by_state ON operations(state);
      """,
      // 2: models, their evaluations, and the embedding cache.
      """
      CREATE TABLE models (
        id TEXT PRIMARY KEY,
        dataset_id TEXT NOT NULL,
        training_state INTEGER NOT NULL,
        deployment_state INTEGER NOT NULL,
        create_time INTEGER NOT NULL,
        update_time INTEGER NOT NULL,
        model BLOB NOT NULL,
        card BLOB
      );
      CREATE INDEX models_by_dataset ON models(dataset_id);
      CREATE TABLE model_evaluations (
        model_id TEXT NOT NULL,
        evaluation_id TEXT NOT NULL,
        ordinal INTEGER NOT NULL,
        evaluation BLOB NOT NULL,
        PRIMARY KEY (model_id, evaluation_id)
      ) WITHOUT ROWID;
      CREATE TABLE embeddings (
        backbone_id TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        variant INTEGER NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (backbone_id, sha256, variant)
      ) WITHOUT ROWID;
      """,
      // 3: a dataset's own key/value labels (a JSON object; NULL: none).
      """
      ALTER TABLE datasets ADD COLUMN user_labels TEXT;
      """);
}
