package dev.nimbus.server.image;

import java.util.Objects;

/**
 * What {@link ImageInspector#inspect} learned about an image that it accepted.
 *
 * <p>{@code width} and {@code height} are the size the header declares: for a GIF, the size of the
 * canvas it is shown on (its logical screen, grown to hold the first frame if that frame reaches
 * beyond it, as browsers do); for every other format, the size of its first image.
 *
 * @param format the format recognised from the content
 * @param width the width in pixels, at least 1
 * @param height the height in pixels, at least 1
 */
public record ImageInfo(ImageFormat format, int width, int height) {

  public ImageInfo {
    Objects.requireNonNull(format, "format");
    if (width <= 0) {
      throw new IllegalArgumentException(String.format("width: %s (expected: > 0)", width));
    }
    if (height <= 0) {
      throw new IllegalArgumentException(String.format("height: %s (expected: > 0)", height));
    }
  }

  /** {@code width * height}. */
  public long pixels() {
    return (long) width * height;
  }
}
