package dev.nimbus.server.operation;

import com.google.longrunning.Operation;
import com.google.protobuf.Message;
import com.google.rpc.Code;
import com.google.rpc.Status;
import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.error.ErrorStatus;
import dev.nimbus.server.storage.Database;
import dev.nimbus.server.util.DaemonThreads;
import dev.nimbus.server.util.Protos;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.v1.BatchPredictDetails;
import dev.nimbus.v1.CreateModelDetails;
import dev.nimbus.v1.DeleteDetails;
import dev.nimbus.v1.DeployModelDetails;
import dev.nimbus.v1.ExportDataDetails;
import dev.nimbus.v1.ExportModelDetails;
import dev.nimbus.v1.ImportDataDetails;
import dev.nimbus.v1.OperationMetadata;
import java.nio.channels.ClosedByInterruptException;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts, tracks, cancels and resumes long-running operations. Every operation is a database row from the moment
 * its RPC returns; a running one also lives here, with its latest metadata and its cancel flag. At start-up,
 * operations the previous server left running are resumed from their checkpoint or, for kinds that cannot
 * resume, marked failed with the reason, so none stays "running" forever.
 */
public final class OperationManager implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OperationManager.class);

  /** A running operation's live state. */
  static final class Running {
    final String id;
    volatile OperationMetadata metadata;
    volatile boolean cancelRequested;
    final CompletableFuture<Void> done = new CompletableFuture<>();

    Running(String id, OperationMetadata metadata) {
      this.id = id;
      this.metadata = metadata;
      this.cancelRequested = metadata.getCancelRequested();
    }
  }

  private final Database db;
  private final OperationStore store;
  private final Clock clock;
  private final ExecutorService executor;
  private final ScheduledExecutorService scheduler;
  private final Map<OperationMetadata.Kind, OperationHandler> handlers = new EnumMap<>(OperationMetadata.Kind.class);
  private final Map<String, Running> running = new ConcurrentHashMap<>();
  private volatile boolean stopping;

  public OperationManager(Database db, Clock clock, int concurrency, ScheduledExecutorService scheduler) {
    this.db = db;
    this.store = new OperationStore(db);
    this.clock = clock;
    this.scheduler = scheduler;
    this.executor = new ThreadPoolExecutor(concurrency, concurrency, 0, TimeUnit.MILLISECONDS,
        new LinkedBlockingQueue<>(), DaemonThreads.named("nimbus-operation"));
  }

  public void register(OperationHandler handler) {
    handlers.put(handler.kind(), handler);
  }

  OperationStore store() {
    return store;
  }

  Database database() {
    return db;
  }

  boolean stopping() {
    return stopping;
  }

  /**
   * Records a new operation and queues it. {@code alsoInTransaction} runs in the same transaction as the insert
   * (for example marking a dataset DELETING), so the two are acknowledged together.
   */
  public Operation start(OperationMetadata.Kind kind, String target, Message spec, Message details,
      Database.SqlWork<Void> alsoInTransaction) {
    OperationHandler handler = handlers.get(kind);
    if (handler == null) {
      throw new IllegalStateException("no handler for operation kind " + kind);
    }
    String id = newId();
    long now = clock.millis();
    OperationMetadata.Builder m = OperationMetadata.newBuilder()
        .setKind(kind)
        .setState(OperationMetadata.State.RUNNING)
        .setTarget(target)
        .setStatusMessage("waiting to start")
        .setCreateTime(Protos.timestamp(now))
        .setUpdateTime(Protos.timestamp(now));
    setDetails(m, details);
    OperationRecord record = new OperationRecord(id, m.build(), null, null, spec.toByteArray(), 0);
    db.write(c -> {
      if (alsoInTransaction != null) {
        alsoInTransaction.run(c);
      }
      store.insert(c, record);
      return null;
    });
    submit(handler, record);
    return record.toProto();
  }

  /** Resumes or fails what the previous server left running. Call once, before serving. */
  public void recover() {
    List<OperationRecord> left = store.running();
    for (OperationRecord r : left) {
      OperationHandler handler = handlers.get(r.metadata().getKind());
      if (handler != null && handler.resumable()) {
        OperationMetadata m = r.metadata().toBuilder()
            .setResumeCount(r.metadata().getResumeCount() + 1)
            .setUpdateTime(Protos.timestamp(clock.millis()))
            .build();
        db.write(c -> {
          store.saveMetadata(c, r.id(), m);
          return null;
        });
        log.info("Resuming operation {} ({} of {}) from checkpoint {}", r.id(), m.getKind(), m.getTarget(),
            r.checkpoint());
        submit(handler, new OperationRecord(r.id(), m, null, null, r.spec(), r.checkpoint()));
      } else {
        log.warn("Operation {} ({}) was running when the server stopped and cannot be resumed; marking it failed",
            r.id(), r.metadata().getKind());
        fail(r.id(), r.metadata(), ErrorStatus.of(ApiException.of(Code.ABORTED, "NOT_RESUMABLE",
            "the server stopped while this operation was running, and operations of this kind cannot be resumed;"
                + " start it again")));
      }
    }
  }

  private void submit(OperationHandler handler, OperationRecord record) {
    Running r = new Running(record.id(), record.metadata());
    running.put(record.id(), r);
    executor.execute(() -> execute(handler, r, record));
  }

  private void execute(OperationHandler handler, Running r, OperationRecord record) {
    String oldName = Thread.currentThread().getName();
    Thread.currentThread().setName("nimbus-operation-" + record.id());
    OperationContext ctx = new OperationContext(this, r, record.spec(), record.checkpoint(), clock);
    try {
      if (stopping) {
        return; // left RUNNING in the database: resumed at the next start
      }
      r.metadata = r.metadata.toBuilder().setStatusMessage("running").build();
      handler.run(ctx);
      if (!ctx.finished()) {
        throw new IllegalStateException("handler for " + handler.kind() + " returned without finishing");
      }
    } catch (OperationContext.Stopped e) {
      log.info("Operation {} paused for shutdown; it resumes when the server starts again", record.id());
    } catch (InterruptedException e) {
      // Only shutdown interrupts operation threads: leave it RUNNING, to resume at the next start.
      Thread.currentThread().interrupt();
      log.info("Operation {} interrupted by shutdown; it resumes when the server starts again", record.id());
    } catch (Exception | Error e) {
      if (stopping && hasInterruptCause(e)) {
        log.info("Operation {} interrupted by shutdown; it resumes when the server starts again", record.id());
        return;
      }
      fail(r.id, r.metadata, ErrorStatus.of(e, "operation " + record.id() + " (" + handler.kind() + ")"));
    } finally {
      running.remove(r.id);
      r.done.complete(null);
      Thread.currentThread().setName(oldName);
    }
  }

  private static boolean hasInterruptCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InterruptedException || t instanceof ClosedByInterruptException) {
        return true;
      }
    }
    return false;
  }

  private void fail(String id, OperationMetadata m, Status error) {
    long now = clock.millis();
    OperationMetadata done = m.toBuilder()
        .setState(error.getCode() == Code.CANCELLED_VALUE ? OperationMetadata.State.CANCELLED
            : OperationMetadata.State.FAILED)
        .setStatusMessage(error.getMessage())
        .setUpdateTime(Protos.timestamp(now))
        .setEndTime(Protos.timestamp(now))
        .build();
    try {
      db.write(c -> {
        store.finish(c, id, done, null, error);
        return null;
      });
    } catch (RuntimeException e) {
      log.error("Could not record the failure of operation {}", id, e);
    }
  }

  /**
   * The operation, with live metadata while it runs. NOT_FOUND if there is none. Done-ness, response and error
   * always come from the stored record, so a caller never sees "done" before the result is durable, and only once
   * its handler has returned, so what the handler does after its last commit (reporting a model SERVING) is done
   * too.
   */
  public Operation get(String id) {
    return view(store.get(id).orElseThrow(() -> notFound(id)));
  }

  /** A stored operation as callers see it: live while its handler runs, the stored record once it has returned. */
  public Operation view(OperationRecord stored) {
    Running r = running.get(stored.id());
    if (r != null && r.metadata.getState() == OperationMetadata.State.RUNNING) {
      return new OperationRecord(stored.id(), r.metadata, null, null, null, 0).toProto();
    }
    return stored.toProto();
  }

  public Optional<OperationMetadata> liveMetadata(String id) {
    Running r = running.get(id);
    return r == null ? Optional.empty() : Optional.of(r.metadata);
  }

  /** Asks a running operation to stop at its next safe point. A done operation is left as it is. */
  public Operation cancel(String id) {
    OperationRecord stored = store.get(id).orElseThrow(() -> notFound(id));
    if (stored.done()) {
      return view(stored);
    }
    Running r = running.get(id);
    OperationMetadata m = (r != null ? r.metadata : stored.metadata()).toBuilder().setCancelRequested(true)
        .setUpdateTime(Protos.timestamp(clock.millis())).build();
    if (r != null) {
      r.cancelRequested = true;
      r.metadata = m;
    }
    db.write(c -> {
      // Persist the request so that a resumed run honours it too.
      Optional<OperationRecord> now = store.get(c, id);
      if (now.isPresent() && !now.get().done()) {
        store.saveMetadata(c, id, now.get().metadata().toBuilder().setCancelRequested(true)
            .setUpdateTime(m.getUpdateTime()).build());
      }
      return null;
    });
    return get(id);
  }

  /**
   * Requests cancellation of every running operation on {@code target} but {@code exceptId} (the caller's own);
   * returns their completions.
   */
  public CompletableFuture<Void> cancelAll(String target, String exceptId) {
    List<CompletableFuture<Void>> futures = running.values().stream()
        .filter(r -> r.metadata.getTarget().equals(target) && !r.id.equals(exceptId))
        .map(r -> {
          cancel(r.id);
          return r.done;
        })
        .toList();
    return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
  }

  /** Ids of the running operations of {@code kind} on {@code target}. */
  public List<String> runningOn(String target, OperationMetadata.Kind kind) {
    return running.values().stream()
        .filter(r -> r.metadata.getTarget().equals(target) && r.metadata.getKind() == kind)
        .map(r -> r.id)
        .toList();
  }

  /** Deletes a done operation's record. FAILED_PRECONDITION while it runs. */
  public void delete(String id) {
    OperationRecord stored = store.get(id).orElseThrow(() -> notFound(id));
    if (!stored.done() || running.containsKey(id)) {
      throw ApiException.failedPrecondition("OPERATION_RUNNING", "operation " + ResourceNames.operation(id)
          + " is still running; cancel it (CancelOperation) and delete it once it is done");
    }
    db.write(c -> store.delete(c, id));
  }

  /**
   * Completes with the operation once it is done or {@code timeout} has passed, whichever comes first, without
   * holding a thread while it waits.
   */
  public CompletableFuture<Operation> await(String id, Duration timeout) {
    Operation now = get(id);
    Running r = running.get(id);
    if (now.getDone() || r == null) {
      return CompletableFuture.completedFuture(now.getDone() ? now : get(id));
    }
    CompletableFuture<Operation> result = new CompletableFuture<>();
    Consumer<Object> complete = ignored -> {
      try {
        result.complete(get(id));
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    };
    r.done.thenAccept(complete::accept);
    scheduler.schedule(() -> complete.accept(null), Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
    return result;
  }

  public OperationStore operations() {
    return store;
  }

  /** Stops taking work; running operations pause at their next safe point and resume at the next start. */
  @Override
  public void close() {
    stopping = true;
    executor.shutdown();
    try {
      if (!executor.awaitTermination(20, TimeUnit.SECONDS)) {
        log.warn("Operations did not pause within 20 s; interrupting them (they resume at the next start)");
        executor.shutdownNow();
        executor.awaitTermination(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      executor.shutdownNow();
    }
  }

  private static ApiException notFound(String id) {
    return ApiException.notFound("nimbus.dev/Operation", ResourceNames.operation(id),
        "operation " + ResourceNames.operation(id) + " does not exist (it may have been deleted)");
  }

  private static void setDetails(OperationMetadata.Builder m, Message details) {
    if (details instanceof ImportDataDetails d) {
      m.setImportDataDetails(d);
    } else if (details instanceof DeleteDetails d) {
      m.setDeleteDetails(d);
    } else if (details instanceof CreateModelDetails d) {
      m.setCreateModelDetails(d);
    } else if (details instanceof DeployModelDetails d) {
      m.setDeployModelDetails(d);
    } else if (details instanceof BatchPredictDetails d) {
      m.setBatchPredictDetails(d);
    } else if (details instanceof ExportModelDetails d) {
      m.setExportModelDetails(d);
    } else if (details instanceof ExportDataDetails d) {
      m.setExportDataDetails(d);
    }
  }

  private String newId() {
    long millis = clock.millis();
    String rand = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36 * 36), 36);
    return Long.toString(millis, 36) + "-" + "0".repeat(6 - rand.length()) + rand;
  }

  /** For tests and shutdown ordering: whether any operation is running. */
  public boolean idle() {
    return running.isEmpty();
  }
}
