package dev.nimbus.server.storage;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * The embedded metadata database: SQLite in WAL mode with {@code synchronous=FULL}, so a transaction that has
 * returned from {@link #write} survives a crash of the process or of the machine. One writer connection
 * (SQLite allows one writer at a time) behind a lock, and a small pool of reader connections that read
 * concurrently with the writer. The schema is versioned with {@code PRAGMA user_version} and migrated forward
 * at open; a database written by a newer Nimbus is refused rather than damaged. Constructing one does no I/O;
 * {@link #open()} opens it.
 */
public final class Database implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Database.class);
  private static final int READERS = 4;

  /** Work inside a connection; may throw SQLException. */
  @FunctionalInterface
  public interface SqlWork<T> {
    T run(Connection c) throws SQLException;
  }

  private final Path file;
  private final List<String> migrations;
  private volatile Connection writer; // set by open()
  private final ReentrantLock writeLock = new ReentrantLock();
  /** Actions of the current write transaction to run once it has committed; guarded by writeLock. */
  private final List<Runnable> afterCommit = new ArrayList<>();
  private final BlockingQueue<Connection> readers = new ArrayBlockingQueue<>(READERS);

  /** The database at {@code file}, to be brought to the schema {@code migrations} describe when opened. */
  public Database(Path file, List<String> migrations) {
    this.file = file;
    this.migrations = List.copyOf(migrations);
  }

  /** Opens (creating if needed) the database and brings its schema to the latest version; returns {@code this}. */
  public Database open() {
    writeLock.lock();
    try {
      if (writer != null) {
        throw new IllegalStateException("the database " + file + " is open already");
      }
      Connection w = connect(file, false);
      try {
        migrate(w, migrations);
        for (int i = 0; i < READERS; i++) {
          readers.add(connect(file, true));
        }
      } catch (SQLException e) {
        readers.forEach(Database::closeQuietly);
        readers.clear();
        closeQuietly(w);
        throw e;
      }
      writer = w;
      return this;
    } catch (SQLException e) {
      throw new StorageException("cannot open the metadata database " + file + ": " + e.getMessage(), e);
    } finally {
      writeLock.unlock();
    }
  }

  private static Connection connect(Path file, boolean readOnly) throws SQLException {
    SQLiteConfig cfg = new SQLiteConfig();
    cfg.setReadOnly(readOnly);
    cfg.setBusyTimeout(30_000);
    cfg.enforceForeignKeys(true);
    if (!readOnly) {
      cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
      cfg.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    }
    return cfg.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
  }

  private void migrate(Connection c, List<String> migrations) throws SQLException {
    int version;
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA user_version")) {
      version = rs.getInt(1);
    }
    if (version > migrations.size()) {
      throw new SQLException("the database has schema version " + version + " but this Nimbus knows only up to "
          + migrations.size() + "; it was written by a newer Nimbus, which is needed to read it");
    }
    for (int v = version; v < migrations.size(); v++) {
      int target = v + 1;
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        for (String sql : migrations.get(v).split(";\\s*\\n")) {
          if (!sql.isBlank()) {
            s.execute(sql);
          }
        }
        s.execute("PRAGMA user_version=" + target);
        c.commit();
        log.info("Migrated metadata schema of {} to version {}", file, target);
      } catch (SQLException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  /** Runs {@code work} in one write transaction; it is durable when this returns. */
  public <T> T write(SqlWork<T> work) {
    writeLock.lock();
    try {
      Connection writer = openWriter();
      afterCommit.clear();
      writer.setAutoCommit(false);
      try {
        T result = work.run(writer);
        writer.commit();
        for (Runnable r : afterCommit) {
          r.run();
        }
        return result;
      } catch (SQLException | RuntimeException | Error e) {
        try {
          writer.rollback();
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      } finally {
        afterCommit.clear();
        writer.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new StorageException("metadata database write failed: " + e.getMessage(), e);
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Runs {@code action} once the write transaction in progress on this thread has committed, and never if it
   * rolls back: for making something visible only when it is durable. Call only inside {@link #write}.
   */
  public void afterCommit(Runnable action) {
    if (!writeLock.isHeldByCurrentThread()) {
      throw new IllegalStateException("afterCommit outside a write transaction");
    }
    afterCommit.add(action);
  }

  private Connection openWriter() {
    Connection w = writer;
    if (w == null) {
      throw new IllegalStateException("the database " + file + " is not open");
    }
    return w;
  }

  /** Runs {@code work} on a reader connection: a consistent snapshot, concurrent with writes. */
  public <T> T read(SqlWork<T> work) {
    openWriter(); // fails at once when not open, rather than waiting for a reader that never comes
    Connection c;
    try {
      c = readers.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted while waiting for a database connection", e);
    }
    try {
      c.setAutoCommit(false);
      try {
        return work.run(c);
      } finally {
        c.rollback();
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new StorageException("metadata database read failed: " + e.getMessage(), e);
    } finally {
      readers.add(c);
    }
  }

  /** Closes the connections; a database never opened (or closed already) is left alone. */
  @Override
  public void close() {
    writeLock.lock();
    try {
      for (Connection c : readers) {
        closeQuietly(c);
      }
      readers.clear();
      if (writer != null) {
        closeQuietly(writer);
        writer = null;
      }
    } finally {
      writeLock.unlock();
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      log.warn("Closing a database connection failed: {}", e.getMessage());
    }
  }
}
