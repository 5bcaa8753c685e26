package dev.nimbus.cli.sample;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Writes the sample cloud images and their CSV in the lab's format ({@code [set,]uri,label}, URIs relative to the
 * CSV): per label, 15% of the images are marked TEST, 10% VALIDATION, 45% TRAIN (at least one each), and the
 * rest carry no set, so that the server splits them. A few more images per label go to {@code holdout/}, outside the CSV, for predictions.
 */
public final class CloudSampleWriter {
  public static final String CSV = "labels.csv";
  public static final String IMAGES = "images";
  public static final String HOLDOUT = "holdout";

  /** What was written: counts by label and set ("" for no set), and the mean-colour baseline's accuracy. */
  public record Written(Path csv, Path holdout, Map<String, Map<String, Integer>> counts, int images,
      int holdoutImages, double meanColourAccuracy) {}

  private CloudSampleWriter() {}

  /** Writes {@code perLabel} images of each type (at least 10) and {@code holdoutPerLabel} held-out ones. */
  public static Written write(Path out, int perLabel, int holdoutPerLabel, long seed) throws IOException {
    if (perLabel < 10) {
      throw new IllegalArgumentException("--per-label: " + perLabel + " (expected: at least 10, so that every set"
          + " has images of every label)");
    }
    if (holdoutPerLabel < 0) {
      throw new IllegalArgumentException("holdout per label: " + holdoutPerLabel + " (expected: >= 0)");
    }
    Files.createDirectories(out.resolve(IMAGES));
    Files.createDirectories(out.resolve(HOLDOUT));
    List<String> labels = CloudScenes.LABELS;
    int perLabelTotal = perLabel + holdoutPerLabel;
    double[][] features = new double[labels.size() * perLabel][];
    int[] classes = new int[features.length];
    IntStream.range(0, labels.size() * perLabelTotal).parallel().forEach(k -> {
      int labelIndex = k / perLabelTotal;
      int i = k % perLabelTotal;
      String label = labels.get(labelIndex);
      long imageSeed = seed * 1_000_003L + (long) labelIndex * 100_000 + i;
      BufferedImage image = CloudScenes.render(label, imageSeed);
      boolean holdout = i >= perLabel;
      Path file = holdout ? out.resolve(HOLDOUT).resolve("%s-%03d.jpg".formatted(label, i - perLabel + 1))
          : out.resolve(IMAGES).resolve("%s-%04d.jpg".formatted(label, i + 1));
      float quality = 0.6f + (float) Math.floorMod(imageSeed * 31, 36) / 100f;
      writeJpeg(image, file, quality);
      if (!holdout) {
        int row = labelIndex * perLabel + i;
        features[row] = MeanColourBaseline.meanRgb(image);
        classes[row] = labelIndex;
      }
    });
    Map<String, Map<String, Integer>> counts = new LinkedHashMap<>();
    StringBuilder csv = new StringBuilder();
    String[] sets = sets(perLabel);
    for (String label : labels) {
      Map<String, Integer> bySet = counts.computeIfAbsent(label, l -> new LinkedHashMap<>());
      for (int i = 0; i < perLabel; i++) {
        String set = sets[i];
        bySet.merge(set, 1, Integer::sum);
        String uri = IMAGES + "/%s-%04d.jpg".formatted(label, i + 1);
        csv.append(set.isEmpty() ? "" : set + ",").append(uri).append(',').append(label).append('\n');
      }
    }
    Path csvFile = out.resolve(CSV);
    Path partial = out.resolve(CSV + ".partial");
    Files.writeString(partial, csv, StandardCharsets.UTF_8);
    Files.move(partial, csvFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    double baseline = MeanColourBaseline.crossValidatedAccuracy(features, classes, labels.size(), 5, seed);
    return new Written(csvFile, out.resolve(HOLDOUT), counts, labels.size() * perLabel,
        labels.size() * holdoutPerLabel, baseline);
  }

  /**
   * The set of each of a label's images: 15% TEST, 10% VALIDATION, 45% TRAIN (at least one of each) and the rest
   * without a set, spread through the label's images by a fixed shuffle.
   */
  static String[] sets(int perLabel) {
    int test = Math.max(1, Math.round(0.15f * perLabel));
    int validation = Math.max(1, Math.round(0.10f * perLabel));
    int train = Math.max(1, Math.round(0.45f * perLabel));
    List<Integer> order = new ArrayList<>();
    for (int k = 0; k < perLabel; k++) {
      order.add(k);
    }
    Collections.shuffle(order, new Random(20_26_11_28L));
    String[] sets = new String[perLabel];
    for (int position = 0; position < perLabel; position++) {
      sets[order.get(position)] = position < test ? "TEST" : position < test + validation ? "VALIDATION"
          : position < test + validation + train ? "TRAIN" : "";
    }
    return sets;
  }

  private static void writeJpeg(BufferedImage image, Path file, float quality) {
    Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
    ImageWriter writer = writers.next();
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    try (ImageOutputStream stream = ImageIO.createImageOutputStream(partial.toFile())) {
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(quality);
      writer.setOutput(stream);
      writer.write(null, new IIOImage(image, null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    } finally {
      writer.dispose();
    }
    try {
      Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
