package dev.nimbus.server.training.tfjs;

import java.util.Arrays;

/** One dequantized float weight from a TF.js weights manifest. */
public record WeightTensor(String name, int[] shape, float[] values) {
  public WeightTensor {
    shape = shape.clone();
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  public long size() {
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape);
  }
}
