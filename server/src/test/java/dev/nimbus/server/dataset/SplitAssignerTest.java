package dev.nimbus.server.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nimbus.server.dataset.DatasetStore.SplitCount;
import dev.nimbus.server.storage.BlobStore;
import dev.nimbus.v1.MlUse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SplitAssignerTest {
  private static String sha(String s) {
    return BlobStore.sha256Hex(s.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code n} images per label, single-label. */
  private static Map<String, List<String>> images(Map<String, Integer> perLabel) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    perLabel.forEach((label, n) -> {
      for (int i = 0; i < n; i++) {
        out.put(sha(label + i), List.of(label));
      }
    });
    return out;
  }

  private static Map<MlUse, Integer> countsOf(Map<String, MlUse> assignment, Map<String, List<String>> images,
      String label) {
    Map<MlUse, Integer> c = new EnumMap<>(MlUse.class);
    assignment.forEach((sha, use) -> {
      if (images.get(sha).contains(label)) {
        c.merge(use, 1, Integer::sum);
      }
    });
    return c;
  }

  @Test
  void assign_isStratified8010_10PerLabel() {
    Map<String, List<String>> imgs = images(Map.of("big", 1000, "mid", 100, "small", 10));
    Map<String, MlUse> a = SplitAssigner.assign(Map.of(), imgs);
    assertThat(a).hasSize(1110);
    assertThat(countsOf(a, imgs, "big")).containsEntry(MlUse.TRAIN, 800).containsEntry(MlUse.VALIDATION, 100)
        .containsEntry(MlUse.TEST, 100);
    assertThat(countsOf(a, imgs, "mid")).containsEntry(MlUse.TRAIN, 80).containsEntry(MlUse.VALIDATION, 10);
    assertThat(countsOf(a, imgs, "small")).containsEntry(MlUse.TRAIN, 8).containsEntry(MlUse.VALIDATION, 1)
        .containsEntry(MlUse.TEST, 1);
  }

  @Test
  void assign_smallLabelsStillGetValidationAndTestFromFiveImages() {
    Map<String, List<String>> imgs = images(Map.of("five", 5, "four", 4));
    Map<String, MlUse> a = SplitAssigner.assign(Map.of(), imgs);
    assertThat(countsOf(a, imgs, "five")).containsEntry(MlUse.TRAIN, 3).containsEntry(MlUse.VALIDATION, 1)
        .containsEntry(MlUse.TEST, 1);
    assertThat(countsOf(a, imgs, "four")).containsOnlyKeys(MlUse.TRAIN);
  }

  @Test
  void assign_dependsOnContentNotOnOrder() {
    Map<String, List<String>> imgs = images(Map.of("a", 37, "b", 11));
    List<Map.Entry<String, List<String>>> entries = new ArrayList<>(imgs.entrySet());
    Collections.shuffle(entries, new Random(42));
    Map<String, List<String>> shuffled = new LinkedHashMap<>();
    entries.forEach(e -> shuffled.put(e.getKey(), e.getValue()));
    assertThat(SplitAssigner.assign(Map.of(), shuffled)).isEqualTo(SplitAssigner.assign(Map.of(), imgs));
  }

  @Test
  void assign_largeLabelsFollowTheHashCutPoints() {
    Map<String, List<String>> imgs = images(Map.of("a", 5000));
    Map<String, MlUse> a = SplitAssigner.assign(Map.of(), imgs);
    // The lowest hashes train, the highest test: an image's split is (nearly) a function of its own hash.
    a.forEach((sha, use) -> {
      double u = Long.parseUnsignedLong(sha.substring(0, 15), 16) / (double) (1L << 60);
      if (u < 0.78) {
        assertThat(use).isEqualTo(MlUse.TRAIN);
      } else if (u > 0.92) {
        assertThat(use).isEqualTo(MlUse.TEST);
      }
    });
  }

  @Test
  void assign_topsUpExistingCountsWithoutMovingThem() {
    Map<String, List<String>> imgs = images(Map.of("a", 10));
    Map<String, MlUse> a = SplitAssigner.assign(Map.of("a", new SplitCount(10, 0, 0, 0)), imgs);
    // 20 in all: 16/2/2 is the target; 10 already train, so the new 10 fill 6/2/2.
    assertThat(countsOf(a, imgs, "a")).containsEntry(MlUse.TRAIN, 6).containsEntry(MlUse.VALIDATION, 2)
        .containsEntry(MlUse.TEST, 2);
  }

  @Test
  void assign_multilabelImagesGetOneSplitCountedForEveryLabel() {
    Map<String, List<String>> imgs = new LinkedHashMap<>();
    for (int i = 0; i < 50; i++) {
      imgs.put(sha("m" + i), i < 10 ? List.of("common", "rare") : List.of("common"));
    }
    Map<String, MlUse> a = SplitAssigner.assign(Map.of(), imgs);
    assertThat(a).hasSize(50);
    Map<MlUse, Integer> rare = countsOf(a, imgs, "rare");
    assertThat(rare).containsEntry(MlUse.TRAIN, 8).containsEntry(MlUse.VALIDATION, 1).containsEntry(MlUse.TEST, 1);
    Map<MlUse, Integer> common = countsOf(a, imgs, "common");
    assertThat(common).containsEntry(MlUse.TRAIN, 40).containsEntry(MlUse.VALIDATION, 5).containsEntry(MlUse.TEST, 5);
  }
}
