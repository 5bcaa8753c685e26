package dev.nimbus.server.training;

import java.util.List;
import java.util.Map;

/**
 * Embeddings of images by a frozen backbone, by (backbone id, image hash, variant), so training again on the same
 * images skips the backbone. Variant 0 is the image itself; others are augmented versions (flipped, cropped). A
 * backbone id changes with its weights and cut, so stale entries are never read.
 */
public interface EmbeddingCache {
  /** Caches nothing. */
  EmbeddingCache NONE = new EmbeddingCache() {
    @Override
    public Map<String, float[]> get(String backboneId, List<String> hashes, int variant) {
      return Map.of();
    }

    @Override
    public void put(String backboneId, Map<String, float[]> vectors, int variant) {}
  };

  /** The cached embeddings among {@code hashes}, by hash. */
  Map<String, float[]> get(String backboneId, List<String> hashes, int variant);

  void put(String backboneId, Map<String, float[]> vectors, int variant);
}
