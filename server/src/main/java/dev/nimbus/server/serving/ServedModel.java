package dev.nimbus.server.serving;

import dev.nimbus.server.engine.InferenceEngine;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loaded model, reference-counted: the model cache holds one reference while the model is cached, and every
 * batch that runs on it holds one for its duration. The model (and each thread's runner) is closed when the last
 * reference goes, so evicting a model never closes it under a running batch.
 */
final class ServedModel {
  private final String key;
  private final InferenceEngine.LoadedModel model;
  private final AtomicInteger refs = new AtomicInteger(1);
  private final Map<Thread, InferenceEngine.Runner> runners = new ConcurrentHashMap<>();

  ServedModel(String key, InferenceEngine.LoadedModel model) {
    this.key = key;
    this.model = model;
  }

  String key() {
    return key;
  }

  long sizeBytes() {
    return model.sizeBytes();
  }

  /** A handle for one use, or null if the model is already closed (evicted and released). */
  Handle acquire() {
    while (true) {
      int n = refs.get();
      if (n <= 0) {
        return null;
      }
      if (refs.compareAndSet(n, n + 1)) {
        return new Handle();
      }
    }
  }

  /** Drops the cache's reference (on eviction). */
  void retire() {
    release();
  }

  private void release() {
    if (refs.decrementAndGet() == 0) {
      runners.values().forEach(InferenceEngine.Runner::close);
      runners.clear();
      model.close();
    }
  }

  boolean closed() {
    return refs.get() <= 0;
  }

  /** One use of the model; close it exactly once. */
  final class Handle implements AutoCloseable {
    private boolean released;

    /** The calling thread's own runner (DJL predictors are not thread-safe). */
    InferenceEngine.Runner runner() {
      return runners.computeIfAbsent(Thread.currentThread(), t -> model.newRunner());
    }

    @Override
    public void close() {
      if (!released) {
        released = true;
        release();
      }
    }
  }
}
