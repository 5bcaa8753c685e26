package dev.nimbus.server.training.graph;

import java.util.Objects;

/**
 * Trained values of a 2-D convolution with stride 1 and no padding.
 *
 * @param kernel {@code size x size x inChannels x outChannels} (TF's HWIO layout, independent of the data
 *     format the convolution ran in)
 * @param bias {@code outChannels}
 */
public record ConvLayer(int size, int inChannels, int outChannels, float[] kernel, float[] bias) {

  public ConvLayer {
    Objects.requireNonNull(kernel, "kernel");
    Objects.requireNonNull(bias, "bias");
    if (kernel.length != size * size * inChannels * outChannels || bias.length != outChannels) {
      throw new IllegalArgumentException(
          "kernel.length: %s, bias.length: %s (expected: %s, %s)"
              .formatted(kernel.length, bias.length, size * size * inChannels * outChannels, outChannels));
    }
  }
}
