package dev.nimbus.server.batching;

/**
 * Observes a scheduler, for metrics. Called outside the scheduler's lock; a batch is reported on the batch thread
 * after its futures were completed (or handed to the completion executor). An exception thrown here is logged and
 * otherwise ignored. Implementations must be thread-safe and quick.
 */
public interface BatchListener {

  /** Observes nothing. */
  BatchListener NONE = new BatchListener() {};

  /** A batch ran (the engine was called), successfully or not. */
  default void onBatch(BatchRun batch) {}

  /** A request was refused at submit time and nothing of it was queued. */
  default void onRejected(String modelKey, int images, BatchingException.Kind kind) {}

  /**
   * Images of an accepted request left the queue without running: DEADLINE_EXCEEDED, CANCELLED or SHUT_DOWN.
   * ({@code images} counts only the images still waiting; those that already ran are not counted again.)
   */
  default void onDropped(String modelKey, int images, BatchingException.Kind kind) {}

  /**
   * One engine call.
   *
   * @param size images in the batch
   * @param maxQueueWaitNanos how long the oldest image waited, from submit to dispatch
   * @param meanQueueWaitNanos the mean wait over the batch's images
   * @param runNanos the time {@link BatchRunner#run} took (not the runner's creation)
   * @param failed whether the runner threw or returned the wrong number of outputs
   */
  record BatchRun(String modelKey, int size, long maxQueueWaitNanos, long meanQueueWaitNanos, long runNanos,
      boolean failed) {}
}
