package dev.nimbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Downloaded files are named by what the server says they are, with the extensions people expect. */
class DatasetExamplesTest {
  @Test
  void extension_followsTheMimeType() {
    assertThat(DatasetExamples.extension("image/jpeg")).isEqualTo("jpg");
    assertThat(DatasetExamples.extension("image/png")).isEqualTo("png");
    assertThat(DatasetExamples.extension("image/gif")).isEqualTo("gif");
    assertThat(DatasetExamples.extension("image/bmp")).isEqualTo("bmp");
    assertThat(DatasetExamples.extension("image/webp")).isEqualTo("webp");
    assertThat(DatasetExamples.extension("image/tiff")).isEqualTo("tif");
    assertThat(DatasetExamples.extension("IMAGE/PNG")).isEqualTo("png");
    assertThat(DatasetExamples.extension("application/octet-stream")).isEqualTo("bin");
  }
}
