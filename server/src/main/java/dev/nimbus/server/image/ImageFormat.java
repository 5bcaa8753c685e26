package dev.nimbus.server.image;

import java.util.Objects;
import java.util.Optional;

/**
 * The image formats Nimbus accepts, recognised by their content (magic bytes), never by a file
 * name or a declared content type.
 */
public enum ImageFormat {
  JPEG("image/jpeg", "JPEG", "jpg"),
  PNG("image/png", "PNG", "png"),
  GIF("image/gif", "GIF", "gif"),
  BMP("image/bmp", "BMP", "bmp"),
  WEBP("image/webp", "WebP", "webp"),
  TIFF("image/tiff", "TIFF", "tiff");

  private static final byte[] PNG_SIGNATURE = {
    (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'
  };

  private final String mimeType;
  private final String displayName;
  private final String extension;

  ImageFormat(String mimeType, String displayName, String extension) {
    this.mimeType = mimeType;
    this.displayName = displayName;
    this.extension = extension;
  }

  /** The usual file name extension, without the dot, e.g. {@code jpg}; for files the server writes (exports). */
  public String extension() {
    return extension;
  }

  /** The media type to store and serve the image with, e.g. {@code image/jpeg}. */
  public String mimeType() {
    return mimeType;
  }
  /** The format of a MIME type this enum produced. */
  public static ImageFormat fromMimeType(String mimeType) {
    for (ImageFormat f : values()) {
      if (f.mimeType().equals(mimeType)) {
        return f;
      }
    }
    throw new IllegalArgumentException("mimeType: " + mimeType + " (expected: one of the supported image types)");
  }


  /** The name people know the format by, e.g. {@code WebP}; used in messages. */
  public String displayName() {
    return displayName;
  }

  /**
   * Recognises the format from the first bytes of the content.
   *
   * <ul>
   *   <li>JPEG: {@code FF D8 FF} (SOI followed by the start of a marker);
   *   <li>PNG: the 8-byte signature {@code 89 50 4E 47 0D 0A 1A 0A};
   *   <li>GIF: {@code GIF87a} or {@code GIF89a};
   *   <li>BMP: {@code BM} and, at offset 14, the size of a DIB header that exists (12, 16, 40, 52,
   *       56, 64, 108 or 124), so that text which happens to start with "BM" is not taken for one;
   *   <li>WebP: {@code RIFF}, four size bytes, {@code WEBP};
   *   <li>TIFF: {@code II*\0} (little-endian) or {@code MM\0*} (big-endian). BigTIFF is not
   *       accepted: it exists for files over 4 GB, far beyond any limit here.
   * </ul>
   *
   * <p>A match says which decoder to try, nothing more: the content may still be corrupt.
   *
   * @return the format, or empty when the content is none of the supported formats
   */
  public static Optional<ImageFormat> sniff(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (startsWith(bytes, 0, 0xFF, 0xD8, 0xFF)) {
      return Optional.of(JPEG);
    }
    if (startsWith(bytes, 0, PNG_SIGNATURE)) {
      return Optional.of(PNG);
    }
    if (startsWith(bytes, 0, 'G', 'I', 'F', '8') && bytes.length >= 6
        && (bytes[4] == '7' || bytes[4] == '9') && bytes[5] == 'a') {
      return Optional.of(GIF);
    }
    if (startsWith(bytes, 0, 'B', 'M') && bytes.length >= 18 && isBmpDibHeaderSize(leInt(bytes, 14))) {
      return Optional.of(BMP);
    }
    if (startsWith(bytes, 0, 'R', 'I', 'F', 'F') && startsWith(bytes, 8, 'W', 'E', 'B', 'P')) {
      return Optional.of(WEBP);
    }
    if (startsWith(bytes, 0, 'I', 'I', 42, 0) || startsWith(bytes, 0, 'M', 'M', 0, 42)) {
      return Optional.of(TIFF);
    }
    return Optional.empty();
  }

  private static boolean isBmpDibHeaderSize(long size) {
    // BITMAPCOREHEADER (12), OS/2 2.x short and full (16, 64), BITMAPINFOHEADER (40),
    // the Adobe V2/V3 variants (52, 56), BITMAPV4HEADER (108), BITMAPV5HEADER (124).
    return size == 12 || size == 16 || size == 40 || size == 52 || size == 56 || size == 64
        || size == 108 || size == 124;
  }

  private static long leInt(byte[] b, int offset) {
    return (b[offset] & 0xFFL)
        | (b[offset + 1] & 0xFFL) << 8
        | (b[offset + 2] & 0xFFL) << 16
        | (b[offset + 3] & 0xFFL) << 24;
  }

  private static boolean startsWith(byte[] bytes, int offset, int... expected) {
    if (bytes.length < offset + expected.length) {
      return false;
    }
    for (int i = 0; i < expected.length; i++) {
      if ((bytes[offset + i] & 0xFF) != expected[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean startsWith(byte[] bytes, int offset, byte[] expected) {
    if (bytes.length < offset + expected.length) {
      return false;
    }
    for (int i = 0; i < expected.length; i++) {
      if (bytes[offset + i] != expected[i]) {
        return false;
      }
    }
    return true;
  }
}
