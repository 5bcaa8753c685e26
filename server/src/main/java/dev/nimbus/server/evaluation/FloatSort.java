package dev.nimbus.server.evaluation;

import java.util.Arrays;

/**
 * Sorting of validated scores: floats in [0, 1], never NaN or -0.0. For such floats the raw bit
 * patterns are non-negative ints below 2^30 that order exactly like the floats, so an LSD radix
 * sort on three 10-bit digits sorts them in O(n) with one buffer of the same size.
 */
final class FloatSort {

  private static final int RADIX_BITS = 10;
  private static final int BUCKETS = 1 << RADIX_BITS;
  private static final int MASK = BUCKETS - 1;
  private static final int PASSES = 3; // 30 bits: 1.0f is 0x3F800000 < 2^30
  /** Below this, Arrays.sort is faster than three histogram passes. */
  private static final int RADIX_THRESHOLD = 4096;

  private FloatSort() {}

  /** Sorts ascending; every element must be in [+0.0, 1.0]. */
  static void sort(float[] a) {
    if (a.length < RADIX_THRESHOLD) {
      Arrays.sort(a);
      return;
    }
    int[][] counts = new int[PASSES][BUCKETS];
    for (float v : a) {
      int bits = Float.floatToRawIntBits(v);
      counts[0][bits & MASK]++;
      counts[1][(bits >>> RADIX_BITS) & MASK]++;
      counts[2][(bits >>> (2 * RADIX_BITS)) & MASK]++;
    }
    float[] from = a;
    float[] to = new float[a.length];
    for (int pass = 0; pass < PASSES; pass++) {
      int[] count = counts[pass];
      int shift = pass * RADIX_BITS;
      if (count[(Float.floatToRawIntBits(from[0]) >>> shift) & MASK] == a.length) {
        continue; // every element has the same digit: this pass would not move anything
      }
      int sum = 0;
      for (int b = 0; b < BUCKETS; b++) { // bucket starts
        int c = count[b];
        count[b] = sum;
        sum += c;
      }
      for (float v : from) {
        to[count[(Float.floatToRawIntBits(v) >>> shift) & MASK]++] = v;
      }
      float[] swap = from;
      from = to;
      to = swap;
    }
    if (from != a) {
      System.arraycopy(from, 0, a, 0, a.length);
    }
  }
}
