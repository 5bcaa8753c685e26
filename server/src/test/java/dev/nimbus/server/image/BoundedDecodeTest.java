package dev.nimbus.server.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.Random;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The full decode of a large legal image stays within a small, fixed amount of memory. */
class BoundedDecodeTest {

  private static final ThreadMXBean THREADS =
      (ThreadMXBean) ManagementFactory.getThreadMXBean();

  @Test
  void a100MegapixelPngIsDecodedInFullWithoutItsRaster() throws Exception {
    // 10000x10000 RGB: 300 MB as a decoded raster. Every row is inflated and unfiltered, but the
    // decoder only keeps every 8th pixel of every 8th row.
    byte[] png = Fixtures.craftedRgbPng(10_000, 10_000, 10_000);
    ImageInspector inspector = new ImageInspector();
    inspector.inspect(Fixtures.write(Fixtures.rgb(20, 10), "png")); // load classes first

    long before = THREADS.getCurrentThreadAllocatedBytes();
    ImageInfo info = inspector.inspect(png);
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;

    assertThat(info).isEqualTo(new ImageInfo(ImageFormat.PNG, 10_000, 10_000));
    assertThat(allocated).as("bytes allocated to decode a 300 MB image").isLessThan(48L << 20);
  }

  @Test
  void aTruncated100MegapixelPngIsStillCaught() {
    byte[] png = Fixtures.craftedRgbPng(10_000, 10_000, 9_990); // ten rows short, CRCs correct
    assertThat(ContainerCheck.png(png)).isNull();

    assertThat(Assertions.catchThrowableOfType(
            InvalidImageException.class, () -> new ImageInspector().inspect(png)))
        .extracting(InvalidImageException::reason)
        .isEqualTo(InvalidImageException.Reason.CORRUPT);
  }

  @ParameterizedTest(name = "{0}x{1} -> every {2}")
  @CsvSource({
    "1, 1, 1",
    "1414, 1414, 1", // 1999396 pixels
    "2000, 1001, 2",
    "12000, 12000, 9", // 1334x1334
    "12247, 12247, 9", // 1361x1361, the largest square under 150 megapixels
    "30000, 5000, 9", // 3334x556
    "30000, 1, 1",
    "100000, 100000, 71"
  })
  void subsamplingStep(long width, long height, int step) {
    assertThat(ImageInspector.subsampling(width, height)).isEqualTo(step);
  }

  @Test
  void subsamplingKeepsTheRasterUnderTheTargetAndIsTheSmallestStepThatDoes() {
    Random random = new Random(1);
    for (int i = 0; i < 10_000; i++) {
      long width = 1 + random.nextInt(30_000);
      long height = 1 + random.nextInt(30_000);
      int step = ImageInspector.subsampling(width, height);
      assertThat(decoded(width, height, step)).isLessThanOrEqualTo(ImageInspector.DECODE_TARGET_PIXELS);
      if (step > 1) {
        assertThat(decoded(width, height, step - 1)).isGreaterThan(ImageInspector.DECODE_TARGET_PIXELS);
      }
    }
  }

  private static long decoded(long width, long height, int step) {
    return ((width + step - 1) / step) * ((height + step - 1) / step);
  }
}
