package dev.nimbus.server.training;

import java.util.Arrays;
import java.util.Objects;

/**
 * Feature vectors of {@code count} images, row-major {@code count x dim}, as produced by a frozen backbone.
 */
public record Embeddings(float[] values, int count, int dim) {

  public Embeddings {
    Objects.requireNonNull(values, "values");
    if (count < 0 || dim <= 0) {
      throw new IllegalArgumentException("count: %s, dim: %s (expected: count >= 0, dim > 0)".formatted(count, dim));
    }
    if (values.length != (long) count * dim) {
      throw new IllegalArgumentException(
          "values.length: %s (expected: %s = %s x %s)".formatted(values.length, (long) count * dim, count, dim));
    }
  }

  /** Rows {@code [from, to)}, a copy. */
  public Embeddings range(int from, int to) {
    Objects.checkFromToIndex(from, to, count);
    return new Embeddings(Arrays.copyOfRange(values, from * dim, to * dim), to - from, dim);
  }

  /** The rows at {@code indices}, in that order. */
  public Embeddings select(int[] indices) {
    float[] out = new float[indices.length * dim];
    for (int i = 0; i < indices.length; i++) {
      System.arraycopy(values, indices[i] * dim, out, i * dim, dim);
    }
    return new Embeddings(out, indices.length, dim);
  }
}
