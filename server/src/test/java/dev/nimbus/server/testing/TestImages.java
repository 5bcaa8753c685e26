package dev.nimbus.server.testing;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;

/** Small distinct images for tests: the seed decides the content, so different seeds mean different hashes. */
public final class TestImages {
  private TestImages() {}

  public static BufferedImage picture(int width, int height, long seed) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Random r = new Random(seed);
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256)));
    g.fillRect(0, 0, width, height);
    for (int i = 0; i < 12; i++) {
      g.setColor(new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256)));
      g.fillOval(r.nextInt(width), r.nextInt(height), 1 + r.nextInt(width / 2 + 1), 1 + r.nextInt(height / 2 + 1));
    }
    g.dispose();
    return img;
  }

  public static byte[] encode(BufferedImage img, String format) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      if (!ImageIO.write(img, format, out)) {
        throw new IllegalStateException("no ImageIO writer for " + format);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static byte[] jpeg(int width, int height, long seed) {
    return encode(picture(width, height, seed), "jpg");
  }

  public static byte[] png(int width, int height, long seed) {
    return encode(picture(width, height, seed), "png");
  }

  public static Path write(Path file, byte[] bytes) {
    try {
      Files.createDirectories(file.getParent());
      return Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
