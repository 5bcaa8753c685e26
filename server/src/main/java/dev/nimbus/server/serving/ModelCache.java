package dev.nimbus.server.serving;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.RemovalCause;
import java.util.function.Function;

/**
 * The loaded models, in a Caffeine cache bounded by count and by size: each model weighs at least a fair share
 * ({@code maxBytes / maxModels}), so at most {@code maxModels} fit, and large ones fewer. An evicted model is
 * retired (closed once no batch uses it) and loaded again the next time it is needed.
 */
final class ModelCache implements AutoCloseable {
  private final LoadingCache<String, ServedModel> cache;

  ModelCache(int maxModels, long maxBytes, Function<String, ServedModel> loader) {
    long share = Math.max(1, maxBytes / maxModels);
    this.cache = Caffeine.newBuilder()
        .maximumWeight(maxBytes)
        .weigher((String key, ServedModel m) -> (int) Math.min(Integer.MAX_VALUE, Math.max(share, m.sizeBytes())))
        .executor(Runnable::run)
        .removalListener((String key, ServedModel m, RemovalCause cause) -> {
          if (m != null) {
            m.retire();
          }
        })
        .build(loader::apply);
  }

  /** A handle on the model loaded under {@code key}, loading it if needed. */
  ServedModel.Handle acquire(String key) {
    while (true) {
      ServedModel m = cache.get(key);
      ServedModel.Handle h = m.acquire();
      if (h != null) {
        return h;
      }
      // Evicted and closed between get and acquire: drop the stale entry and load again.
      cache.asMap().remove(key, m);
    }
  }

  /** Loads {@code key} now (deployment), so the first request does not pay for it. */
  void load(String key) {
    cache.get(key);
  }

  void evict(String key) {
    cache.invalidate(key);
  }

  boolean isLoaded(String key) {
    return cache.getIfPresent(key) != null;
  }

  @Override
  public void close() {
    cache.invalidateAll();
    cache.cleanUp();
  }
}
