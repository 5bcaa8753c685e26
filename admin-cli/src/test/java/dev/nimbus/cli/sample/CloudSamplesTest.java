package dev.nimbus.cli.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sample cloud images: what the lab's CSV needs, reproducible, and not separable by colour alone. */
class CloudSamplesTest {
  @TempDir
  Path tmp;

  @Test
  void sameSeedSamePixels_otherSeedOtherPicture() {
    BufferedImage a = CloudScenes.render("cumulus", 42);
    BufferedImage b = CloudScenes.render("cumulus", 42);
    BufferedImage c = CloudScenes.render("cumulus", 43);
    assertThat(pixels(a)).isEqualTo(pixels(b));
    assertThat(a.getWidth() == c.getWidth() && a.getHeight() == c.getHeight()
        && Arrays.equals(pixels(a), pixels(c))).isFalse();
    assertThatThrownBy(() -> CloudScenes.render("stratus", 1)).hasMessageContaining("unknown cloud type 'stratus'");
  }

  @Test
  void writesTheLabsCsv_withSetsAndUnassignedRows_andHoldoutOutsideIt() throws IOException {
    CloudSampleWriter.Written w = CloudSampleWriter.write(tmp, 20, 2, 7);
    List<String> rows = Files.readAllLines(w.csv(), StandardCharsets.UTF_8);
    assertThat(rows).hasSize(60);
    Set<String> sets = new HashSet<>();
    Set<String> sizes = new HashSet<>();
    for (String row : rows) {
      String[] f = row.split(",");
      assertThat(f.length).as(row).isBetween(2, 3);
      String label = f[f.length - 1];
      String uri = f[f.length - 2];
      assertThat(CloudScenes.LABELS).contains(label);
      sets.add(f.length == 3 ? f[0] : "");
      assertThat(uri).startsWith("images/" + label + "-").endsWith(".jpg");
      BufferedImage img = ImageIO.read(tmp.resolve(uri).toFile());
      assertThat(img).as(uri + " is a JPEG that decodes").isNotNull();
      sizes.add(img.getWidth() + "x" + img.getHeight());
    }
    assertThat(sets).containsExactlyInAnyOrder("TRAIN", "VALIDATION", "TEST", "");
    assertThat(sizes.size()).as("sizes vary").isGreaterThan(30);
    for (Map<String, Integer> bySet : w.counts().values()) {
      assertThat(bySet.get("TEST")).isEqualTo(3);
      assertThat(bySet.get("VALIDATION")).isEqualTo(2);
      assertThat(bySet.get("TRAIN")).isEqualTo(9);
      assertThat(bySet.get("")).isEqualTo(6);
    }
    try (Stream<Path> holdout = Files.list(w.holdout())) {
      List<String> names = holdout.map(p -> p.getFileName().toString()).sorted().toList();
      assertThat(names).hasSize(6).allMatch(n -> n.endsWith(".jpg"));
      assertThat(String.join("\n", rows)).doesNotContain("holdout");
    }
    try (Stream<Path> all = Files.walk(tmp)) {
      assertThat(all.filter(p -> p.toString().endsWith(".partial"))).isEmpty();
    }
    assertThatThrownBy(() -> CloudSampleWriter.write(tmp, 9, 0, 1)).hasMessageContaining("at least 10");
  }

  @Test
  void meanColourAloneDoesNotTellTheClassesApart() throws IOException {
    CloudSampleWriter.Written w = CloudSampleWriter.write(tmp, 60, 0, 3);
    // Chance is 1/3; a model that looks at shapes gets above 0.9 on these (see the quickstart).
    assertThat(w.meanColourAccuracy()).isLessThan(0.5);
  }

  @Test
  void baselineFindsAColourCueWhenThereIsOne() {
    Random r = new Random(5);
    double[][] x = new double[150][];
    int[] y = new int[150];
    for (int i = 0; i < 150; i++) {
      y[i] = i % 3;
      x[i] = new double[] {0.2 + 0.3 * y[i] + r.nextGaussian() * 0.04, r.nextDouble(), r.nextDouble()};
    }
    assertThat(MeanColourBaseline.crossValidatedAccuracy(x, y, 3, 5, 1)).isGreaterThan(0.95);
    for (int i = 0; i < 150; i++) {
      x[i] = new double[] {r.nextDouble(), r.nextDouble(), r.nextDouble()};
    }
    assertThat(MeanColourBaseline.crossValidatedAccuracy(x, y, 3, 5, 1)).isBetween(0.15, 0.5);
  }

  @Test
  void meanRgbOfAFlatImage() {
    BufferedImage img = new BufferedImage(4, 3, BufferedImage.TYPE_INT_RGB);
    for (int x = 0; x < 4; x++) {
      for (int y = 0; y < 3; y++) {
        img.setRGB(x, y, 255 << 16 | 51 << 8);
      }
    }
    assertThat(MeanColourBaseline.meanRgb(img)).containsExactly(new double[] {1.0, 0.2, 0.0},
        Offset.offset(1e-9));
  }

  private static int[] pixels(BufferedImage img) {
    return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
  }
}
