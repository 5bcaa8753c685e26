package dev.nimbus.server.engine;

import dev.nimbus.server.training.Labels;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;
import javax.imageio.ImageIO;

/** Small synthetic image sets and encoders for tests. */
public final class TestImages {

  private TestImages() {}

  /** Images and their classes. */
  public record Set(ImageBatch images, int[] classes) {
    public Labels labels(int labelCount) {
      return Labels.multiclass(classes, labelCount);
    }
  }

  /**
   * Three easily separable patterns with noise and random phase: class 0 horizontal stripes, class 1 vertical
   * stripes, class 2 a bright square on dark. A small CNN learns them in a few epochs.
   */
  public static Set patterns(int count, int size, int channels, long seed) {
    Random random = new Random(seed);
    byte[] pixels = new byte[count * size * size * channels];
    int[] classes = new int[count];
    for (int i = 0; i < count; i++) {
      int cls = i % 3;
      classes[i] = cls;
      int phase = random.nextInt(4);
      int cx = 3 + random.nextInt(Math.max(1, size - 9));
      int cy = 3 + random.nextInt(Math.max(1, size - 9));
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          int v =
              switch (cls) {
                case 0 -> ((y + phase) / 2) % 2 == 0 ? 200 : 40;
                case 1 -> ((x + phase) / 2) % 2 == 0 ? 200 : 40;
                default -> (x >= cx && x < cx + 5 && y >= cy && y < cy + 5) ? 230 : 30;
              };
          for (int c = 0; c < channels; c++) {
            int noisy = v + (int) (random.nextGaussian() * 20) + c * 5;
            pixels[((i * size + y) * size + x) * channels + c] = (byte) Math.max(0, Math.min(255, noisy));
          }
        }
      }
    }
    return new Set(new ImageBatch(pixels, count, size, size, channels), classes);
  }

  /** Image {@code index} of the batch as a BufferedImage (gray or RGB). */
  public static BufferedImage toBufferedImage(ImageBatch batch, int index) {
    int type = batch.channels() == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB;
    BufferedImage image = new BufferedImage(batch.width(), batch.height(), type);
    for (int y = 0; y < batch.height(); y++) {
      for (int x = 0; x < batch.width(); x++) {
        if (batch.channels() == 1) {
          image.getRaster().setSample(x, y, 0, batch.pixel(index, y, x, 0));
        } else {
          int rgb = (batch.pixel(index, y, x, 0) << 16) | (batch.pixel(index, y, x, 1) << 8) | batch.pixel(index, y, x, 2);
          image.setRGB(x, y, rgb);
        }
      }
    }
    return image;
  }

  /** A smooth colour gradient with a few edges, the kind of content JPEG and resizing handle predictably. */
  public static BufferedImage gradient(int width, int height, long seed) {
    Random random = new Random(seed);
    int ox = random.nextInt(64);
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int r = (x * 255 / Math.max(1, width - 1) + ox) & 0xFF;
        int g = y * 255 / Math.max(1, height - 1);
        int b = ((x / 16 + y / 16) % 2 == 0) ? 60 : 190;
        image.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    return image;
  }

  public static byte[] encode(BufferedImage image, String format) {
    try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      if (!ImageIO.write(image, format, out)) {
        throw new IllegalStateException("no ImageIO writer for " + format);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static BufferedImage decodeWithImageIo(byte[] bytes) {
    try {
      return ImageIO.read(new ByteArrayInputStream(bytes));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
