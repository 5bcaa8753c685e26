package dev.nimbus.server.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;

/**
 * The ImageIO reader used for each format, chosen once, explicitly.
 *
 * <p>Which reader handles a format matters: with subsampling, the JDK's own BMP and TIFF readers
 * skip the rows they do not need and so accept a file cut in half; the TwelveMonkeys ones read
 * every row and throw. The JDK JPEG reader cannot read CMYK/YCCK JPEGs; the TwelveMonkeys one (a
 * wrapper around it) can. So: TwelveMonkeys for JPEG, BMP, TIFF and WebP, the JDK for PNG and GIF
 * (TwelveMonkeys has no reader for those two). A missing plugin is a deployment error, reported
 * when the first {@link ImageInspector} is built, never a silent fall-back to a laxer reader.
 */
final class Readers {

  private static final Map<ImageFormat, ImageReaderSpi> PROVIDERS;

  static {
    // Registers the TwelveMonkeys plugins even when ImageIO was first used from a class loader
    // that could not see them (application servers, some test runners).
    ImageIO.scanForPlugins();
    // Readers here read from memory; never let ImageIO spill to temporary files.
    ImageIO.setUseCache(false);
    Map<ImageFormat, ImageReaderSpi> providers = new EnumMap<>(ImageFormat.class);
    for (ImageFormat format : ImageFormat.values()) {
      providers.put(format, find(format));
    }
    PROVIDERS = providers;
  }

  private Readers() {}

  /** Forces the class to load, so that a missing plugin fails fast. */
  static void ensureAvailable() {}

  /** A new reader for the format; the caller must {@link ImageReader#dispose()} it. */
  static ImageReader create(ImageFormat format) {
    try {
      return PROVIDERS.get(format).createReaderInstance();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The class name of the reader provider chosen for the format. */
  static String providerName(ImageFormat format) {
    return PROVIDERS.get(format).getClass().getName();
  }

  private static ImageReaderSpi find(ImageFormat format) {
    String formatName = format.name().toLowerCase(Locale.ROOT);
    String vendorPackage = switch (format) {
      case PNG, GIF -> "com.sun.imageio.plugins.";
      case JPEG, BMP, TIFF, WEBP -> "com.twelvemonkeys.imageio.plugins.";
    };
    Iterator<ImageReaderSpi> candidates = IIORegistry.getDefaultInstance().getServiceProviders(
        ImageReaderSpi.class,
        spi -> Arrays.stream(((ImageReaderSpi) spi).getFormatNames()).anyMatch(formatName::equalsIgnoreCase),
        true);
    while (candidates.hasNext()) {
      ImageReaderSpi spi = candidates.next();
      if (spi.getClass().getName().startsWith(vendorPackage)) {
        return spi;
      }
    }
    throw new IllegalStateException(String.format(
        "no %s reader from %s* on the class path%s", format.displayName(), vendorPackage,
        vendorPackage.startsWith("com.twelvemonkeys")
            ? " (add com.twelvemonkeys.imageio:imageio-" + formatName + ")"
            : ""));
  }
}
