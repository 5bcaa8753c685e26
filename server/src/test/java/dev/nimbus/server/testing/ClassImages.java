package dev.nimbus.server.testing;


import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Random;

/**
 * Small labeled pictures a model can learn: each class has its own dominant colour and shape, each picture its
 * own position, size and noise, so no two are the same file.
 */
public final class ClassImages {
  private static final Color[] COLORS = {new Color(200, 40, 40), new Color(40, 170, 60), new Color(40, 60, 200),
      new Color(220, 200, 40), new Color(150, 40, 180)};

  private ClassImages() {}

  public static BufferedImage picture(int label, int index, int size) {
    Random r = new Random(label * 100_003L + index);
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(230 - r.nextInt(40), 230 - r.nextInt(40), 230 - r.nextInt(40)));
    g.fillRect(0, 0, size, size);
    Color c = COLORS[label % COLORS.length];
    g.setColor(new Color(jitter(c.getRed(), r), jitter(c.getGreen(), r), jitter(c.getBlue(), r)));
    int s = size / 3 + r.nextInt(size / 3);
    int x = r.nextInt(size - s);
    int y = r.nextInt(size - s);
    switch (label % 3) {
      case 0 -> g.fillOval(x, y, s, s);
      case 1 -> g.fillRect(x, y, s, s);
      default -> g.fillPolygon(new int[] {x, x + s, x + s / 2}, new int[] {y + s, y + s, y}, 3);
    }
    g.dispose();
    return img;
  }

  private static int jitter(int v, Random r) {
    return Math.max(0, Math.min(255, v + r.nextInt(41) - 20));
  }

  /** Writes {@code perLabel} PNGs per label under {@code dir} and returns CSV rows (no split column). */
  public static String write(Path dir, String[] labels, int perLabel, int size) {
    StringBuilder csv = new StringBuilder();
    for (int l = 0; l < labels.length; l++) {
      for (int i = 0; i < perLabel; i++) {
        Path p = dir.resolve(labels[l] + "-" + i + ".png");
        TestImages.write(p, TestImages.encode(picture(l, i, size), "png"));
        csv.append(p).append(',').append(labels[l]).append('\n');
      }
    }
    return csv.toString();
  }
}
