package dev.nimbus.server.image;

import static dev.nimbus.server.image.Fixtures.picture;
import static dev.nimbus.server.image.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.management.ThreadMXBean;
import dev.nimbus.server.image.InvalidImageException.Reason;
import java.awt.image.BufferedImage;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import javax.imageio.ImageReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Headers that declare huge images are refused from the header alone: quickly, and without the
 * memory a raster of that size would take.
 */
class DecompressionBombTest {

  private static final ThreadMXBean THREADS =
      (ThreadMXBean) ManagementFactory.getThreadMXBean();

  private final ImageInspector inspector = new ImageInspector();

  @BeforeAll
  static void warmUp() throws Exception {
    // Load the readers' classes, so that the measurements below see only the inspection.
    ImageInspector warm = new ImageInspector();
    for (byte[] image : new byte[][] {
        write(Fixtures.rgb(20, 10), "png"), write(Fixtures.rgb(20, 10), "jpeg"),
        write(picture(20, 10, BufferedImage.TYPE_BYTE_INDEXED), "gif"), write(Fixtures.rgb(20, 10), "bmp"),
        Fixtures.craftedGrayTiff(8, 4, 32), Fixtures.resource("lossy.webp"), bombPng()}) {
      try {
        warm.inspect(image);
      } catch (InvalidImageException ignored) {
        // the bomb
      }
    }
  }

  /** A valid PNG header (correct CRCs) declaring 100000x100000 RGB, i.e. a 30 GB raster. */
  private static byte[] bombPng() {
    return Fixtures.craftedRgbPng(100_000, 100_000, 10);
  }

  /** Inspects, and checks the refusal took little time and allocated little memory. */
  private InvalidImageException refuseCheaply(byte[] bytes) {
    Runtime runtime = Runtime.getRuntime();
    long heapBefore = runtime.totalMemory() - runtime.freeMemory();
    long allocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
    long start = System.nanoTime();

    InvalidImageException e = catchThrowableOfType(InvalidImageException.class, () -> inspector.inspect(bytes));

    long millis = (System.nanoTime() - start) / 1_000_000;
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - allocatedBefore;
    long heapGrowth = runtime.totalMemory() - runtime.freeMemory() - heapBefore;
    assertThat(e).isNotNull();
    assertThat(millis).as("milliseconds to refuse").isLessThan(1_000);
    assertThat(allocated).as("bytes allocated while refusing").isLessThan(8L << 20);
    assertThat(heapGrowth).as("growth of the used heap").isLessThan(64L << 20);
    return e;
  }

  @Test
  void pngDeclaring100000x100000() {
    InvalidImageException e = refuseCheaply(bombPng());
    assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_PIXELS);
    assertThat(e).hasMessage(
        "the header says 100000x100000 pixels (10000 megapixels); the limit is 150 megapixels and 30000 pixels a side");
  }

  @Test
  void jpegWhoseSofDeclares65000x65000() {
    byte[] jpeg = write(Fixtures.rgb(64, 48), "jpeg");
    int sof = Fixtures.indexOf(jpeg, 0xFF, 0xC0);
    Fixtures.putBeShort(jpeg, sof + 5, 65_000); // height
    Fixtures.putBeShort(jpeg, sof + 7, 65_000); // width

    InvalidImageException e = refuseCheaply(jpeg);
    assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_PIXELS);
    assertThat(e).hasMessage(
        "the header says 65000x65000 pixels (4225 megapixels); the limit is 150 megapixels and 30000 pixels a side");
  }

  @Test
  void gifWhoseLogicalScreenIs65535x65535AroundATinyFrame() {
    byte[] gif = write(picture(2, 2, BufferedImage.TYPE_BYTE_INDEXED), "gif");
    Fixtures.putLeShort(gif, 6, 65_535);
    Fixtures.putLeShort(gif, 8, 65_535);

    InvalidImageException e = refuseCheaply(gif);
    assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_PIXELS);
    assertThat(e.getMessage()).startsWith("the header says 65535x65535 pixels (4295 megapixels)");
  }

  @Test
  void gifWhoseFirstFrameSitsFarOutsideTheScreen() {
    byte[] gif = write(picture(2, 20, BufferedImage.TYPE_BYTE_INDEXED), "gif");
    int descriptor = Fixtures.indexOf(gif, 0x2C, 0, 0, 0, 0);
    Fixtures.putLeShort(gif, descriptor + 1, 40_000); // left

    InvalidImageException e = refuseCheaply(gif);
    assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_PIXELS);
    assertThat(e).hasMessage(
        "the header says 40002x20 pixels (0.8 megapixels); the limit is 150 megapixels and 30000 pixels a side");
  }

  @Test
  void bmpHeaderDeclaring100000x100000() {
    byte[] bmp = write(Fixtures.rgb(64, 48), "bmp");
    Fixtures.putLeInt(bmp, 18, 100_000);
    Fixtures.putLeInt(bmp, 22, 100_000);

    InvalidImageException e = refuseCheaply(Arrays.copyOf(bmp, 200));
    assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_PIXELS);
    assertThat(e.getMessage()).startsWith("the header says 100000x100000 pixels (10000 megapixels)");
  }

  @Test
  void tiffDeclaring100000x100000() {
    InvalidImageException e = refuseCheaply(Fixtures.craftedGrayTiff(100_000, 100_000, 32));
    assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_PIXELS);
    assertThat(e.getMessage()).startsWith("the header says 100000x100000 pixels (10000 megapixels)");
  }

  @Test
  void webpCanvasOverTheWebpLimit() {
    byte[] webp = Fixtures.resource("lossy-alpha.webp"); // VP8X: 24-bit canvas width-1, height-1
    assertThat(new String(webp, 12, 4)).isEqualTo("VP8X");
    putLe24(webp, 24, 5_000 - 1);
    putLe24(webp, 27, 5_000 - 1);

    InvalidImageException e = refuseCheaply(webp);
    assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_PIXELS);
    assertThat(e).hasMessage(
        "the header says 5000x5000 pixels (25 megapixels); the limit for WebP images is 16 megapixels and 30000 pixels a side");
  }

  @Test
  void webpLosslessDeclaring16384x16384() {
    byte[] webp = Fixtures.resource("lossless.webp"); // VP8L: 14-bit width-1, 14-bit height-1
    assertThat(new String(webp, 12, 4)).isEqualTo("VP8L");
    long bits = (webp[21] & 0xFFL) | (webp[22] & 0xFFL) << 8 | (webp[23] & 0xFFL) << 16 | (webp[24] & 0xFFL) << 24;
    bits = (bits & ~0x0FFF_FFFFL) | 16_383L | 16_383L << 14;
    Fixtures.putLeInt(webp, 21, (int) bits);

    InvalidImageException e = refuseCheaply(webp);
    assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_PIXELS);
    assertThat(e.getMessage()).startsWith("the header says 16384x16384 pixels (268.4 megapixels)");
  }

  @Test
  void aSideLongerThanTheLimit_evenWithFewPixels() {
    InvalidImageException e = refuseCheaply(Fixtures.craftedRgbPng(40_000, 10, 10));
    assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_PIXELS);
    assertThat(e).hasMessage(
        "the header says 40000x10 pixels (0.4 megapixels); the limit is 150 megapixels and 30000 pixels a side");
  }

  @Test
  void aZeroSize() {
    byte[] bmp = write(Fixtures.rgb(64, 48), "bmp");
    Fixtures.putLeInt(bmp, 18, 0);

    InvalidImageException e = refuseCheaply(bmp);
    assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_PIXELS);
    assertThat(e).hasMessage("the header says 0x48 pixels, which is not a valid image size");
  }

  @Test
  void configurableLimits_areInclusive() throws Exception {
    ImageInspector small = new ImageInspector(new ImageLimits(1 << 20, 1_000_000, 1_000));
    assertThat(small.inspect(Fixtures.craftedRgbPng(1_000, 1_000, 1_000)))
        .isEqualTo(new ImageInfo(ImageFormat.PNG, 1_000, 1_000));

    InvalidImageException e = catchThrowableOfType(
        InvalidImageException.class, () -> small.inspect(Fixtures.craftedRgbPng(1_001, 999, 999)));
    assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_PIXELS);
    assertThat(e).hasMessage(
        "the header says 1001x999 pixels (1 megapixels); the limit is 1 megapixels and 1000 pixels a side");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"JPEG", "PNG", "GIF", "BMP", "TIFF"})
  void readingTheSizeTouchesOnlyTheHeader(String formatName) throws Exception {
    ImageFormat format = ImageFormat.valueOf(formatName);
    BufferedImage picture = picture(640, 480, format == ImageFormat.GIF ? BufferedImage.TYPE_BYTE_INDEXED : BufferedImage.TYPE_INT_RGB);
    byte[] bytes = format == ImageFormat.TIFF
        ? Fixtures.writeWithJdk(picture, "tiff", param -> {})
        : write(picture, format.name().toLowerCase());
    assertThat(bytes.length).as("a file much larger than its header").isGreaterThan(15_000);

    assertThat(bytesReadForSize(format, bytes)).as("bytes read of %s", bytes.length).isLessThan(1_024);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"lossy.webp", "lossless.webp", "lossy-alpha.webp", "lossless-alpha.webp"})
  void readingTheSizeTouchesOnlyTheHeader_webp(String name) throws Exception {
    byte[] bytes = Fixtures.resource(name);
    assertThat(bytesReadForSize(ImageFormat.WEBP, bytes)).as("bytes read of %s", bytes.length).isLessThanOrEqualTo(40);
  }

  private static long bytesReadForSize(ImageFormat format, byte[] bytes) throws Exception {
    ImageReader reader = Readers.create(format);
    try (ByteArrayImageInputStream in = new ByteArrayImageInputStream(bytes)) {
      reader.setInput(in, true, true);
      assertThat(reader.getWidth(0)).isPositive();
      assertThat(reader.getHeight(0)).isPositive();
      return in.highWaterMark();
    } finally {
      reader.dispose();
    }
  }

  private static void putLe24(byte[] bytes, int offset, int value) {
    bytes[offset] = (byte) value;
    bytes[offset + 1] = (byte) (value >> 8);
    bytes[offset + 2] = (byte) (value >> 16);
  }
}
