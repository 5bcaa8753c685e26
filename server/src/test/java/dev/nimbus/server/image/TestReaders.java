package dev.nimbus.server.image;

import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageReader;

/** Runs the production reader directly, to state premises about what a decoder does. */
final class TestReaders {

  private TestReaders() {}

  /** The warnings the format's reader emits while decoding the first image at full size. */
  static List<String> warnings(ImageFormat format, byte[] bytes) throws Exception {
    List<String> warnings = new ArrayList<>();
    ImageReader reader = Readers.create(format);
    try (ByteArrayImageInputStream in = new ByteArrayImageInputStream(bytes)) {
      reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
      reader.setInput(in, true, true);
      reader.read(0);
    } finally {
      reader.dispose();
    }
    return warnings;
  }
}
