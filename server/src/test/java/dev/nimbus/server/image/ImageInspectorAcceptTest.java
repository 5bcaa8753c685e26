package dev.nimbus.server.image;

import static dev.nimbus.server.image.Fixtures.compression;
import static dev.nimbus.server.image.Fixtures.indexOf;
import static dev.nimbus.server.image.Fixtures.picture;
import static dev.nimbus.server.image.Fixtures.progressive;
import static dev.nimbus.server.image.Fixtures.rgb;
import static dev.nimbus.server.image.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.DirectColorModel;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Images that must be accepted, one kind per test. */
class ImageInspectorAcceptTest {

  private final ImageInspector inspector = new ImageInspector();

  private ImageInfo inspect(byte[] bytes) throws InvalidImageException {
    return inspector.inspect(bytes);
  }

  @Nested
  class Jpeg {

    @Test
    void baseline() throws Exception {
      byte[] jpeg = write(rgb(320, 240), "jpeg");
      assertThat(indexOf(jpeg, 0xFF, 0xC0)).as("SOF0: baseline").isPositive();

      assertThat(inspect(jpeg)).isEqualTo(new ImageInfo(ImageFormat.JPEG, 320, 240));
    }

    @Test
    void progressive_() throws Exception {
      byte[] jpeg = write(rgb(320, 240), "jpeg", progressive());
      assertThat(indexOf(jpeg, 0xFF, 0xC2)).as("SOF2: progressive").isPositive();
      assertThat(ContainerCheck.isProgressiveJpeg(jpeg)).isTrue();
      assertThat(ContainerCheck.isProgressiveJpeg(write(rgb(32, 24), "jpeg"))).isFalse();

      assertThat(inspect(jpeg)).isEqualTo(new ImageInfo(ImageFormat.JPEG, 320, 240));
    }

    @Test
    void grayscale() throws Exception {
      byte[] jpeg = write(picture(200, 100, BufferedImage.TYPE_BYTE_GRAY), "jpeg");
      int sof = indexOf(jpeg, 0xFF, 0xC0);
      assertThat(jpeg[sof + 9]).as("one component").isEqualTo((byte) 1);

      assertThat(inspect(jpeg)).isEqualTo(new ImageInfo(ImageFormat.JPEG, 200, 100));
    }

    @ParameterizedTest(name = "Adobe transform {0}")
    @ValueSource(ints = {0, 2}) // 0: CMYK, 2: YCCK
    void cmykAndYcck(int adobeTransform) throws Exception {
      byte[] fourChannels = Fixtures.writeRaster(Fixtures.cmykRaster(64, 48), "jpeg");
      byte[] jpeg = Fixtures.withSegmentAfterSoi(fourChannels, Fixtures.adobeSegment(adobeTransform));
      int sof = indexOf(jpeg, 0xFF, 0xC0);
      assertThat(jpeg[sof + 9]).as("four components").isEqualTo((byte) 4);

      // TwelveMonkeys converts it, with a warning about the missing ICC profile: not a reason to refuse.
      assertThat(inspect(jpeg)).isEqualTo(new ImageInfo(ImageFormat.JPEG, 64, 48));
    }

    @Test
    void progressiveYcck() throws Exception {
      byte[] fourChannels = Fixtures.writeRaster(Fixtures.cmykRaster(64, 48), "jpeg", progressive());
      byte[] jpeg = Fixtures.withSegmentAfterSoi(fourChannels, Fixtures.adobeSegment(2));
      assertThat(ContainerCheck.isProgressiveJpeg(jpeg)).isTrue();

      assertThat(inspect(jpeg)).isEqualTo(new ImageInfo(ImageFormat.JPEG, 64, 48));
    }

    @Test
    void withExifSegmentHoldingAThumbnail() throws Exception {
      byte[] thumbnail = write(rgb(16, 12), "jpeg");
      byte[] jpeg = Fixtures.withSegmentAfterSoi(write(rgb(320, 240), "jpeg"), Fixtures.exifSegment(thumbnail));
      assertThat(indexOf(jpeg, 'E', 'x', 'i', 'f', 0, 0)).isEqualTo(6);
      assertThat(indexOf(jpeg, 0xFF, 0xD9)).as("the thumbnail's EOI comes first").isLessThan(jpeg.length - 2);

      assertThat(inspect(jpeg)).isEqualTo(new ImageInfo(ImageFormat.JPEG, 320, 240));
    }

    @Test
    void withExtraneousBytesBeforeAMarker_theBenignWarningManyCamerasTrigger() throws Exception {
      byte[] clean = write(rgb(320, 240), "jpeg");
      byte[] jpeg = Fixtures.insert(clean, indexOf(clean, 0xFF, 0xDA), new byte[] {1, 2, 3});
      assertThat(TestReaders.warnings(ImageFormat.JPEG, jpeg))
          .containsExactly("Corrupt JPEG data: 3 extraneous bytes before marker 0xda");

      assertThat(inspect(jpeg)).isEqualTo(new ImageInfo(ImageFormat.JPEG, 320, 240));
    }

    @Test
    void withDataAfterTheEndOfImage() throws Exception {
      // Phones append a video ("motion photo") or a second image (MPO) after EOI.
      byte[] jpeg = Fixtures.concat(write(rgb(320, 240), "jpeg"), "....ftypmp42 and a video".getBytes());

      assertThat(inspect(jpeg)).isEqualTo(new ImageInfo(ImageFormat.JPEG, 320, 240));
    }

    @Test
    void withRestartMarkers() throws Exception {
      byte[] jpeg = Fixtures.jpegWithRestartInterval(rgb(320, 240), 4);
      assertThat(indexOf(jpeg, 0xFF, 0xDD)).as("DRI segment").isPositive();
      assertThat(indexOf(jpeg, 0xFF, 0xD0)).as("RST0 in the scan").isPositive();

      assertThat(inspect(jpeg)).isEqualTo(new ImageInfo(ImageFormat.JPEG, 320, 240));
    }
  }

  @Nested
  class Png {

    private void assertIhdr(byte[] png, int bitDepth, int colorType, int interlace) {
      assertThat(png[24]).as("bit depth").isEqualTo((byte) bitDepth);
      assertThat(png[25]).as("colour type").isEqualTo((byte) colorType);
      assertThat(png[28]).as("interlace method").isEqualTo((byte) interlace);
    }

    @Test
    void rgb8() throws Exception {
      byte[] png = write(rgb(300, 200), "png");
      assertIhdr(png, 8, 2, 0);
      assertThat(inspect(png)).isEqualTo(new ImageInfo(ImageFormat.PNG, 300, 200));
    }

    @Test
    void rgba8() throws Exception {
      byte[] png = write(picture(300, 200, BufferedImage.TYPE_INT_ARGB), "png");
      assertIhdr(png, 8, 6, 0);
      assertThat(inspect(png)).isEqualTo(new ImageInfo(ImageFormat.PNG, 300, 200));
    }

    @Test
    void grayscale8() throws Exception {
      byte[] png = write(picture(300, 200, BufferedImage.TYPE_BYTE_GRAY), "png");
      assertIhdr(png, 8, 0, 0);
      assertThat(inspect(png)).isEqualTo(new ImageInfo(ImageFormat.PNG, 300, 200));
    }

    @Test
    void palette() throws Exception {
      byte[] png = write(picture(300, 200, BufferedImage.TYPE_BYTE_INDEXED), "png");
      assertIhdr(png, 8, 3, 0);
      assertThat(inspect(png)).isEqualTo(new ImageInfo(ImageFormat.PNG, 300, 200));
    }

    @Test
    void grayscale16() throws Exception {
      byte[] png = write(picture(300, 200, BufferedImage.TYPE_USHORT_GRAY), "png");
      assertIhdr(png, 16, 0, 0);
      assertThat(inspect(png)).isEqualTo(new ImageInfo(ImageFormat.PNG, 300, 200));
    }

    @Test
    void rgb16() throws Exception {
      BufferedImage image = ImageTypeSpecifier.createInterleaved(
              ColorSpace.getInstance(ColorSpace.CS_sRGB), new int[] {0, 1, 2}, DataBuffer.TYPE_USHORT, false, false)
          .createBufferedImage(300, 200);
      image.createGraphics().drawImage(rgb(300, 200), 0, 0, null);
      byte[] png = write(image, "png");
      assertIhdr(png, 16, 2, 0);
      assertThat(inspect(png)).isEqualTo(new ImageInfo(ImageFormat.PNG, 300, 200));
    }

    @Test
    void interlacedAdam7() throws Exception {
      byte[] png = write(picture(300, 200, BufferedImage.TYPE_INT_ARGB), "png", progressive());
      assertIhdr(png, 8, 6, 1);
      assertThat(inspect(png)).isEqualTo(new ImageInfo(ImageFormat.PNG, 300, 200));
    }

    @Test
    void withABadCrcInAnAncillaryChunk_asLibpngTolerates() throws Exception {
      byte[] text = Fixtures.pngChunk("tEXt", "Comment\0made by a buggy tool".getBytes());
      text[text.length - 1] ^= 0x55;
      byte[] clean = write(rgb(300, 200), "png");
      byte[] png = Fixtures.insert(clean, 8 + 25, text); // right after IHDR

      assertThat(inspect(png)).isEqualTo(new ImageInfo(ImageFormat.PNG, 300, 200));
    }

    @Test
    void craftedByHand_soThatTheBombTestsCraftAValidFile() throws Exception {
      assertThat(inspect(Fixtures.craftedRgbPng(40, 30, 30))).isEqualTo(new ImageInfo(ImageFormat.PNG, 40, 30));
    }
  }

  @Nested
  class Gif {

    @Test
    void static_() throws Exception {
      byte[] gif = write(picture(300, 200, BufferedImage.TYPE_BYTE_INDEXED), "gif");
      assertThat(inspect(gif)).isEqualTo(new ImageInfo(ImageFormat.GIF, 300, 200));
    }

    @Test
    void interlaced() throws Exception {
      byte[] gif = write(picture(300, 200, BufferedImage.TYPE_BYTE_INDEXED), "gif", progressive());
      int descriptor = indexOf(gif, 0x2C, 0, 0, 0, 0);
      assertThat(gif[descriptor + 9] & 0x40).as("interlace flag").isNotZero();
      assertThat(inspect(gif)).isEqualTo(new ImageInfo(ImageFormat.GIF, 300, 200));
    }

    @Test
    void animated_firstFrameDecoded() throws Exception {
      List<BufferedImage> frames = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        frames.add(picture(120, 80, BufferedImage.TYPE_BYTE_INDEXED));
      }
      byte[] gif = Fixtures.animatedGif(frames);
      ImageReader reader = Readers.create(ImageFormat.GIF);
      try {
        reader.setInput(ImageIO.createImageInputStream(new ByteArrayInputStream(gif)));
        assertThat(reader.getNumImages(true)).isEqualTo(3);
      } finally {
        reader.dispose();
      }

      assertThat(inspect(gif)).isEqualTo(new ImageInfo(ImageFormat.GIF, 120, 80));
    }

    @Test
    void withStrayBytesInsteadOfTheTrailer_asBrowsersAccept() throws Exception {
      byte[] gif = write(picture(30, 20, BufferedImage.TYPE_BYTE_INDEXED), "gif");
      gif[gif.length - 1] = 0x00; // the trailer 0x3B overwritten

      assertThat(inspect(gif)).isEqualTo(new ImageInfo(ImageFormat.GIF, 30, 20));
    }
  }

  @Nested
  class Bmp {

    @Test
    void bits24() throws Exception {
      byte[] bmp = write(picture(301, 200, BufferedImage.TYPE_3BYTE_BGR), "bmp");
      assertThat(bmp[28]).as("bits per pixel").isEqualTo((byte) 24);
      assertThat(inspect(bmp)).isEqualTo(new ImageInfo(ImageFormat.BMP, 301, 200));
    }

    @Test
    void bits32Bitfields() throws Exception {
      DirectColorModel model = new DirectColorModel(32, 0x00FF0000, 0x0000FF00, 0x000000FF, 0);
      BufferedImage image = new BufferedImage(model, model.createCompatibleWritableRaster(300, 200), false, null);
      image.createGraphics().drawImage(rgb(300, 200), 0, 0, null);
      byte[] bmp = write(image, "bmp", compression("BI_BITFIELDS"));
      assertThat(bmp[28]).as("bits per pixel").isEqualTo((byte) 32);
      assertThat(bmp[30]).as("compression: BI_BITFIELDS").isEqualTo((byte) 3);
      assertThat(inspect(bmp)).isEqualTo(new ImageInfo(ImageFormat.BMP, 300, 200));
    }

    @Test
    void bits32WithAlpha() throws Exception {
      byte[] bmp = Fixtures.writeWithTwelveMonkeys(picture(300, 200, BufferedImage.TYPE_4BYTE_ABGR), "bmp");
      assertThat(bmp[28]).as("bits per pixel").isEqualTo((byte) 32);
      assertThat(bmp[30]).as("compression: BI_RGB").isEqualTo((byte) 0);
      assertThat(inspect(bmp)).isEqualTo(new ImageInfo(ImageFormat.BMP, 300, 200));
    }

    @Test
    void bits8Palette() throws Exception {
      byte[] bmp = write(picture(300, 200, BufferedImage.TYPE_BYTE_INDEXED), "bmp");
      assertThat(bmp[28]).as("bits per pixel").isEqualTo((byte) 8);
      assertThat(inspect(bmp)).isEqualTo(new ImageInfo(ImageFormat.BMP, 300, 200));
    }

    @Test
    void bits8Rle() throws Exception {
      byte[] bmp = write(picture(300, 200, BufferedImage.TYPE_BYTE_INDEXED), "bmp", compression("BI_RLE8"));
      assertThat(bmp[30]).as("compression: BI_RLE8").isEqualTo((byte) 1);
      assertThat(inspect(bmp)).isEqualTo(new ImageInfo(ImageFormat.BMP, 300, 200));
    }
  }

  @Nested
  class Tiff {

    @Test
    void uncompressed() throws Exception {
      byte[] tiff = Fixtures.writeWithJdk(rgb(300, 200), "tiff", param -> {});
      assertThat(inspect(tiff)).isEqualTo(new ImageInfo(ImageFormat.TIFF, 300, 200));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"LZW", "Deflate", "PackBits", "JPEG"})
    void compressed(String compressionType) throws Exception {
      byte[] tiff = Fixtures.writeWithJdk(rgb(300, 200), "tiff", compression(compressionType));
      assertThat(inspect(tiff)).isEqualTo(new ImageInfo(ImageFormat.TIFF, 300, 200));
    }

    @Test
    void bilevelCcittT6() throws Exception {
      byte[] tiff = Fixtures.writeWithJdk(picture(300, 200, BufferedImage.TYPE_BYTE_BINARY), "tiff", compression("CCITT T.6"));
      assertThat(inspect(tiff)).isEqualTo(new ImageInfo(ImageFormat.TIFF, 300, 200));
    }

    @Test
    void writtenByTwelveMonkeys_directoryAfterTheData() throws Exception {
      byte[] tiff = write(rgb(300, 200), "tiff");
      assertThat(inspect(tiff)).isEqualTo(new ImageInfo(ImageFormat.TIFF, 300, 200));
    }

    @Test
    void craftedByHand_soThatTheBombTestCraftsAValidFile() throws Exception {
      assertThat(inspect(Fixtures.craftedGrayTiff(8, 4, 32))).isEqualTo(new ImageInfo(ImageFormat.TIFF, 8, 4));
    }
  }

  @Nested
  class WebP {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lossy.webp", "lossless.webp", "lossy-alpha.webp", "lossless-alpha.webp", "animated.webp"})
    void fixture(String name) throws Exception {
      assertThat(inspect(Fixtures.resource(name))).isEqualTo(new ImageInfo(ImageFormat.WEBP, 64, 48));
    }
  }
}
