package dev.nimbus.server.operation;

import com.google.protobuf.Any;
import com.google.rpc.Status;
import dev.nimbus.server.util.Protos;
import dev.nimbus.v1.OperationMetadata;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;

/** What a running operation's handler sees: its spec, its checkpoint, its metadata, and the stop signals. */
public final class OperationContext {
  /** Thrown by a handler that stops at a safe point because the server is shutting down. */
  public static final class Stopped extends Exception {
    public Stopped() {
      super("the server is stopping", null, false, false);
    }
  }

  private final OperationManager manager;
  private final OperationManager.Running running;
  private final byte[] spec;
  private final long checkpoint;
  private final Clock clock;
  private volatile boolean finished;

  OperationContext(OperationManager manager, OperationManager.Running running, byte[] spec, long checkpoint,
      Clock clock) {
    this.manager = manager;
    this.running = running;
    this.spec = spec;
    this.checkpoint = checkpoint;
    this.clock = clock;
  }

  public String id() {
    return running.id;
  }

  public byte[] spec() {
    return spec;
  }

  /** How far a previous run got (0 for a fresh start). */
  public long checkpoint() {
    return checkpoint;
  }

  /** The latest metadata (as published or saved). */
  public OperationMetadata metadata() {
    return running.metadata;
  }

  public boolean cancelRequested() {
    return running.cancelRequested;
  }

  /** Whether the server is shutting down; the handler should throw {@link Stopped} at its next safe point. */
  public boolean stopping() {
    return manager.stopping();
  }

  public void throwIfStopping() throws Stopped {
    if (manager.stopping()) {
      throw new Stopped();
    }
  }

  /** Makes new metadata visible to GetOperation without writing it (for progress between commits). */
  public void publish(OperationMetadata m) {
    running.metadata = stamp(m);
  }

  /**
   * Saves progress inside the caller's transaction. GetOperation shows it only once that transaction has
   * committed, so what an operation reports done is always durable.
   */
  public void saveProgress(Connection c, OperationMetadata m, long checkpoint) throws SQLException {
    OperationMetadata stamped = stamp(m);
    manager.store().saveProgress(c, running.id, stamped, checkpoint);
    manager.database().afterCommit(() -> running.metadata = stamped);
  }

  /** Marks the operation succeeded with {@code response}, inside the caller's (last) transaction. */
  public void finish(Connection c, OperationMetadata m, Any response) throws SQLException {
    long now = clock.millis();
    OperationMetadata done = m.toBuilder()
        .setState(OperationMetadata.State.SUCCEEDED)
        .setProgressPercent(100)
        .setCancelRequested(running.cancelRequested)
        .setUpdateTime(Protos.timestamp(now))
        .setEndTime(Protos.timestamp(now))
        .build();
    manager.store().finish(c, running.id, done, response, null);
    manager.database().afterCommit(() -> finished = true);
  }

  /** Marks the operation failed or cancelled with {@code error}, inside the caller's transaction. */
  public void finishWithError(Connection c, OperationMetadata m, OperationMetadata.State state, Status error)
      throws SQLException {
    long now = clock.millis();
    OperationMetadata done = m.toBuilder()
        .setState(state)
        .setCancelRequested(running.cancelRequested)
        .setUpdateTime(Protos.timestamp(now))
        .setEndTime(Protos.timestamp(now))
        .build();
    manager.store().finish(c, running.id, done, null, error);
    manager.database().afterCommit(() -> finished = true);
  }

  boolean finished() {
    return finished;
  }

  private OperationMetadata stamp(OperationMetadata m) {
    return m.toBuilder()
        .setUpdateTime(Protos.timestamp(clock.millis()))
        .setCancelRequested(running.cancelRequested)
        .build();
  }
}
