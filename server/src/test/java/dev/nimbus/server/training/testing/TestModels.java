package dev.nimbus.server.training.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Locates the pretrained MobileNetV2 that the build fetches with backbones/fetch.sh. */
public final class TestModels {
  private TestModels() {}

  /** model.json of the extracted MobileNetV2; skips the calling test when the build could not fetch it. */
  public static Path mobilenetV2() {
    String dir = System.getProperty("nimbus.test.backbones.dir", "target/backbones");
    Path json = Path.of(dir, "mobilenet_v2", "model.json");
    Assumptions.assumeTrue(
        Files.isRegularFile(json),
        "SKIPPED: " + json + " is missing; the build could not fetch it (needs node + npm and the npm registry or"
            + " cache). Run backbones/fetch.sh " + json.getParent() + " and rerun the tests.");
    return json;
  }
}
