package dev.nimbus.server.training.testing;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Paths of test resources. */
public final class Fixtures {
  private Fixtures() {}

  /** The synthetic Teachable-Machine-shaped model written by src/test/node/synthetic.js. */
  public static Path syntheticModel() {
    return resource("/dev/nimbus/server/training/tfjs/synthetic/model.json");
  }

  public static Path resource(String name) {
    URL url = Fixtures.class.getResource(name);
    if (url == null) {
      throw new IllegalStateException("test resource " + name + " is missing");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
