package dev.nimbus.server.image;

import dev.nimbus.server.image.InvalidImageException.Reason;
import java.io.EOFException;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Builds the one-line messages of {@link InvalidImageException}. */
final class Messages {

  private static final int PREVIEW_BYTES = 8;
  private static final int MAX_DETAIL_CHARS = 300;

  private Messages() {}

  static InvalidImageException empty() {
    return new InvalidImageException(Reason.EMPTY, "the file is empty");
  }

  static InvalidImageException tooLargeFile(long size, long limit) {
    String sizeText = formatBytes(size);
    String limitText = formatBytes(limit);
    if (sizeText.equals(limitText)) {
      // Just over the limit: rounding would print the same number twice.
      sizeText = size + " bytes";
      limitText = limit + " bytes (" + limitText + ")";
    }
    return new InvalidImageException(
        Reason.TOO_LARGE_FILE, "the file is " + sizeText + "; the limit is " + limitText);
  }

  static InvalidImageException unsupported(byte[] bytes) {
    StringBuilder message = new StringBuilder(
        "not a supported image (JPEG, PNG, GIF, BMP, WebP, TIFF): the content starts with ");
    message.append(preview(bytes));
    String hint = hint(bytes);
    if (hint != null) {
      message.append(" (").append(hint).append(')');
    }
    return new InvalidImageException(Reason.UNSUPPORTED_FORMAT, message.toString());
  }

  static InvalidImageException invalidSize(long width, long height) {
    return new InvalidImageException(
        Reason.TOO_MANY_PIXELS,
        "the header says " + width + "x" + height + " pixels, which is not a valid image size");
  }

  static InvalidImageException tooManyPixels(
      long width, long height, long maxPixels, int maxSide, ImageFormat formatSpecificLimit) {
    String scope = formatSpecificLimit == null
        ? "the limit is "
        : "the limit for " + formatSpecificLimit.displayName() + " images is ";
    return new InvalidImageException(
        Reason.TOO_MANY_PIXELS,
        "the header says " + width + "x" + height + " pixels ("
            + megapixels(width * height) + " megapixels); " + scope
            + megapixels(maxPixels) + " megapixels and " + maxSide + " pixels a side");
  }

  static InvalidImageException corrupt(ImageFormat format, String detail) {
    return corrupt(format, detail, null);
  }

  static InvalidImageException corrupt(ImageFormat format, String detail, Throwable cause) {
    return new InvalidImageException(
        Reason.CORRUPT,
        "the image data is truncated or corrupt (" + format.displayName() + ": "
            + oneLine(detail) + ")",
        cause);
  }

  /**
   * What a decoder said, as one line: the messages down the cause chain, an exception's type
   * where its message alone would not say what went wrong (runtime exceptions, missing messages).
   */
  static String describe(Throwable thrown) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    for (Throwable t = thrown; t != null && depth < 5; t = t.getCause(), depth++) {
      String message = t.getMessage();
      String part;
      if (message == null || message.isBlank()) {
        part = t instanceof EOFException ? "unexpected end of data" : t.getClass().getSimpleName();
      } else if (t instanceof IOException) {
        part = message.strip();
      } else {
        part = t.getClass().getSimpleName() + ": " + message.strip();
      }
      if (parts.stream().noneMatch(p -> p.contains(part))) {
        parts.add(part);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return String.join(": ", parts);
  }

  /** "31.5 MB", "512 KB", "17 bytes"; MB and KB are binary (1024-based), as in the limits. */
  static String formatBytes(long bytes) {
    if (bytes < 1024) {
      return bytes + (bytes == 1 ? " byte" : " bytes");
    }
    if (bytes < 1024L * 1024) {
      return oneDecimal(bytes / 1024.0) + " KB";
    }
    return oneDecimal(bytes / (1024.0 * 1024)) + " MB";
  }

  /** Megapixels with up to four significant digits: "10000", "152.4", "0.04". */
  static String megapixels(long pixels) {
    return BigDecimal.valueOf(pixels, 6)
        .round(new MathContext(4))
        .stripTrailingZeros()
        .toPlainString();
  }

  private static String oneDecimal(double value) {
    String text = String.format(Locale.ROOT, "%.1f", value);
    return text.endsWith(".0") ? text.substring(0, text.length() - 2) : text;
  }

  /** The first bytes, quoted when they are printable ASCII, otherwise in hex. */
  static String preview(byte[] bytes) {
    int n = Math.min(PREVIEW_BYTES, bytes.length);
    boolean printable = true;
    for (int i = 0; i < n && printable; i++) {
      int b = bytes[i] & 0xFF;
      printable = (b >= 0x20 && b < 0x7F) || b == '\t' || b == '\n' || b == '\r';
    }
    StringBuilder out = new StringBuilder();
    if (printable) {
      out.append('"');
      for (int i = 0; i < n; i++) {
        char c = (char) bytes[i];
        switch (c) {
          case '"' -> out.append("\\\"");
          case '\\' -> out.append("\\\\");
          case '\t' -> out.append("\\t");
          case '\n' -> out.append("\\n");
          case '\r' -> out.append("\\r");
          default -> out.append(c);
        }
      }
      return out.append('"').toString();
    }
    out.append("the bytes");
    for (int i = 0; i < n; i++) {
      out.append(' ').append(String.format(Locale.ROOT, "%02x", bytes[i] & 0xFF));
    }
    return out.toString();
  }

  /** A guess at what the content is, for the formats people most often feed us by mistake. */
  private static String hint(byte[] bytes) {
    if (bytes.length >= 12 && bytes[4] == 'f' && bytes[5] == 't' && bytes[6] == 'y' && bytes[7] == 'p') {
      String brand = new String(bytes, 8, 4, StandardCharsets.ISO_8859_1);
      if (brand.equals("avif") || brand.equals("avis")) {
        return "it looks like AVIF, which is not supported; convert it to JPEG or PNG";
      }
      if (brand.startsWith("hei") || brand.startsWith("hev") || brand.equals("mif1")
          || brand.equals("msf1")) {
        return "it looks like HEIC/HEIF, which is not supported; convert it to JPEG or PNG";
      }
      return null;
    }
    String head = new String(bytes, 0, Math.min(bytes.length, 256), StandardCharsets.ISO_8859_1)
        .stripLeading()
        .toLowerCase(Locale.ROOT);
    if (head.startsWith("<!doctype html") || head.startsWith("<html")) {
      return "it looks like an HTML page, not an image: check the URL";
    }
    if (head.startsWith("<svg") || (head.startsWith("<?xml") && head.contains("<svg"))) {
      return "it looks like SVG, which is not supported";
    }
    if (head.startsWith("%pdf-")) {
      return "it looks like a PDF";
    }
    return null;
  }

  /** One line of printable ASCII: decoders quote raw bytes from the file in their messages. */
  private static String oneLine(String text) {
    StringBuilder printable = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      printable.append(Character.isWhitespace(c) ? ' ' : c >= 0x20 && c < 0x7F ? c : '?');
    }
    String line = printable.toString().replaceAll(" +", " ").strip();
    return line.length() <= MAX_DETAIL_CHARS ? line : line.substring(0, MAX_DETAIL_CHARS - 3) + "...";
  }
}
