package dev.nimbus.server.engine;

import java.util.Objects;

/**
 * Decoded images held in memory as one uint8 array in NHWC order, the layout TF's CPU kernels and the exported
 * {@code images} input use, so it can be copied into a tensor without reordering.
 *
 * @param pixels {@code count * height * width * channels} bytes, unsigned
 * @param channels 1 (grayscale) or 3 (RGB)
 */
public record ImageBatch(byte[] pixels, int count, int height, int width, int channels) {

  public ImageBatch {
    Objects.requireNonNull(pixels, "pixels");
    if (count < 0 || height <= 0 || width <= 0) {
      throw new IllegalArgumentException(
          "count: %s, height: %s, width: %s (expected: count >= 0, sizes > 0)".formatted(count, height, width));
    }
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels: %s (expected: 1 or 3)".formatted(channels));
    }
    long expected = (long) count * height * width * channels;
    if (pixels.length != expected) {
      throw new IllegalArgumentException(
          "pixels.length: %s (expected: %s for %sx%sx%sx%s)"
              .formatted(pixels.length, expected, count, height, width, channels));
    }
  }

  public int imageBytes() {
    return height * width * channels;
  }

  /** The images at {@code indices}, in that order (a copy). */
  public ImageBatch select(int[] indices) {
    int size = imageBytes();
    byte[] out = new byte[indices.length * size];
    for (int i = 0; i < indices.length; i++) {
      System.arraycopy(pixels, indices[i] * size, out, i * size, size);
    }
    return new ImageBatch(out, indices.length, height, width, channels);
  }

  /** Images {@code from} (inclusive) to {@code to} (exclusive), a copy. */
  public ImageBatch range(int from, int to) {
    Objects.checkFromToIndex(from, to, count);
    int size = imageBytes();
    byte[] out = new byte[(to - from) * size];
    System.arraycopy(pixels, from * size, out, 0, out.length);
    return new ImageBatch(out, to - from, height, width, channels);
  }

  /** The unsigned value of one pixel channel, for tests and small tools. */
  public int pixel(int image, int y, int x, int channel) {
    return pixels[((image * height + y) * width + x) * channels + channel] & 0xFF;
  }
}
