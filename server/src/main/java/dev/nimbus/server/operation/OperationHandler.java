package dev.nimbus.server.operation;

import dev.nimbus.v1.OperationMetadata;

/**
 * Runs one kind of long-running operation. A handler commits its own work together with its progress
 * ({@link OperationContext#saveProgress}) and finishes the operation in the same transaction as its last
 * write ({@link OperationContext#finish}); the manager handles failures, cancellation and shutdown.
 */
public interface OperationHandler {
  OperationMetadata.Kind kind();

  /**
   * Whether an operation of this kind that was running when the server stopped can be continued from its
   * checkpoint. If not, it is marked failed at start-up.
   */
  boolean resumable();

  /**
   * Does the work. Returns normally only after calling {@link OperationContext#finish}. Throws
   * {@link dev.nimbus.server.error.ApiException} to fail the operation with that status,
   * {@link OperationContext.Stopped} when asked to stop.
   */
  void run(OperationContext ctx) throws Exception;
}
