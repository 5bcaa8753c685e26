package dev.nimbus.cli.sample;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.MultipleGradientPaint;
import java.awt.RadialGradientPaint;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Point2D;
import java.awt.geom.QuadCurve2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Random;

/**
 * Procedural photographs of the lab's three cloud types, drawn with Java2D. What tells the classes apart is shape
 * and texture, as in real photos: <b>cirrus</b> are thin, wispy, wind-combed streaks high in the sky;
 * <b>cumulus</b> are separate puffy heaps, bright on top with flat grey bases; <b>cumulonimbus</b> is a towering
 * column with a dark base, often rain below, and a wide flat anvil at the top. Everything else is drawn from the
 * same distributions for every class, so that it cannot be the cue: the image size and aspect, the sky's colours
 * (clear, deep, hazy, dusk, overcast), how much of the sky is covered, the exposure, contrast and colour cast,
 * a horizon silhouette, sensor noise and JPEG quality. A logistic regression on the mean colour of each image
 * ({@link MeanColourBaseline}) stays far below what a model that looks at shapes reaches.
 *
 * <p>{@link #render} is a pure function of its arguments: the same label and seed give the same pixels.
 */
public final class CloudScenes {
  public static final String CIRRUS = "cirrus";
  public static final String CUMULUS = "cumulus";
  public static final String CUMULONIMBUS = "cumulonimbus";
  public static final List<String> LABELS = List.of(CIRRUS, CUMULUS, CUMULONIMBUS);

  /** Sky colours at the zenith and at the horizon, before jitter. */
  private static final int[][][] SKIES = {
      {{38, 98, 196}, {150, 192, 236}},    // clear
      {{18, 62, 160}, {96, 150, 214}},     // deep blue
      {{118, 146, 186}, {204, 212, 222}},  // hazy
      {{58, 74, 148}, {238, 168, 118}},    // dusk
      {{104, 114, 130}, {168, 172, 182}},  // overcast
      {{70, 120, 190}, {230, 230, 236}},   // bright haze at the horizon
  };

  private CloudScenes() {}

  /** One scene of {@code label} (one of {@link #LABELS}); {@code seed} decides everything else. */
  public static BufferedImage render(String label, long seed) {
    Random random = new Random(seed * 0x9E3779B97F4A7C15L + label.hashCode());
    int width = 256 + random.nextInt(257);
    int height = (int) Math.round(width * (0.58 + random.nextDouble() * 0.45));
    // The scene is drawn on a larger canvas, then framed: a random window of it, as a camera pointed and zoomed
    // by hand would take, sometimes cutting the cloud off at the edge.
    double zoom = 0.6 + random.nextDouble() * 0.4;
    int canvasWidth = (int) Math.ceil(width / zoom);
    int canvasHeight = (int) Math.ceil(height / zoom);
    BufferedImage canvas = new BufferedImage(canvasWidth, canvasHeight, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      Scene scene = new Scene(g, random, canvasWidth, canvasHeight);
      scene.sky();
      switch (label) {
        case CIRRUS -> {
          scene.cirrus();
          // Fair-weather puffs low in the sky happen under cirrus too.
          if (random.nextDouble() < 0.3) {
            scene.smallCumulus();
          }
        }
        case CUMULUS -> {
          if (random.nextDouble() < 0.3) {
            scene.faintCirrus();
          }
          scene.cumulus();
        }
        case CUMULONIMBUS -> {
          if (random.nextDouble() < 0.25) {
            scene.faintCirrus();
          }
          scene.cumulonimbus();
          if (random.nextDouble() < 0.3) {
            scene.smallCumulus();
          }
        }
        default -> throw new IllegalArgumentException("unknown cloud type '" + label + "' (expected: " + LABELS + ")");
      }
      if (random.nextDouble() < 0.35) {
        scene.horizon();
      }
      if (random.nextDouble() < 0.3) {
        scene.haze();
      }
    } finally {
      g.dispose();
    }
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D frame = image.createGraphics();
    try {
      frame.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      int x = random.nextInt(canvasWidth - width + 1);
      int y = random.nextInt(canvasHeight - height + 1);
      frame.drawImage(canvas, 0, 0, width, height, x, y, x + width, y + height, null);
    } finally {
      frame.dispose();
    }
    develop(image, random);
    return image;
  }

  /** The camera: exposure, contrast, colour cast and sensor noise, independent of the label. */
  private static void develop(BufferedImage image, Random random) {
    double exposure = 0.55 + random.nextDouble() * 0.8;
    double contrast = 0.75 + random.nextDouble() * 0.45;
    double[] cast = {0.91 + random.nextDouble() * 0.18, 0.93 + random.nextDouble() * 0.14,
        0.91 + random.nextDouble() * 0.18};
    double noise = random.nextDouble() * 9;
    int width = image.getWidth();
    int height = image.getHeight();
    int[] row = new int[width];
    for (int y = 0; y < height; y++) {
      image.getRGB(0, y, width, 1, row, 0, width);
      for (int x = 0; x < width; x++) {
        int rgb = row[x];
        double n = noise == 0 ? 0 : random.nextGaussian() * noise;
        int r = tone((rgb >> 16) & 0xFF, exposure * cast[0], contrast, n);
        int gr = tone((rgb >> 8) & 0xFF, exposure * cast[1], contrast, n);
        int b = tone(rgb & 0xFF, exposure * cast[2], contrast, n);
        row[x] = (r << 16) | (gr << 8) | b;
      }
      image.setRGB(0, y, width, 1, row, 0, width);
    }
  }

  private static int tone(int value, double gain, double contrast, double noise) {
    double v = (value * gain - 128) * contrast + 128 + noise;
    return v <= 0 ? 0 : v >= 255 ? 255 : (int) v;
  }

  /** The drawing state of one scene. */
  private static final class Scene {
    private final Graphics2D g;
    private final Random random;
    private final int w;
    private final int h;
    /** Sunlight on the clouds (warm at dusk), and the direction the wind combs them, in radians. */
    private final Color light;
    private final double wind;

    Scene(Graphics2D g, Random random, int w, int h) {
      this.g = g;
      this.random = random;
      this.w = w;
      this.h = h;
      int warm = random.nextInt(4) == 0 ? 20 + random.nextInt(30) : 0;
      this.light = new Color(clamp(240 + warm / 2), clamp(240 - warm / 3), clamp(244 - warm));
      this.wind = (random.nextDouble() - 0.5) * 0.9;
    }

    void sky() {
      int[][] sky = SKIES[random.nextInt(SKIES.length)];
      Color top = jitter(sky[0], 18);
      Color horizon = jitter(sky[1], 18);
      g.setPaint(new GradientPaint(0, 0, top, 0, h, horizon));
      g.fillRect(0, 0, w, h);
      // Haze: a few soft veils anywhere, for every class, so that "some white in the sky" is no cue.
      int veils = random.nextInt(4);
      for (int i = 0; i < veils; i++) {
        float cx = (float) (random.nextDouble() * w);
        float cy = (float) (random.nextDouble() * h);
        float radius = (float) ((0.2 + random.nextDouble() * 0.5) * w);
        g.setPaint(new RadialGradientPaint(cx, cy, radius, new float[] {0f, 1f},
            new Color[] {withAlpha(light, 20 + random.nextInt(50)), withAlpha(light, 0)}));
        g.fillRect(0, 0, w, h);
      }
    }

    /** Thin streaks, combed by the wind, in the upper sky; some end in hooks (mares' tails). */
    void cirrus() {
      int groups = 3 + random.nextInt(12);
      for (int i = 0; i < groups; i++) {
        streaks((random.nextDouble() * 1.3 - 0.2) * w, (0.03 + random.nextDouble() * 0.62) * h, 25, 110);
      }
    }

    /** One group of streaks from ({@code x0}, {@code y0}) downwind, strand alpha from {@code alpha} on. */
    private void streaks(double x0, double y0, int alpha, int alphaRange) {
      double angle = wind + (random.nextDouble() - 0.5) * 0.5;
      double length = (0.15 + random.nextDouble() * 0.6) * w;
      double bend = (random.nextDouble() - 0.5) * 0.5 * length;
      boolean hook = random.nextDouble() < 0.4;
      int strands = 6 + random.nextInt(22);
      double spread = 2 + random.nextDouble() * 0.05 * h;
      for (int s = 0; s < strands; s++) {
        double offset = random.nextGaussian() * spread;
        double nx = -Math.sin(angle) * offset;
        double ny = Math.cos(angle) * offset;
        double start = random.nextDouble() * 0.3 * length;
        double end = length * (0.6 + random.nextDouble() * 0.4);
        double ax = x0 + nx + Math.cos(angle) * start;
        double ay = y0 + ny + Math.sin(angle) * start;
        double bx = x0 + nx + Math.cos(angle) * end;
        double by = y0 + ny + Math.sin(angle) * end + (hook ? -0.12 * length : 0);
        double mx = (ax + bx) / 2 - Math.sin(angle) * bend;
        double my = (ay + by) / 2 + Math.cos(angle) * bend;
        g.setStroke(new BasicStroke((float) (0.6 + random.nextDouble() * 2.6), BasicStroke.CAP_ROUND,
            BasicStroke.JOIN_ROUND));
        g.setColor(withAlpha(light, alpha + random.nextInt(alphaRange)));
        g.draw(new QuadCurve2D.Double(ax, ay, mx, my, bx, by));
      }
      // A faint broad veil along the group: cirrus are translucent, not solid.
      g.setStroke(new BasicStroke((float) (spread * 2.5), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
      g.setColor(withAlpha(light, alpha / 3 + random.nextInt(25)));
      g.draw(new QuadCurve2D.Double(x0, y0, x0 + Math.cos(angle) * length / 2 - Math.sin(angle) * bend,
          y0 + Math.sin(angle) * length / 2 + Math.cos(angle) * bend, x0 + Math.cos(angle) * length,
          y0 + Math.sin(angle) * length));
    }

    /** Separate heaps: rounded, sunlit tops, grey flat bases, all bases at about one height. */
    void cumulus() {
      int heaps = 1 + random.nextInt(6);
      double baseLine = (0.45 + random.nextDouble() * 0.45) * h;
      for (int i = 0; i < heaps; i++) {
        double size = (0.08 + random.nextDouble() * (heaps == 1 ? 0.4 : 0.25)) * w;
        double cx = random.nextDouble() * w;
        double base = baseLine + (random.nextDouble() - 0.5) * 0.08 * h;
        // Now and then a towering one (congestus), as tall as it is wide: the step before a cumulonimbus.
        double tall = size * (random.nextDouble() < 0.15 ? 0.9 + random.nextDouble() * 0.4
            : 0.45 + random.nextDouble() * 0.5);
        heap(cx, base, size, tall, 0.7 + random.nextDouble() * 0.25, false);
      }
    }

    /** A few small, distant heaps near the horizon: not what the picture is of. */
    void smallCumulus() {
      int heaps = 1 + random.nextInt(3);
      for (int i = 0; i < heaps; i++) {
        double size = (0.04 + random.nextDouble() * 0.07) * w;
        heap(random.nextDouble() * w, (0.8 + random.nextDouble() * 0.15) * h, size, size * 0.5,
            0.75 + random.nextDouble() * 0.2, false);
      }
    }

    /** A few faint streaks high up, behind the main clouds. */
    void faintCirrus() {
      int groups = 1 + random.nextInt(3);
      for (int i = 0; i < groups; i++) {
        streaks(random.nextDouble() * w, (0.03 + random.nextDouble() * 0.25) * h, 10, 60);
      }
    }

    /** A veil of haze or thin fog over everything. */
    void haze() {
      g.setColor(withAlpha(new Color(200, 204, 210), 30 + random.nextInt(70)));
      g.fillRect(0, 0, w, h);
    }

    /** One towering column from a wide dark base, a flat anvil sheared downwind at the top, rain below. */
    void cumulonimbus() {
      double cx = (0.25 + random.nextDouble() * 0.5) * w;
      double base = (0.62 + random.nextDouble() * 0.33) * h;
      double baseWidth = (0.35 + random.nextDouble() * 0.45) * w;
      double top = (0.03 + random.nextDouble() * 0.2) * h;
      if (random.nextDouble() < 0.6) {
        rain(cx, base, baseWidth);
      }
      // The anvil first, so that the column's crown bulges into it.
      double anvilWidth = (0.55 + random.nextDouble() * 0.75) * w;
      double thickness = (0.05 + random.nextDouble() * 0.08) * h;
      double shear = Math.signum(wind + 1e-9) * random.nextDouble() * 0.3 * anvilWidth;
      Path2D anvil = new Path2D.Double();
      anvil.moveTo(cx - anvilWidth * 0.35 + shear * 0.3, top + thickness * 0.2);
      anvil.curveTo(cx - anvilWidth * 0.1, top - thickness * 0.3, cx + anvilWidth * 0.3 + shear, top - thickness * 0.2,
          cx + anvilWidth * 0.62 + shear, top + thickness * 0.35);
      anvil.curveTo(cx + anvilWidth * 0.4 + shear, top + thickness * 1.1, cx + anvilWidth * 0.1,
          top + thickness * 1.6, cx, top + thickness * 2.2);
      anvil.curveTo(cx - anvilWidth * 0.15, top + thickness * 1.5, cx - anvilWidth * 0.3, top + thickness, cx
          - anvilWidth * 0.35 + shear * 0.3, top + thickness * 0.2);
      anvil.closePath();
      Color lit = light;
      Color shade = shadeOf(light, 0.72);
      g.setPaint(new GradientPaint(0, (float) top, lit, 0, (float) (top + thickness * 2.2), shade));
      g.fill(anvil);
      // Fibrous edge of the anvil: short wisps downwind.
      g.setStroke(new BasicStroke(1.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
      for (int i = 0; i < 30; i++) {
        double x = cx + anvilWidth * (0.3 + random.nextDouble() * 0.35) + shear;
        double y = top + random.nextDouble() * thickness * 1.2;
        g.setColor(withAlpha(light, 40 + random.nextInt(80)));
        g.draw(new QuadCurve2D.Double(x, y, x + 10, y - 3, x + 18 + random.nextDouble() * 25, y + 2));
      }
      // The column: puffs shaded from a lit crown to a dark base.
      double darkness = 0.28 + random.nextDouble() * 0.3;
      heap(cx, base, baseWidth, base - top - thickness, darkness, true);
    }

    /**
     * A heap of puffs on a flat base at {@code base}: {@code size} wide at the base, {@code tall} high. Puffs
     * are lit from above; {@code baseShade} is how bright the base is against the lit top (1: as bright). A
     * tower narrows as it rises.
     */
    private void heap(double cx, double base, double size, double tall, double baseShade, boolean tower) {
      int puffs = (int) (18 + random.nextInt(20) + (tower ? 40 : 0));
      Rectangle previous = g.getClipBounds();
      g.setClip(0, 0, w, (int) Math.ceil(base));
      for (int i = 0; i < puffs; i++) {
        double rise = Math.pow(random.nextDouble(), tower ? 0.8 : 1.4);
        double halfWidth = size / 2 * (tower ? 1 - 0.62 * rise : 1 - 0.55 * rise);
        double x = cx + (random.nextDouble() * 2 - 1) * halfWidth;
        double y = base - rise * tall;
        double radius = size * (tower ? 0.07 + random.nextDouble() * 0.1 : 0.12 + random.nextDouble() * 0.16)
            * (1 - 0.4 * rise);
        double brightness = baseShade + (1 - baseShade) * Math.min(1, rise * 1.6 + 0.15);
        Color top = shadeOf(light, Math.min(1, brightness + 0.06));
        Color edge = shadeOf(light, brightness * 0.84);
        float lx = (float) (x - radius * 0.3);
        float ly = (float) (y - radius * 0.45);
        g.setPaint(new RadialGradientPaint(new Point2D.Float(lx, ly), (float) (radius * 1.5),
            new float[] {0f, 0.7f, 1f}, new Color[] {top, edge, shadeOf(edge, 0.9)},
            MultipleGradientPaint.CycleMethod.NO_CYCLE));
        g.fill(new Ellipse2D.Double(x - radius, y - radius, radius * 2, radius * 2 * (0.85 + random.nextDouble() * 0.2)));
      }
      if (!tower) {
        // The flat base of a heap: a grey band along the bottom, fading upwards, narrower than the heap.
        Color bottom = shadeOf(light, baseShade * 0.8);
        g.setPaint(new GradientPaint(0, (float) (base - size * 0.1), withAlpha(bottom, 0), 0, (float) base, bottom));
        g.fill(new RoundRectangle2D.Double(cx - size * 0.42, base - size * 0.1, size * 0.84,
            size * 0.1 + 4, size * 0.1, size * 0.1));
      }
      g.setClip(previous);
    }

    private void rain(double cx, double base, double baseWidth) {
      g.setStroke(new BasicStroke(1f));
      double slant = Math.sin(wind) * 20;
      for (int i = 0; i < 120; i++) {
        double x = cx + (random.nextDouble() - 0.5) * baseWidth * 0.8;
        double length = (0.3 + random.nextDouble() * 0.7) * (h - base);
        g.setColor(new Color(90, 95, 105, 20 + random.nextInt(50)));
        g.draw(new Line2D.Double(x, base, x + slant, base + length));
      }
    }

    /** A dark horizon: hills, trees or a city line along the bottom, for any class. */
    void horizon() {
      double height = (0.03 + random.nextDouble() * 0.13) * h;
      Path2D ground = new Path2D.Double();
      ground.moveTo(0, h);
      int steps = 6 + random.nextInt(20);
      boolean city = random.nextInt(3) == 0;
      for (int i = 0; i <= steps; i++) {
        double x = (double) w * i / steps;
        double y = h - height * (0.5 + random.nextDouble() * 0.5);
        if (city) {
          ground.lineTo(x, y);
          ground.lineTo(x + (double) w / steps, y);
        } else {
          ground.lineTo(x, y);
        }
      }
      ground.lineTo(w, h);
      ground.closePath();
      int base = 20 + random.nextInt(50);
      g.setColor(new Color(base, base + random.nextInt(30), base + random.nextInt(15)));
      g.fill(ground);
    }

    private Color jitter(int[] rgb, int amount) {
      return new Color(clamp(rgb[0] + random.nextInt(2 * amount + 1) - amount),
          clamp(rgb[1] + random.nextInt(2 * amount + 1) - amount),
          clamp(rgb[2] + random.nextInt(2 * amount + 1) - amount));
    }
  }

  private static Color shadeOf(Color c, double factor) {
    return new Color(clamp((int) (c.getRed() * factor)), clamp((int) (c.getGreen() * factor)),
        clamp((int) (c.getBlue() * factor)), c.getAlpha());
  }

  private static Color withAlpha(Color c, int alpha) {
    return new Color(c.getRed(), c.getGreen(), c.getBlue(), clamp(alpha));
  }

  private static int clamp(int v) {
    return v < 0 ? 0 : v > 255 ? 255 : v;
  }
}
