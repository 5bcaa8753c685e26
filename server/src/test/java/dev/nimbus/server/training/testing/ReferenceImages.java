package dev.nimbus.server.training.testing;

import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** The deterministic test images of src/test/node/reference.js, reproduced bit for bit. */
public final class ReferenceImages {
  private ReferenceImages() {}

  /** Pixel q in 0..255 of image k at (y, x, c); the image value is q / 255f. */
  public static int pixel(int k, int y, int x, int c) {
    if (k == 0) {
      return (x + y + 60 * c) & 255;
    }
    if (k == 1) {
      return (((x >> 4) ^ (y >> 4)) & 1) != 0 ? 40 + 80 * c : 220 - 60 * c;
    }
    int h = x * 374761393 + y * 668265263 + c * -2048144777;
    h = (h ^ (h >>> 13)) * 1274126177;
    int r2 = (x - 100) * (x - 100) + (y - 130) * (y - 130);
    return ((r2 >> 6) * (c + 1) + (h & 63)) & 255;
  }

  public static float[] images(int count, int size) {
    float[] data = new float[count * size * size * 3];
    int i = 0;
    for (int k = 0; k < count; k++) {
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          for (int c = 0; c < 3; c++) {
            data[i++] = pixel(k, y, x, c) / 255f;
          }
        }
      }
    }
    return data;
  }

  public static TFloat32 tensor(int count, int size) {
    return TFloat32.tensorOf(Shape.of(count, size, size, 3), DataBuffers.of(images(count, size)));
  }
}
