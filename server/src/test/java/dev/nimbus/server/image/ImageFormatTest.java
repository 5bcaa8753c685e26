package dev.nimbus.server.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageFormatTest {

  private static byte[] hex(String hex) {
    String[] parts = hex.trim().split("\\s+");
    byte[] bytes = new byte[parts.length];
    for (int i = 0; i < parts.length; i++) {
      bytes[i] = (byte) Integer.parseInt(parts[i], 16);
    }
    return bytes;
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
    "JPEG, ff d8 ff e0",
    "JPEG, ff d8 ff db",
    "PNG,  89 50 4e 47 0d 0a 1a 0a",
    "GIF,  47 49 46 38 37 61", // GIF87a
    "GIF,  47 49 46 38 39 61", // GIF89a
    "BMP,  42 4d 00 00 00 00 00 00 00 00 36 00 00 00 28 00 00 00", // BITMAPINFOHEADER
    "BMP,  42 4d 00 00 00 00 00 00 00 00 1a 00 00 00 0c 00 00 00", // BITMAPCOREHEADER
    "BMP,  42 4d 00 00 00 00 00 00 00 00 8a 00 00 00 7c 00 00 00", // BITMAPV5HEADER
    "WEBP, 52 49 46 46 00 00 00 00 57 45 42 50",
    "TIFF, 49 49 2a 00",
    "TIFF, 4d 4d 00 2a"
  })
  void recognises(ImageFormat expected, String magic) {
    assertThat(ImageFormat.sniff(hex(magic))).contains(expected);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "ff d8", // too short for JPEG
    "ff d8 00",
    "89 50 4e 47 0d 0a 1a", // PNG signature cut
    "89 50 4e 47 0d 0a 0a 0a", // PNG signature mangled by a text-mode transfer
    "47 49 46 38 38 61", // GIF88a
    "42 4d 00 00 00 00 00 00 00 00 36 00 00 00 29 00 00 00", // no such DIB header
    "42 4d 57", // "BMW"
    "52 49 46 46 00 00 00 00 57 41 56 45", // RIFF WAVE
    "49 49 2b 00", // BigTIFF
    "00 00 00 18 66 74 79 70 68 65 69 63", // HEIC
    "3c 73 76 67" // <svg
  })
  void refuses(String magic) {
    assertThat(ImageFormat.sniff(hex(magic))).isEmpty();
  }

  @Test
  void emptyContentHasNoFormat() {
    assertThat(ImageFormat.sniff(new byte[0])).isEqualTo(Optional.empty());
  }

  @Test
  void textCannotPassForABitmap() {
    assertThat(ImageFormat.sniff("BMW 320d touring, blue".getBytes(StandardCharsets.US_ASCII))).isEmpty();
  }

  @Test
  void mimeTypes() {
    assertThat(ImageFormat.JPEG.mimeType()).isEqualTo("image/jpeg");
    assertThat(ImageFormat.PNG.mimeType()).isEqualTo("image/png");
    assertThat(ImageFormat.GIF.mimeType()).isEqualTo("image/gif");
    assertThat(ImageFormat.BMP.mimeType()).isEqualTo("image/bmp");
    assertThat(ImageFormat.WEBP.mimeType()).isEqualTo("image/webp");
    assertThat(ImageFormat.TIFF.mimeType()).isEqualTo("image/tiff");
  }

  @Test
  void theChosenReaders() {
    assertThat(Readers.providerName(ImageFormat.JPEG)).startsWith("com.twelvemonkeys.imageio.plugins.jpeg.");
    assertThat(Readers.providerName(ImageFormat.BMP)).startsWith("com.twelvemonkeys.imageio.plugins.bmp.");
    assertThat(Readers.providerName(ImageFormat.TIFF)).startsWith("com.twelvemonkeys.imageio.plugins.tiff.");
    assertThat(Readers.providerName(ImageFormat.WEBP)).startsWith("com.twelvemonkeys.imageio.plugins.webp.");
    assertThat(Readers.providerName(ImageFormat.PNG)).startsWith("com.sun.imageio.plugins.png.");
    assertThat(Readers.providerName(ImageFormat.GIF)).startsWith("com.sun.imageio.plugins.gif.");
  }
}
