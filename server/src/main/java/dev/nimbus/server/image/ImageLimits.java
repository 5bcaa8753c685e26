package dev.nimbus.server.image;

/**
 * The limits {@link ImageInspector} enforces.
 *
 * @param maxBytes the largest file accepted, in bytes
 * @param maxPixels the largest {@code width * height} accepted, as declared by the header
 * @param maxSide the largest width, and the largest height, accepted
 */
public record ImageLimits(long maxBytes, long maxPixels, int maxSide) {

  /** 30 MB (30 * 1024 * 1024 bytes), 150 megapixels, 30000 pixels a side. */
  public static final ImageLimits DEFAULT = new ImageLimits(30L * 1024 * 1024, 150_000_000L, 30_000);

  public ImageLimits {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException(String.format("maxBytes: %s (expected: > 0)", maxBytes));
    }
    if (maxPixels <= 0) {
      throw new IllegalArgumentException(String.format("maxPixels: %s (expected: > 0)", maxPixels));
    }
    if (maxSide <= 0) {
      throw new IllegalArgumentException(String.format("maxSide: %s (expected: > 0)", maxSide));
    }
  }

  /** The default limits, {@link #DEFAULT}. */
  public static ImageLimits defaults() {
    return DEFAULT;
  }
}
