package dev.nimbus.server.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nimbus.server.image.InvalidImageException.Reason;
import java.io.EOFException;
import org.junit.jupiter.api.Test;

class ValueTypesTest {

  @Test
  void defaultLimits() {
    assertThat(ImageLimits.DEFAULT).isEqualTo(new ImageLimits(30L * 1024 * 1024, 150_000_000L, 30_000));
    assertThat(ImageLimits.defaults()).isSameAs(ImageLimits.DEFAULT);
    assertThat(new ImageInspector().limits()).isEqualTo(ImageLimits.DEFAULT);
  }

  @Test
  void limitsMustBePositive() {
    assertThatThrownBy(() -> new ImageLimits(0, 1, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxBytes: 0 (expected: > 0)");
    assertThatThrownBy(() -> new ImageLimits(1, -5, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxPixels: -5 (expected: > 0)");
    assertThatThrownBy(() -> new ImageLimits(1, 1, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxSide: 0 (expected: > 0)");
  }

  @Test
  void inspectorNeedsLimits() {
    assertThatThrownBy(() -> new ImageInspector(null)).isInstanceOf(NullPointerException.class).hasMessage("limits");
  }

  @Test
  void inspectNeedsBytes() {
    assertThatThrownBy(() -> new ImageInspector().inspect(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void imageInfo() {
    ImageInfo info = new ImageInfo(ImageFormat.PNG, 640, 480);
    assertThat(info.pixels()).isEqualTo(307_200);
    assertThatThrownBy(() -> new ImageInfo(ImageFormat.PNG, 0, 480)).hasMessage("width: 0 (expected: > 0)");
    assertThatThrownBy(() -> new ImageInfo(ImageFormat.PNG, 640, -1)).hasMessage("height: -1 (expected: > 0)");
    assertThatThrownBy(() -> new ImageInfo(null, 1, 1)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void exceptionCarriesItsReason() {
    InvalidImageException e = new InvalidImageException(Reason.CORRUPT, "x", new EOFException());
    assertThat(e.reason()).isEqualTo(Reason.CORRUPT);
    assertThat(e).hasMessage("x").hasCauseInstanceOf(EOFException.class);
  }
}
