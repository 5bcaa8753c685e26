package dev.nimbus.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DecodingTest {

  private static Decoding rgb64;

  @BeforeAll
  static void open() {
    rgb64 = new Decoding(64, 48, 3, 8, 2);
  }

  @AfterAll
  static void close() {
    rgb64.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"png", "bmp", "gif"})
  void decode_losslessFormatAtModelSize_givesImageIoPixelsExactly(String format) {
    byte[] encoded = TestImages.encode(TestImages.gradient(48, 64, 1), format);
    BufferedImage reference = TestImages.decodeWithImageIo(encoded); // for GIF: after palette quantisation

    ImageBatch batch = rgb64.decode(List.of(encoded));

    assertThat(maxDifference(batch, 0, reference)).isZero();
  }

  @Test
  void decode_jpeg_isWithinAFewLevelsOfImageIo() {
    byte[] jpeg = TestImages.encode(TestImages.gradient(48, 64, 2), "jpg");

    ImageBatch batch = rgb64.decode(List.of(jpeg));

    assertThat(maxDifference(batch, 0, TestImages.decodeWithImageIo(jpeg))).isLessThanOrEqualTo(4);
  }

  @Test
  void decode_largerImage_isResizedToTheModelSize() {
    BufferedImage flat = new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 480; y++) {
      for (int x = 0; x < 640; x++) {
        flat.setRGB(x, y, (10 << 16) | (120 << 8) | 250);
      }
    }

    ImageBatch batch = rgb64.decode(List.of(TestImages.encode(flat, "png")));

    assertThat(batch.count()).isEqualTo(1);
    assertThat(batch.height()).isEqualTo(64);
    assertThat(batch.width()).isEqualTo(48);
    assertThat(batch.pixel(0, 63, 47, 0)).isEqualTo(10);
    assertThat(batch.pixel(0, 0, 0, 1)).isEqualTo(120);
    assertThat(batch.pixel(0, 31, 20, 2)).isEqualTo(250);
  }

  @Test
  void decode_oneChannel_convertsColourToLuma() {
    BufferedImage image = TestImages.gradient(16, 16, 3);
    try (Decoding gray = new Decoding(16, 16, 1)) {
      ImageBatch batch = gray.decode(List.of(TestImages.encode(image, "png")));

      int rgb = image.getRGB(5, 7);
      double luma = 0.2989 * (rgb >> 16 & 0xFF) + 0.5870 * (rgb >> 8 & 0xFF) + 0.1140 * (rgb & 0xFF);
      assertThat(batch.channels()).isEqualTo(1);
      assertThat((double) batch.pixel(0, 7, 5, 0)).isCloseTo(luma, Offset.offset(0.51));
    }
  }

  @Test
  void decode_moreImagesThanOneRun_keepsTheirOrder() {
    List<byte[]> encoded = new ArrayList<>();
    for (int i = 0; i < 21; i++) {
      BufferedImage image = new BufferedImage(48, 64, BufferedImage.TYPE_INT_RGB);
      image.setRGB(0, 0, i * 10 << 16);
      encoded.add(TestImages.encode(image, "png"));
    }

    ImageBatch batch = rgb64.decode(encoded); // 8 per run: 3 runs

    for (int i = 0; i < 21; i++) {
      assertThat(batch.pixel(i, 0, 0, 0)).as("image %s", i).isEqualTo(i * 10);
    }
  }

  @Test
  void decode_corruptImageInTheMiddle_namesItsIndex() {
    byte[] good = TestImages.encode(TestImages.gradient(48, 64, 4), "png");
    byte[] truncated = Arrays.copyOf(TestImages.encode(TestImages.gradient(48, 64, 5), "jpg"), 100);

    assertThatThrownBy(() -> rgb64.decode(List.of(good, good, truncated, good)))
        .isInstanceOf(ImageDecodeException.class)
        .satisfies(e -> assertThat(((ImageDecodeException) e).index()).isEqualTo(2))
        .hasMessageStartingWith("image 2: ");
  }

  @Test
  void decode_webp_isNotSupportedByTensorFlow() {
    // A WebP header: TF's DecodeImage does not know the format, the caller must transcode first.
    byte[] webp = "RIFF\u0024\0\0\0WEBPVP8L\u0018\0\0\0/\0\0\0\u0010\u0007\u0010\u0011\u0011\u0088\u0088\u00fe\u0007\0"
        .getBytes(StandardCharsets.ISO_8859_1);

    assertThatThrownBy(() -> rgb64.decode(List.of(webp)))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining("image 0");
  }

  @Test
  void decode_fromTwoThreads_givesTheSameResults() throws Exception {
    List<byte[]> encoded = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      encoded.add(TestImages.encode(TestImages.gradient(100, 80, i), "jpg"));
    }
    byte[] expected = rgb64.decode(encoded).pixels();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<ImageBatch>> results = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        results.add(pool.submit(() -> rgb64.decode(encoded)));
      }
      for (Future<ImageBatch> result : results) {
        assertThat(result.get().pixels()).isEqualTo(expected);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static int maxDifference(ImageBatch batch, int index, BufferedImage reference) {
    int max = 0;
    for (int y = 0; y < batch.height(); y++) {
      for (int x = 0; x < batch.width(); x++) {
        int rgb = reference.getRGB(x, y);
        int[] expected = {rgb >> 16 & 0xFF, rgb >> 8 & 0xFF, rgb & 0xFF};
        for (int c = 0; c < 3; c++) {
          max = Math.max(max, Math.abs(batch.pixel(index, y, x, c) - expected[c]));
        }
      }
    }
    return max;
  }
}
