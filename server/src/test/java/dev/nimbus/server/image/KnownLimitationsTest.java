package dev.nimbus.server.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Damage that is accepted, pinned so that a change of behaviour (a new JDK, a new TwelveMonkeys)
 * is noticed. Not a wish: these are the measured limits of what the decoders report.
 */
class KnownLimitationsTest {

  /**
   * libjpeg reports only the first warning of a decoding pass. Stray bytes between two
   * progressive scans (benign, accepted) therefore hide the "premature end of data segment" of a
   * later scan whose data is partly missing. The container is intact (EOI is there), so nothing
   * else notices.
   */
  @Test
  void jpeg_aBenignWarningHidesALaterDataLossWarningInTheSamePass() throws Exception {
    byte[] jpeg = Fixtures.write(Fixtures.rgb(320, 240), "jpeg", Fixtures.progressive());
    int scan1 = Fixtures.indexOf(jpeg, 0xFF, 0xDA);
    int scan2 = Fixtures.indexOfFrom(jpeg, scan1 + 2, 0xFF, 0xDA);
    int scan3 = Fixtures.indexOfFrom(jpeg, scan2 + 2, 0xFF, 0xDA);
    byte[] damagedOnly = Fixtures.concat(Arrays.copyOf(jpeg, scan3 + 40), Arrays.copyOfRange(jpeg, scan3 + 400, jpeg.length));
    assertThat(TestReaders.warnings(ImageFormat.JPEG, damagedOnly))
        .containsExactly("Corrupt JPEG data: premature end of data segment");

    byte[] withStrayBytes = Fixtures.insert(jpeg, scan2, new byte[] {1, 2, 3});
    byte[] both = Fixtures.concat(
        Arrays.copyOf(withStrayBytes, scan3 + 3 + 40), Arrays.copyOfRange(withStrayBytes, scan3 + 3 + 400, withStrayBytes.length));
    assertThat(TestReaders.warnings(ImageFormat.JPEG, both))
        .containsExactly("Corrupt JPEG data: 3 extraneous bytes before marker 0xda");

    assertThat(new ImageInspector().inspect(both)).isEqualTo(new ImageInfo(ImageFormat.JPEG, 320, 240));
  }

  /** Formats without checksums decode damaged data into wrong pixels without noticing. */
  @Test
  void gif_bitFlipsInTheLzwDataAreNotDetectable() throws Exception {
    byte[] gif = Fixtures.write(Fixtures.picture(64, 48, BufferedImage.TYPE_BYTE_INDEXED), "gif");
    int descriptor = Fixtures.indexOf(gif, 0x2C, 0, 0, 0, 0);
    gif[descriptor + 10 + 20] ^= 0x10; // inside the first data sub-block

    assertThat(new ImageInspector().inspect(gif)).isEqualTo(new ImageInfo(ImageFormat.GIF, 64, 48));
  }
}
