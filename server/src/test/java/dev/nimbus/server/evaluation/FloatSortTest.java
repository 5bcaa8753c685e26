package dev.nimbus.server.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FloatSortTest {

  @Test
  void sort_randomScoresAroundRadixThreshold_sameAsArraysSort() {
    Random random = new Random(11);
    int[] sizes = {0, 1, 2, 4095, 4096, 4097, 20_011};
    for (int size : sizes) {
      for (int kind = 0; kind < 5; kind++) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
          a[i] = switch (kind) {
            case 0 -> random.nextFloat(); // continuous
            case 1 -> random.nextInt(21) / 20f; // heavy ties, includes 0 and 1
            case 2 -> Float.MIN_VALUE * random.nextInt(1000); // subnormals and zero
            case 3 -> random.nextBoolean() ? 1f : Math.nextDown(1f); // differ in every digit
            default -> random.nextInt(65) / 64f; // low 10 bits all zero: the first pass is skipped
          };
        }
        float[] expected = a.clone();
        Arrays.sort(expected);
        FloatSort.sort(a);
        assertThat(Arrays.equals(a, expected)).as("size %d kind %d", size, kind).isTrue();
      }
    }
  }

  @Test
  void sort_alreadySortedAndReversed_sorted() {
    float[] a = new float[20_000];
    for (int i = 0; i < a.length; i++) {
      a[i] = (a.length - i) / (float) a.length;
    }
    float[] expected = a.clone();
    Arrays.sort(expected);
    FloatSort.sort(a);
    assertThat(Arrays.equals(a, expected)).isTrue();
    FloatSort.sort(a);
    assertThat(Arrays.equals(a, expected)).isTrue();
  }
}
