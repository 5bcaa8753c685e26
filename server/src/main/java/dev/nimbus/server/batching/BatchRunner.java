package dev.nimbus.server.batching;

import java.util.List;

/**
 * Runs one batch through a model: the engine call. A scheduler creates one runner per model per batch thread (a
 * DJL {@code Predictor} is not thread-safe), so a runner is only ever called by one thread at a time, and closes it
 * exactly once, after its last batch, when the model is unregistered or the scheduler closes.
 */
@FunctionalInterface
public interface BatchRunner<I, O> extends AutoCloseable {

  /**
   * Returns one output per input, in the same order. A thrown exception fails exactly the requests that have
   * inputs in this batch, with that exception.
   */
  List<O> run(List<I> inputs) throws Exception;

  /** Releases what the runner holds (a DJL Predictor, say); no checked exception, as there is nobody to tell. */
  @Override
  default void close() {}
}
