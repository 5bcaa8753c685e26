package dev.nimbus.server.image;

import static dev.nimbus.server.image.Fixtures.cut;
import static dev.nimbus.server.image.Fixtures.indexOf;
import static dev.nimbus.server.image.Fixtures.picture;
import static dev.nimbus.server.image.Fixtures.progressive;
import static dev.nimbus.server.image.Fixtures.rgb;
import static dev.nimbus.server.image.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.nimbus.server.image.InvalidImageException.Reason;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Files that must be refused, each with the right reason and a message a person can act on. */
class ImageInspectorRejectTest {

  private final ImageInspector inspector = new ImageInspector();

  private InvalidImageException refusal(byte[] bytes) {
    InvalidImageException e = catchThrowableOfType(InvalidImageException.class, () -> inspector.inspect(bytes));
    assertThat(e).as("refused").isNotNull();
    assertThat(e.getMessage()).as("one line").doesNotContain("\n").doesNotContain("\r");
    return e;
  }

  @Nested
  class BeforeLookingAtTheContent {

    @Test
    void empty() {
      InvalidImageException e = refusal(new byte[0]);
      assertThat(e.reason()).isEqualTo(Reason.EMPTY);
      assertThat(e).hasMessage("the file is empty");
    }

    @Test
    void over30MB() {
      byte[] bytes = new byte[31 * 1024 * 1024];
      bytes[0] = (byte) 0xFF;
      bytes[1] = (byte) 0xD8;
      bytes[2] = (byte) 0xFF;
      InvalidImageException e = refusal(bytes);
      assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE_FILE);
      assertThat(e).hasMessage("the file is 31 MB; the limit is 30 MB");
    }

    @Test
    void over30MB_withADecimal() {
      InvalidImageException e = refusal(new byte[(int) (31.5 * 1024 * 1024)]);
      assertThat(e).hasMessage("the file is 31.5 MB; the limit is 30 MB");
    }

    @Test
    void oneByteOverTheLimit_saysSoInBytes() {
      InvalidImageException e = refusal(new byte[30 * 1024 * 1024 + 1]);
      assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE_FILE);
      assertThat(e).hasMessage("the file is 31457281 bytes; the limit is 31457280 bytes (30 MB)");
    }

    @Test
    void exactlyAtTheLimit_isNotTooLarge() {
      byte[] bytes = new byte[30 * 1024 * 1024];
      assertThat(refusal(bytes).reason()).isEqualTo(Reason.UNSUPPORTED_FORMAT);
    }
  }

  @Nested
  class UnsupportedFormat {

    @Test
    void textFile_whateverItIsNamed() {
      InvalidImageException e = refusal("hello world, this could be called photo.jpg".getBytes(StandardCharsets.US_ASCII));
      assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_FORMAT);
      assertThat(e).hasMessage(
          "not a supported image (JPEG, PNG, GIF, BMP, WebP, TIFF): the content starts with \"hello wo\"");
    }

    @Test
    void randomGarbage_isShownInHex() {
      byte[] garbage = new byte[4096];
      new Random(42).nextBytes(garbage);
      garbage[0] = 0x00;
      InvalidImageException e = refusal(garbage);
      assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_FORMAT);
      assertThat(e.getMessage()).matches(
          "not a supported image \\(JPEG, PNG, GIF, BMP, WebP, TIFF\\): the content starts with the bytes 00( [0-9a-f]{2}){7}");
    }

    @Test
    void htmlErrorPage_getsAHint() {
      InvalidImageException e = refusal("<!DOCTYPE html><html><body>404 Not Found</body></html>".getBytes(StandardCharsets.US_ASCII));
      assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_FORMAT);
      assertThat(e.getMessage()).endsWith("starts with \"<!DOCTYP\" (it looks like an HTML page, not an image: check the URL)");
    }

    @Test
    void heic_getsAHint() {
      byte[] heic = {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c', 0, 0, 0, 0};
      assertThat(refusal(heic).getMessage()).contains("HEIC/HEIF, which is not supported");
    }

    @Test
    void textStartingWithBM_isNotTakenForABitmap() {
      InvalidImageException e = refusal("BMW 320d, blue, 2019".getBytes(StandardCharsets.US_ASCII));
      assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_FORMAT);
    }

    @Test
    void jpegNamedAsSuch_butOnlyTwoMagicBytes() {
      assertThat(refusal(new byte[] {(byte) 0xFF, (byte) 0xD8}).reason()).isEqualTo(Reason.UNSUPPORTED_FORMAT);
    }
  }

  @Nested
  class Truncated {

    private void assertCorrupt(byte[] bytes, String formatName) {
      InvalidImageException e = refusal(bytes);
      assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.CORRUPT);
      assertThat(e.getMessage()).startsWith("the image data is truncated or corrupt (" + formatName + ": ");
    }

    @ParameterizedTest(name = "cut at {0}")
    @ValueSource(doubles = {0.2, 0.6, 0.95})
    void jpeg(double fraction) {
      byte[] jpeg = write(rgb(320, 240), "jpeg");
      assertCorrupt(cut(jpeg, fraction), "JPEG");
    }

    @Test
    void jpeg_theJdkDecoderAloneWouldOnlyWarn() throws Exception {
      byte[] truncated = cut(write(rgb(320, 240), "jpeg"), 0.6);
      assertThat(TestReaders.warnings(ImageFormat.JPEG, truncated))
          .containsExactly("Truncated File - Missing EOI marker", "Corrupt JPEG data: premature end of data segment");

      assertThat(refusal(truncated)).hasMessage(
          "the image data is truncated or corrupt (JPEG: the file ends inside the image data of scan 1, before the end-of-image marker)");
    }

    @Test
    void progressiveJpeg() {
      assertCorrupt(cut(write(rgb(320, 240), "jpeg", progressive()), 0.6), "JPEG");
    }

    @Test
    void jpegMissingOnlyItsEndOfImageMarker() {
      byte[] jpeg = write(rgb(320, 240), "jpeg");
      assertThat(refusal(Arrays.copyOf(jpeg, jpeg.length - 2))).hasMessage(
          "the image data is truncated or corrupt (JPEG: the file ends inside the image data of scan 1, before the end-of-image marker)");
    }

    @Test
    void jpegWithTheBenignWarningFirst_andThenTruncated() {
      byte[] clean = write(rgb(320, 240), "jpeg");
      byte[] jpeg = Fixtures.insert(clean, indexOf(clean, 0xFF, 0xDA), new byte[] {1, 2, 3});
      assertCorrupt(cut(jpeg, 0.6), "JPEG");
    }

    @Test
    void png() {
      byte[] png = write(rgb(320, 240), "png");
      assertThat(refusal(cut(png, 0.6)).getMessage()).matches(
          "the image data is truncated or corrupt \\(PNG: the file ends inside the IDAT chunk at offset \\d+\\)");
    }

    @Test
    void pngMissingOnlyIend() {
      byte[] png = write(rgb(320, 240), "png");
      assertThat(refusal(Arrays.copyOf(png, png.length - 12))).hasMessage(
          "the image data is truncated or corrupt (PNG: the file ends before the IEND chunk)");
    }

    @Test
    void gif() {
      assertCorrupt(cut(write(picture(320, 240, BufferedImage.TYPE_BYTE_INDEXED), "gif"), 0.6), "GIF");
    }

    @Test
    void animatedGif_cutInALaterFrame() {
      byte[] gif = Fixtures.animatedGif(List.of(
          picture(120, 80, BufferedImage.TYPE_BYTE_INDEXED), picture(120, 80, BufferedImage.TYPE_BYTE_INDEXED)));
      assertThat(refusal(cut(gif, 0.8))).hasMessage(
          "the image data is truncated or corrupt (GIF: the file ends before the GIF trailer)");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lossy.webp", "lossless.webp", "lossy-alpha.webp", "lossless-alpha.webp", "animated.webp"})
    void webp(String name) {
      assertCorrupt(cut(Fixtures.resource(name), 0.6), "WebP");
    }

    @Test
    void webpLossless_theDecoderAloneWouldAcceptIt() throws Exception {
      // Cut at 254 of 426 bytes, the TwelveMonkeys 3.12.0 VP8L decoder reads zeros past the end
      // and decodes without a word (as it does for about one cut in ten of this file).
      byte[] truncated = Arrays.copyOf(Fixtures.resource("lossless.webp"), 254);
      assertThat(TestReaders.warnings(ImageFormat.WEBP, truncated)).isEmpty();

      assertThat(refusal(truncated).getMessage()).isEqualTo(
          "the image data is truncated or corrupt (WebP: the RIFF header declares 426 bytes but the file has 254)");
    }

    @ParameterizedTest(name = "cut at {0}")
    @ValueSource(doubles = {0.6, 0.999})
    void bmp(double fraction) {
      byte[] bmp = write(picture(320, 240, BufferedImage.TYPE_3BYTE_BGR), "bmp");
      assertThat(refusal(cut(bmp, fraction))).hasMessage(
          "the image data is truncated or corrupt (BMP: unexpected end of data)");
    }

    @Test
    void bmpRle() {
      byte[] bmp = write(picture(320, 240, BufferedImage.TYPE_BYTE_INDEXED), "bmp", Fixtures.compression("BI_RLE8"));
      assertCorrupt(cut(bmp, 0.6), "BMP");
    }

    @Test
    void tiff() {
      byte[] tiff = Fixtures.writeWithJdk(rgb(320, 240), "tiff", Fixtures.compression("LZW"));
      assertThat(refusal(cut(tiff, 0.6)).getMessage()).matches(
          "the image data is truncated or corrupt \\(TIFF: strip \\d+ of \\d+ \\(offset \\d+, \\d+ bytes\\) ends past the end of the file \\(\\d+ bytes\\)\\)");
    }

    @Test
    void tiffCcitt_theDecoderAloneWouldAcceptIt() throws Exception {
      byte[] tiff = Fixtures.writeWithJdk(
          picture(320, 240, BufferedImage.TYPE_BYTE_BINARY), "tiff", Fixtures.compression("CCITT T.6"));
      byte[] truncated = cut(tiff, 0.6);
      assertThat(TestReaders.warnings(ImageFormat.TIFF, truncated)).isEmpty(); // decodes without a word

      assertCorrupt(truncated, "TIFF");
    }

    @Test
    void tiffWithItsDirectoryAtTheEnd() {
      byte[] tiff = write(rgb(320, 240), "tiff", Fixtures.compression("LZW")); // by TwelveMonkeys
      long ifd = ByteBuffer.wrap(tiff).order(tiff[0] == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN).getInt(4);
      assertThat(ifd).as("the IFD comes after the image data").isGreaterThan(tiff.length / 2);
      assertThat(refusal(cut(tiff, 0.6)).getMessage()).matches(
          "the image data is truncated or corrupt \\(TIFF: the first directory \\(IFD\\) is at offset \\d+, outside the file of \\d+ bytes\\)");
    }
  }

  @Nested
  class Corrupt {

    @Test
    void pngWithABadIdatCrc() throws Exception {
      byte[] png = write(rgb(320, 240), "png");
      int idat = Fixtures.pngChunkOffset(png, "IDAT");
      png[idat + 8 + Fixtures.pngChunkLength(png, idat)] ^= 0x01; // the CRC's first byte
      assertThat(TestReaders.warnings(ImageFormat.PNG, png)).isEmpty(); // the JDK reader never checks

      assertThat(refusal(png)).hasMessage(
          "the image data is truncated or corrupt (PNG: CRC mismatch in the IDAT chunk at offset " + idat + ")");
    }

    @Test
    void pngWithCorruptDeflateData_andACorrectCrc() {
      byte[] png = write(rgb(320, 240), "png");
      int idat = Fixtures.pngChunkOffset(png, "IDAT");
      for (int i = idat + 8 + 100; i < idat + 8 + 140; i++) {
        png[i] ^= 0x5A;
      }
      Fixtures.fixPngCrc(png, idat);
      assertThat(ContainerCheck.png(png)).as("the container is intact").isNull();

      InvalidImageException e = refusal(png);
      assertThat(e.reason()).isEqualTo(Reason.CORRUPT);
      assertThat(e.getMessage()).startsWith("the image data is truncated or corrupt (PNG: Error reading PNG image data");
    }

    @Test
    void jpegWithImageDataMissingInTheMiddle_theEndOfImageMarkerIntact() throws Exception {
      byte[] jpeg = write(rgb(320, 240), "jpeg");
      int sos = indexOf(jpeg, 0xFF, 0xDA);
      int from = sos + 200;
      int to = from + (jpeg.length - from) / 2;
      byte[] damaged = Fixtures.concat(Arrays.copyOf(jpeg, from), Arrays.copyOfRange(jpeg, to, jpeg.length));
      assertThat(ContainerCheck.jpeg(damaged)).as("the container is intact").isNull();

      InvalidImageException e = refusal(damaged);
      assertThat(e.reason()).isEqualTo(Reason.CORRUPT);
      assertThat(e.getMessage()).startsWith("the image data is truncated or corrupt (JPEG: Corrupt JPEG data: ");
    }

    /**
     * Progressive JPEGs are decoded with only their first rows output (all scans are still
     * entropy-decoded): damage in the last scan, far below those rows, is still found.
     */
    @Test
    void progressiveJpegWithDataMissingInItsLastScan_theEndOfImageMarkerIntact() throws Exception {
      byte[] jpeg = write(rgb(640, 480), "jpeg", progressive());
      int lastScan = jpeg.length;
      for (int at = indexOf(jpeg, 0xFF, 0xDA); at >= 0; at = Fixtures.indexOfFrom(jpeg, at + 2, 0xFF, 0xDA)) {
        lastScan = at;
      }
      int from = lastScan + 30;
      int to = from + (jpeg.length - 2 - from) / 2;
      byte[] damaged = Fixtures.concat(Arrays.copyOf(jpeg, from), Arrays.copyOfRange(jpeg, to, jpeg.length));
      assertThat(ContainerCheck.jpeg(damaged)).as("the container is intact").isNull();

      InvalidImageException e = refusal(damaged);
      assertThat(e.reason()).isEqualTo(Reason.CORRUPT);
      assertThat(e.getMessage()).startsWith("the image data is truncated or corrupt (JPEG: Corrupt JPEG data: ");
    }

    @Test
    void jpegWithARestartMarkerMissing() throws Exception {
      byte[] jpeg = Fixtures.jpegWithRestartInterval(rgb(320, 240), 4);
      int rst0 = indexOf(jpeg, 0xFF, 0xD0);
      byte[] damaged = Fixtures.concat(Arrays.copyOf(jpeg, rst0), Arrays.copyOfRange(jpeg, rst0 + 2, jpeg.length));
      assertThat(ContainerCheck.jpeg(damaged)).as("the container is intact").isNull();
      // libjpeg skips the next interval's data to find RST0, finds RST1 and resynchronises: that
      // interval's pixels are made up. It reports the skip, and (first warning only) nothing else.
      assertThat(TestReaders.warnings(ImageFormat.JPEG, damaged))
          .containsExactly("Corrupt JPEG data: 54 extraneous bytes before marker 0xd1");

      assertThat(refusal(damaged)).hasMessage(
          "the image data is truncated or corrupt (JPEG: Corrupt JPEG data: 54 extraneous bytes before marker 0xd1)");
    }

    @Test
    void truncatedJpegWithRestartMarkers() {
      assertThat(refusal(cut(Fixtures.jpegWithRestartInterval(rgb(320, 240), 4), 0.6)).reason())
          .isEqualTo(Reason.CORRUPT);
    }

    @Test
    void jpegWithTooManyScans() {
      byte[] jpeg = write(picture(16, 16, BufferedImage.TYPE_BYTE_GRAY), "jpeg");
      int sos = indexOf(jpeg, 0xFF, 0xDA);
      byte[] scan = Arrays.copyOfRange(jpeg, sos, jpeg.length - 2);
      byte[][] parts = new byte[1 + ContainerCheck.MAX_JPEG_SCANS + 1 + 1][]; // 501 scans
      parts[0] = Arrays.copyOf(jpeg, sos);
      Arrays.fill(parts, 1, parts.length - 1, scan);
      parts[parts.length - 1] = new byte[] {(byte) 0xFF, (byte) 0xD9};
      assertThat(refusal(Fixtures.concat(parts))).hasMessage(
          "the image data is truncated or corrupt (JPEG: more than 500 scans)");
    }

    @Test
    void gifWithGarbageWhereTheFirstBlockShouldBe() {
      byte[] gif = write(picture(30, 20, BufferedImage.TYPE_BYTE_INDEXED), "gif");
      int firstBlock = 13 + 3 * (1 << ((gif[10] & 7) + 1));
      gif[firstBlock] = 0x77;
      InvalidImageException e = refusal(gif);
      assertThat(e.reason()).isEqualTo(Reason.CORRUPT);
    }

    @Test
    void pngWithoutImageData_decoderMessageIsPassedOn() {
      byte[] png = Fixtures.concat(Fixtures.PNG_SIGNATURE,
          Fixtures.pngChunk("IHDR", Fixtures.ihdr(10, 10, 8, 2)), Fixtures.pngChunk("IEND", new byte[0]));
      InvalidImageException e = refusal(png);
      assertThat(e.reason()).isEqualTo(Reason.CORRUPT);
      assertThat(e.getMessage()).startsWith("the image data is truncated or corrupt (PNG: ");
    }
  }
}
