package dev.nimbus.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageTest {
  @TempDir Path tmp;

  @Test
  void blobStore_storesOnceByHash_andNeverDeletesPinnedOrReferencedBlobs() throws Exception {
    BlobStore blobs = new BlobStore(tmp.resolve("blobs")).open();
    byte[] bytes = {1, 2, 3};
    String sha = BlobStore.sha256Hex(bytes);
    assertThat(sha).isEqualTo("039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81");
    blobs.pin(sha);
    blobs.put(sha, bytes);
    blobs.put(sha, bytes);
    assertThat(blobs.read(sha)).containsExactly(1, 2, 3);
    assertThat(blobs.path(sha)).isEqualTo(tmp.resolve("blobs/03/" + sha));
    assertThat(blobs.deleteIfUnreferenced(sha, s -> false)).as("pinned").isFalse();
    blobs.unpin(sha);
    assertThat(blobs.deleteIfUnreferenced(sha, s -> true)).as("referenced").isFalse();
    assertThat(blobs.deleteIfUnreferenced(sha, s -> false)).isTrue();
    assertThat(blobs.exists(sha)).isFalse();
  }

  @Test
  void blobStore_startUpRemovesHalfWrittenTemps_andSweepRemovesOrphans() throws Exception {
    Path root = tmp.resolve("blobs");
    Files.createDirectories(root.resolve(".tmp"));
    Files.write(root.resolve(".tmp/abc.123"), new byte[] {1});
    BlobStore blobs = new BlobStore(root).open();
    assertThat(Files.list(root.resolve(".tmp"))).isEmpty();
    byte[] a = {1};
    byte[] b = {2};
    blobs.put(BlobStore.sha256Hex(a), a);
    blobs.put(BlobStore.sha256Hex(b), b);
    String keep = BlobStore.sha256Hex(a);
    int removed = blobs.sweep(System.currentTimeMillis() + 1000, keep::equals);
    assertThat(removed).isEqualTo(1);
    assertThat(blobs.exists(keep)).isTrue();
  }

  @Test
  void database_refusesASchemaFromANewerNimbus() throws Exception {
    Path file = tmp.resolve("nimbus.db");
    new Database(file, List.of("CREATE TABLE t (x INTEGER)")).open().close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
      s.execute("PRAGMA user_version=99");
    }
    assertThatThrownBy(() -> new Database(file, List.of("CREATE TABLE t (x INTEGER)")).open())
        .isInstanceOf(StorageException.class).hasMessageContaining("written by a newer Nimbus");
  }

  @Test
  void database_migratesForwardOnce_andRollsBackAFailedWrite() {
    Path file = tmp.resolve("nimbus.db");
    List<String> v1 = List.of("CREATE TABLE t (x INTEGER)");
    new Database(file, v1).open().close();
    try (Database db = new Database(file, List.of(v1.get(0), "ALTER TABLE t ADD COLUMN y INTEGER")).open()) {
      db.write(c -> c.createStatement().executeUpdate("INSERT INTO t(x, y) VALUES (1, 2)"));
      assertThatThrownBy(() -> db.write(c -> {
        c.createStatement().executeUpdate("INSERT INTO t(x, y) VALUES (3, 4)");
        throw new IllegalStateException("boom");
      })).hasMessage("boom");
      long rows = db.read(c -> {
        var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM t");
        rs.next();
        return rs.getLong(1);
      });
      assertThat(rows).isEqualTo(1);
    }
  }

  @Test
  void dataDirectory_isLockedAgainstASecondServer() {
    try (DataDirectory first = new DataDirectory(tmp.resolve("data")).lock()) {
      assertThat(first.database()).isEqualTo(tmp.resolve("data/nimbus.db"));
      assertThatThrownBy(() -> new DataDirectory(tmp.resolve("data")).lock()).isInstanceOf(StorageException.class)
          .hasMessageContaining("already open");
    }
    new DataDirectory(tmp.resolve("data")).lock().close();
  }
}
