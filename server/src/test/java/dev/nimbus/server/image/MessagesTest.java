package dev.nimbus.server.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.util.zip.ZipException;
import javax.imageio.IIOException;
import org.junit.jupiter.api.Test;

class MessagesTest {

  @Test
  void bytes() {
    assertThat(Messages.formatBytes(1)).isEqualTo("1 byte");
    assertThat(Messages.formatBytes(1000)).isEqualTo("1000 bytes");
    assertThat(Messages.formatBytes(1536)).isEqualTo("1.5 KB");
    assertThat(Messages.formatBytes(30L * 1024 * 1024)).isEqualTo("30 MB");
    assertThat(Messages.formatBytes((long) (31.5 * 1024 * 1024))).isEqualTo("31.5 MB");
    assertThat(Messages.formatBytes(2L * 1024 * 1024 * 1024)).isEqualTo("2048 MB");
  }

  @Test
  void megapixels() {
    assertThat(Messages.megapixels(10_000_000_000L)).isEqualTo("10000");
    assertThat(Messages.megapixels(150_000_000L)).isEqualTo("150");
    assertThat(Messages.megapixels(152_415_756L)).isEqualTo("152.4");
    assertThat(Messages.megapixels(40_000L)).isEqualTo("0.04");
    assertThat(Messages.megapixels(4_294_836_225L)).isEqualTo("4295");
  }

  @Test
  void preview() {
    assertThat(Messages.preview("hello world".getBytes())).isEqualTo("\"hello wo\"");
    assertThat(Messages.preview("a\"b\\c\nd".getBytes())).isEqualTo("\"a\\\"b\\\\c\\nd\"");
    assertThat(Messages.preview("abc".getBytes())).isEqualTo("\"abc\"");
    assertThat(Messages.preview(new byte[] {0x4D, 0x5A, (byte) 0x90, 0, 3})).isEqualTo("the bytes 4d 5a 90 00 03");
  }

  @Test
  void describeWalksTheCauses() {
    IIOException e = new IIOException("Error reading PNG image data", new ZipException("invalid stored block lengths"));
    assertThat(Messages.describe(e)).isEqualTo("Error reading PNG image data: invalid stored block lengths");
    assertThat(Messages.describe(new EOFException())).isEqualTo("unexpected end of data");
    assertThat(Messages.describe(new IIOException("I/O error reading image!", new EOFException())))
        .isEqualTo("I/O error reading image!: unexpected end of data");
    assertThat(Messages.describe(new ArrayIndexOutOfBoundsException("Coordinate out of bounds!")))
        .isEqualTo("ArrayIndexOutOfBoundsException: Coordinate out of bounds!");
    assertThat(Messages.describe(new NegativeArraySizeException())).isEqualTo("NegativeArraySizeException");
  }

  @Test
  void corruptMessagesAreOnePrintableLine() {
    InvalidImageException e = Messages.corrupt(ImageFormat.WEBP, "Unknown WebP chunk: 'VP\u0000\u00ff'\nsecond line");
    assertThat(e).hasMessage("the image data is truncated or corrupt (WebP: Unknown WebP chunk: 'VP??' second line)");
  }

  @Test
  void dataLossWarnings() {
    assertThat(ImageInspector.isDataLossWarning("Premature end of JPEG file")).isTrue();
    assertThat(ImageInspector.isDataLossWarning("Corrupt JPEG data: premature end of data segment")).isTrue();
    assertThat(ImageInspector.isDataLossWarning("Corrupt JPEG data: bad Huffman code")).isTrue();
    assertThat(ImageInspector.isDataLossWarning("Corrupt JPEG data: found marker 0xd9 instead of RST3")).isTrue();
    assertThat(ImageInspector.isDataLossWarning("Inconsistent progression sequence for component 0 coefficient 1")).isTrue();
    assertThat(ImageInspector.isDataLossWarning("Truncated File - Missing EOI marker")).isTrue();
    assertThat(ImageInspector.isDataLossWarning("Corrupt JPEG data: 54 extraneous bytes before marker 0xd1")).isTrue();
    assertThat(ImageInspector.isDataLossWarning("Corrupt JPEG data: 2 extraneous bytes before marker 0xd7")).isTrue();

    assertThat(ImageInspector.isDataLossWarning("Corrupt JPEG data: 51 extraneous bytes before marker 0xd9")).isFalse();
    assertThat(ImageInspector.isDataLossWarning("Corrupt JPEG data: 3 extraneous bytes before marker 0xda")).isFalse();
    assertThat(ImageInspector.isDataLossWarning("Corrupt JPEG data: 3 extraneous bytes before marker 0xc4")).isFalse();
    assertThat(ImageInspector.isDataLossWarning("Warning: unknown JFIF revision number 2.01")).isFalse();
    assertThat(ImageInspector.isDataLossWarning(
        "No embedded ICC color profile, will convert using inaccurate CMYK to RGB conversion. Colors may look incorrect.")).isFalse();
    assertThat(ImageInspector.isDataLossWarning("Missing JPEGTables for tiled/striped TIFF with compression: 7 (JPEG)")).isFalse();
  }
}
