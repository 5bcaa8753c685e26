package dev.nimbus.server.image;


import static dev.nimbus.server.image.Fixtures.picture;
import static dev.nimbus.server.image.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Hostile input never makes anything but InvalidImageException escape; threads do not interfere. */
class RobustnessTest {

  private static final Map<String, byte[]> SAMPLES = new LinkedHashMap<>();

  static {
    SAMPLES.put("jpeg", write(Fixtures.rgb(64, 48), "jpeg"));
    SAMPLES.put("progressive-jpeg", write(Fixtures.rgb(64, 48), "jpeg", Fixtures.progressive()));
    SAMPLES.put("cmyk-jpeg", Fixtures.withSegmentAfterSoi(
        Fixtures.writeRaster(Fixtures.cmykRaster(32, 24), "jpeg"), Fixtures.adobeSegment(2)));
    SAMPLES.put("png", write(picture(64, 48, BufferedImage.TYPE_INT_ARGB), "png"));
    SAMPLES.put("gif", write(picture(64, 48, BufferedImage.TYPE_BYTE_INDEXED), "gif"));
    SAMPLES.put("bmp", write(picture(64, 48, BufferedImage.TYPE_3BYTE_BGR), "bmp"));
    SAMPLES.put("bmp-rle8", write(picture(64, 48, BufferedImage.TYPE_BYTE_INDEXED), "bmp", Fixtures.compression("BI_RLE8")));
    SAMPLES.put("tiff-lzw", Fixtures.writeWithJdk(Fixtures.rgb(64, 48), "tiff", Fixtures.compression("LZW")));
    SAMPLES.put("tiff-jpeg", Fixtures.writeWithJdk(Fixtures.rgb(64, 48), "tiff", Fixtures.compression("JPEG")));
    SAMPLES.put("webp-lossy", Fixtures.resource("lossy-alpha.webp"));
    SAMPLES.put("webp-lossless", Fixtures.resource("lossless.webp"));
  }

  /**
   * Random damage to every sample: bit flips, random bytes and 0x00/0xFF runs, in the header or
   * anywhere. Small limits keep the decode of a damaged header cheap. The outcome must be an
   * ImageInfo or an InvalidImageException: never ArrayIndexOutOfBounds, NegativeArraySize & co.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"jpeg", "progressive-jpeg", "cmyk-jpeg", "png", "gif", "bmp", "bmp-rle8", "tiff-lzw", "tiff-jpeg", "webp-lossy", "webp-lossless"})
  void damagedFilesOnlyEverYieldInvalidImageException(String sample) {
    ImageInspector inspector = new ImageInspector(new ImageLimits(1 << 20, 4_000_000, 4_000));
    byte[] original = SAMPLES.get(sample);
    Random random = new Random(sample.hashCode());
    for (int i = 0; i < 200; i++) {
      byte[] damaged = original.clone();
      boolean headerOnly = random.nextBoolean();
      for (int edits = 1 + random.nextInt(6); edits > 0; edits--) {
        int at = random.nextInt(headerOnly ? Math.min(120, damaged.length) : damaged.length);
        switch (random.nextInt(3)) {
          case 0 -> damaged[at] ^= (byte) (1 << random.nextInt(8));
          case 1 -> damaged[at] = (byte) random.nextInt(256);
          default -> {
            byte fill = random.nextBoolean() ? (byte) 0xFF : 0;
            for (int j = at; j < Math.min(damaged.length, at + 1 + random.nextInt(8)); j++) {
              damaged[j] = fill;
            }
          }
        }
      }
      try {
        inspector.inspect(damaged);
      } catch (InvalidImageException expected) {
        assertThat(expected.getMessage()).doesNotContain("\n");
      } catch (Throwable t) {
        throw new AssertionError("sample " + sample + ", mutation " + i + " let " + t + " escape", t);
      }
    }
  }

  @Test
  void concurrentInspectionsGiveTheSameAnswersAsSequentialOnes() throws Exception {
    ImageInspector inspector = new ImageInspector();
    List<byte[]> inputs = new ArrayList<>(SAMPLES.values());
    for (byte[] sample : SAMPLES.values()) {
      inputs.add(Fixtures.cut(sample, 0.6));
    }
    inputs.add("not an image".getBytes());
    List<String> expected = new ArrayList<>();
    for (byte[] input : inputs) {
      expected.add(outcome(inspector, input));
    }

    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<String>> results = new ArrayList<>();
      List<Integer> indexes = new ArrayList<>();
      Random random = new Random(3);
      for (int i = 0; i < 400; i++) {
        int index = random.nextInt(inputs.size());
        indexes.add(index);
        Callable<String> task = () -> outcome(inspector, inputs.get(index));
        results.add(pool.submit(task));
      }
      for (int i = 0; i < results.size(); i++) {
        assertThat(results.get(i).get(60, TimeUnit.SECONDS)).isEqualTo(expected.get(indexes.get(i)));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static String outcome(ImageInspector inspector, byte[] input) {
    try {
      return inspector.inspect(input).toString();
    } catch (InvalidImageException e) {
      return e.reason() + ": " + e.getMessage();
    }
  }
}
