package dev.nimbus.server.image;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;

/**
 * Validates an image before it is stored: recognises its format from the content, refuses it if
 * it is empty, too large a file, declares too many pixels (checked on the header, before any
 * pixel is decoded) or is truncated or corrupt (its container is checked and its first image is
 * fully decoded).
 *
 * <p>Steps of {@link #inspect}, each cheaper than the next:
 *
 * <ol>
 *   <li>empty → {@code EMPTY}; over {@link ImageLimits#maxBytes()} → {@code TOO_LARGE_FILE};
 *   <li>the format from the magic bytes ({@link ImageFormat#sniff}) → else {@code
 *       UNSUPPORTED_FORMAT};
 *   <li>the size from the header only, with {@link ImageReader#getWidth}/{@link
 *       ImageReader#getHeight}: measured for every format, they read the first 29 (PNG) to ~800
 *       (GIF, with its colour table) bytes of the file and allocate no raster. A size that is not
 *       positive, or over the limits → {@code TOO_MANY_PIXELS}. A GIF's size is its canvas (the
 *       logical screen, grown to hold the first frame), so a 65535x65535 screen around a 1x1
 *       frame is refused;
 *   <li>the container: {@link ContainerCheck} (the end marker is there, every chunk/segment/strip
 *       lies in the file, PNG CRCs match) → else {@code CORRUPT};
 *   <li>a full decode of the first image, subsampled so the decoded raster has at most {@value
 *       #DECODE_TARGET_PIXELS} pixels: every byte of the compressed data is still decoded (that
 *       is what proves it intact), but memory does not grow with the image's size. (A
 *       progressive JPEG has all its scans entropy-decoded, where libjpeg finds errors, but only
 *       its first {@value #PROGRESSIVE_JPEG_ROWS} rows output: ten times faster.) A decoder
 *       exception → {@code CORRUPT}; so does a decoder warning that reports lost data (see {@link
 *       #isDataLossWarning}).
 * </ol>
 *
 * <p><b>Memory.</b> With subsampling, the JDK PNG, GIF and JPEG readers and the TwelveMonkeys
 * BMP and TIFF readers decode a 144-megapixel image with about 1–20 MB of Java heap. Two
 * exceptions: a progressive JPEG needs a native (non-heap) coefficient buffer of about 3–8 bytes
 * per pixel for the whole image (libjpeg), and the TwelveMonkeys 3.12 WebP reader decodes at full
 * size whatever the subsampling (lossy: about 22 bytes of heap per pixel at peak, 2–3 s for 16
 * megapixels). WebP images are therefore held to at most {@value #WEBP_MAX_PIXELS} pixels.
 *
 * <p><b>Threads.</b> Immutable and thread-safe: each call uses its own reader and stream, and
 * disposes of the reader. Decoding is not interruptible; bound the work by bounding the number of
 * threads that call {@code inspect}.
 */
public final class ImageInspector {

  /**
   * The most pixels accepted for a WebP image, whatever {@link ImageLimits#maxPixels()} says,
   * because the TwelveMonkeys WebP reader cannot decode a WebP in less memory than its full size.
   * 16 megapixels (4000x4000, a 12-megapixel phone photo fits) take about 350 MB of heap at peak.
   */
  public static final long WEBP_MAX_PIXELS = 16_000_000L;

  /** The decoded raster is subsampled down to at most this many pixels. */
  static final long DECODE_TARGET_PIXELS = 2_000_000L;

  /** The rows output for a progressive JPEG, all of whose scans are decoded regardless. */
  static final int PROGRESSIVE_JPEG_ROWS = 16;

  /**
   * Decoder warnings that mean pixels were made up because data was missing or bad. Matched as
   * prefixes. All come from libjpeg, which only warns on these and fills the rest of the image
   * (for standalone JPEGs and for JPEG-compressed TIFF strips and tiles), and from the JDK JPEG
   * reader, which warns when the stream has no EOI and feeds libjpeg a fake one.
   */
  private static final List<String> DATA_LOSS_WARNINGS = List.of(
      "Premature end of JPEG file", // libjpeg JWRN_JPEG_EOF
      "Corrupt JPEG data: premature end of data segment", // JWRN_HIT_MARKER: scan cut short
      "Corrupt JPEG data: bad Huffman code", // JWRN_HUFF_BAD_CODE
      "Corrupt JPEG data: found marker", // JWRN_MUST_RESYNC: wrong restart marker
      "Inconsistent progression sequence", // JWRN_BOGUS_PROGRESSION
      "Truncated File - Missing EOI marker"); // JDK JPEGImageReader WARNING_NO_EOI

  /**
   * libjpeg's JWRN_EXTRANEOUS_DATA when the marker it skipped to is a restart marker (RST0-7):
   * it was looking for the end of a restart interval and threw away entropy-coded data, so the
   * MCUs of that interval are lost. Before any other marker the bytes lie between segments, or
   * after the last MCU of a scan, and no pixel depends on them.
   */
  private static final Pattern BYTES_SKIPPED_TO_RESTART_MARKER =
      Pattern.compile("Corrupt JPEG data: \\d+ extraneous bytes before marker 0xd[0-7]");

  private final ImageLimits limits;

  public ImageInspector(ImageLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
    Readers.ensureAvailable();
  }

  /** An inspector with the {@linkplain ImageLimits#DEFAULT default limits}. */
  public ImageInspector() {
    this(ImageLimits.DEFAULT);
  }

  public ImageLimits limits() {
    return limits;
  }

  /**
   * Validates an image.
   *
   * @param bytes the whole file; not modified
   * @return the format and the size of an image that passed every check
   * @throws InvalidImageException if the image is refused; its message says why, in one line
   */
  public ImageInfo inspect(byte[] bytes) throws InvalidImageException {
    return examine(bytes, true);
  }

  /**
   * The cheap part of {@link #inspect}: size, format and the dimensions the header declares, within the limits,
   * without decoding. For callers that decode the image right after anyway (Predict), where a corrupt body shows
   * up as a decoding error.
   */
  public ImageInfo header(byte[] bytes) throws InvalidImageException {
    return examine(bytes, false);
  }

  private ImageInfo examine(byte[] bytes, boolean fully) throws InvalidImageException {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length == 0) {
      throw Messages.empty();
    }
    if (bytes.length > limits.maxBytes()) {
      throw Messages.tooLargeFile(bytes.length, limits.maxBytes());
    }
    ImageFormat format = ImageFormat.sniff(bytes).orElseThrow(() -> Messages.unsupported(bytes));

    ImageReader reader = Readers.create(format);
    try (ByteArrayImageInputStream input = new ByteArrayImageInputStream(bytes)) {
      List<String> warnings = new ArrayList<>();
      reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
      reader.setInput(input, true, true);

      // 1. The size, from the header only.
      int width;
      int height;
      try {
        width = reader.getWidth(0);
        height = reader.getHeight(0);
      } catch (OutOfMemoryError e) {
        throw e;
      } catch (Throwable t) {
        // A header the reader cannot parse: say what is wrong with the container, if anything.
        ContainerCheck.check(format, bytes);
        throw Messages.corrupt(format, Messages.describe(t), t);
      }
      long declaredWidth = width;
      long declaredHeight = height;
      if (format == ImageFormat.GIF) {
        ContainerCheck.GifCanvas canvas = ContainerCheck.gifCanvas(bytes);
        if (canvas != null) {
          declaredWidth = Math.max(declaredWidth, canvas.width());
          declaredHeight = Math.max(declaredHeight, canvas.height());
        }
      }
      checkSize(format, declaredWidth, declaredHeight);
      if (!fully) {
        return new ImageInfo(format, (int) declaredWidth, (int) declaredHeight);
      }

      // 2. The container.
      ContainerCheck.check(format, bytes);

      // 3. Every byte of the first image, decoded into a small raster.
      decode(format, bytes, reader, width, height, warnings);
      return new ImageInfo(format, (int) declaredWidth, (int) declaredHeight);
    } catch (InvalidImageException | OutOfMemoryError e) {
      throw e;
    } catch (Throwable t) {
      // Hostile input makes decoders throw anything: IIOException, EOFException,
      // ArrayIndexOutOfBounds, NegativeArraySize, IllegalArgument, IllegalState, even Errors.
      throw Messages.corrupt(format, Messages.describe(t), t);
    } finally {
      reader.dispose();
    }
  }

  private void checkSize(ImageFormat format, long width, long height) throws InvalidImageException {
    if (width <= 0 || height <= 0) {
      throw Messages.invalidSize(width, height);
    }
    long maxPixels = limits.maxPixels();
    ImageFormat formatSpecificLimit = null;
    if (format == ImageFormat.WEBP && WEBP_MAX_PIXELS < maxPixels) {
      maxPixels = WEBP_MAX_PIXELS;
      formatSpecificLimit = format;
    }
    if (width * height > maxPixels || width > limits.maxSide() || height > limits.maxSide()) {
      throw Messages.tooManyPixels(width, height, maxPixels, limits.maxSide(), formatSpecificLimit);
    }
  }

  private static void decode(
      ImageFormat format, byte[] bytes, ImageReader reader, int width, int height, List<String> warnings)
      throws Exception {
    ImageReadParam param = reader.getDefaultReadParam();
    if (format == ImageFormat.JPEG && ContainerCheck.isProgressiveJpeg(bytes)) {
      // For a progressive JPEG the JDK reader outputs the whole image once per scan (to serve
      // progress listeners): ten scans, ten full IDCT passes, 10x the time of a baseline JPEG.
      // Validation does not need them: libjpeg finds every error it can find while entropy-decoding,
      // and in this (buffered-image) mode it entropy-decodes every scan in full before moving to
      // the next, whatever part of the image is output. So output only the first rows. Measured
      // on 20 damaged progressive files: the same warnings as a full decode, at 1/10th of the time.
      param.setSourceRegion(new Rectangle(0, 0, width, Math.min(height, PROGRESSIVE_JPEG_ROWS)));
    } else {
      int step = subsampling(width, height);
      if (step > 1) {
        param.setSourceSubsampling(step, step, 0, 0);
      }
    }
    BufferedImage image = reader.read(0, param);
    if (image == null) {
      throw Messages.corrupt(format, "the decoder returned no image");
    }
    for (String warning : warnings) {
      if (isDataLossWarning(warning)) {
        throw Messages.corrupt(format, warning);
      }
    }
  }

  /**
   * The rule for decoder warnings: a warning is fatal when it says the decoder had to make up
   * pixels because data was missing or invalid: a scan cut short, a bad Huffman code, a wrong or
   * missing restart marker (including data skipped to find one), the end of the file. Every other
   * warning is informational and accepted, above all "Corrupt JPEG data: N extraneous bytes before
   * marker 0xNN" for any marker but RSTn — bytes between two segments or after a scan's last MCU,
   * which many cameras and editors write and on which no pixel depends — and also an unknown JFIF
   * revision, or TwelveMonkeys notes about ICC profiles or TIFF JPEG tables.
   *
   * <p>Blind spot, measured: libjpeg reports only the first warning of a decoding pass (the JDK
   * does not raise its trace level), so an accepted warning hides a later one in the same pass.
   * Truncation is caught anyway by {@link ContainerCheck}; what remains is a JPEG with stray bytes
   * between two progressive scans and damaged entropy data in a later scan.
   */
  static boolean isDataLossWarning(String warning) {
    return warning != null
        && (DATA_LOSS_WARNINGS.stream().anyMatch(warning::startsWith)
            || BYTES_SKIPPED_TO_RESTART_MARKER.matcher(warning).lookingAt());
  }

  /**
   * The smallest subsampling step {@code s} (the same for x and y) for which the decoded raster,
   * {@code ceil(width / s) x ceil(height / s)}, has at most {@link #DECODE_TARGET_PIXELS} pixels.
   */
  static int subsampling(long width, long height) {
    if (width * height <= DECODE_TARGET_PIXELS) {
      return 1;
    }
    int step = (int) Math.ceil(Math.sqrt((double) width * height / DECODE_TARGET_PIXELS));
    while (ceilDiv(width, step) * ceilDiv(height, step) > DECODE_TARGET_PIXELS) {
      step++;
    }
    return step;
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
