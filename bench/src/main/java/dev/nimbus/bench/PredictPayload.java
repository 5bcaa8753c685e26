package dev.nimbus.bench;

import com.google.protobuf.ByteString;
import dev.nimbus.v1.ImageInput;
import dev.nimbus.v1.PredictRequest;
import dev.nimbus.v1.RawImage;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * The Predict requests a load run sends: a fixed pool built before the run (so the generator spends no CPU making
 * images while measuring), used round-robin. Request {@code i} of the pool carries {@code minImages + i % (maxImages
 * - minImages + 1)} images, so image counts are spread evenly over 1..k. Images are shared between requests
 * (a protobuf ByteString is not copied when reused).
 */
public final class PredictPayload {
  public enum Kind { JPEG, RAW }

  private final PredictRequest[] requests;
  private final int[] imageCounts;
  private final Kind kind;
  private final int minImages;
  private final int maxImages;
  private final long meanRequestBytes;
  private final String description;

  private PredictPayload(List<PredictRequest> requests, Kind kind, int minImages, int maxImages, String description) {
    this.requests = requests.toArray(new PredictRequest[0]);
    this.imageCounts = requests.stream().mapToInt(PredictRequest::getImagesCount).toArray();
    this.kind = kind;
    this.minImages = minImages;
    this.maxImages = maxImages;
    this.meanRequestBytes = (long) requests.stream().mapToLong(PredictRequest::getSerializedSize).average().orElse(0);
    this.description = description;
  }

  /** Encoded images from these files (JPEG, PNG, ... sent as they are). */
  public static PredictPayload files(String model, List<Path> files, int minImages, int maxImages,
      boolean includeTimings) {
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no image files");
    }
    List<ImageInput> images = new ArrayList<>();
    for (Path f : files) {
      try {
        images.add(ImageInput.newBuilder().setImageBytes(ByteString.copyFrom(Files.readAllBytes(f))).build());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return build(model, images, Kind.JPEG, minImages, maxImages, includeTimings,
        "encoded files x" + files.size());
  }

  /** Up to {@code limit} image files (.jpg, .jpeg, .png, .bmp, .gif, .webp) found under a folder, sorted by name. */
  public static List<Path> imageFiles(Path dir, int limit) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(jpe?g|png|bmp|gif|webp)"))
          .sorted().limit(limit).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code distinct} generated JPEGs of {@code side} x {@code side} (gradients, shapes and noise; quality 0.9). */
  public static PredictPayload generatedJpeg(String model, int side, int distinct, int minImages, int maxImages,
      boolean includeTimings, long seed) {
    Random rnd = new Random(seed);
    List<ImageInput> images = new ArrayList<>();
    for (int i = 0; i < distinct; i++) {
      images.add(ImageInput.newBuilder().setImageBytes(ByteString.copyFrom(jpeg(side, rnd))).build());
    }
    return build(model, images, Kind.JPEG, minImages, maxImages, includeTimings,
        "generated JPEG " + side + "x" + side);
  }

  /** {@code distinct} pre-decoded images of random pixels at the model's input size. */
  public static PredictPayload raw(String model, int side, int channels, int distinct, int minImages, int maxImages,
      boolean includeTimings, long seed) {
    Random rnd = new Random(seed);
    List<ImageInput> images = new ArrayList<>();
    for (int i = 0; i < distinct; i++) {
      byte[] px = new byte[side * side * channels];
      rnd.nextBytes(px);
      images.add(ImageInput.newBuilder().setRawImage(RawImage.newBuilder().setData(ByteString.copyFrom(px))
          .setHeight(side).setWidth(side).setChannels(channels)).build());
    }
    return build(model, images, Kind.RAW, minImages, maxImages, includeTimings,
        "raw " + side + "x" + side + "x" + channels);
  }

  private static PredictPayload build(String model, List<ImageInput> images, Kind kind, int minImages, int maxImages,
      boolean includeTimings, String description) {
    if (minImages < 1 || maxImages < minImages) {
      throw new IllegalArgumentException("images per request: " + minImages + ".." + maxImages);
    }
    String name = modelName(model);
    int spread = maxImages - minImages + 1;
    int poolSize = Math.max(64, spread * 8);
    List<PredictRequest> requests = new ArrayList<>(poolSize);
    int next = 0;
    for (int i = 0; i < poolSize; i++) {
      PredictRequest.Builder b = PredictRequest.newBuilder().setName(name).setIncludeTimings(includeTimings);
      int n = minImages + i % spread;
      for (int j = 0; j < n; j++) {
        b.addImages(images.get(next++ % images.size()));
      }
      requests.add(b.build());
    }
    return new PredictPayload(requests, kind, minImages, maxImages, description);
  }

  /** {@code models/x} for {@code x} or {@code models/x}. */
  public static String modelName(String model) {
    return model.startsWith("models/") ? model : "models/" + model;
  }

  PredictRequest request(long i) {
    return requests[(int) Math.floorMod(i, (long) requests.length)];
  }

  /** Distinct requests in the pool; {@link #request} wraps around it. */
  int size() {
    return requests.length;
  }

  int imageCount(long i) {
    return imageCounts[(int) Math.floorMod(i, (long) imageCounts.length)];
  }

  public Kind kind() {
    return kind;
  }

  public int minImages() {
    return minImages;
  }

  public int maxImages() {
    return maxImages;
  }

  public long meanRequestBytes() {
    return meanRequestBytes;
  }

  public String description() {
    return description;
  }

  static byte[] jpeg(int side, Random rnd) {
    BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setPaint(new GradientPaint(0, 0, new Color(rnd.nextInt(0xFFFFFF)), side, side, new Color(rnd.nextInt(0xFFFFFF))));
    g.fillRect(0, 0, side, side);
    for (int i = 0; i < 12; i++) {
      g.setColor(new Color(rnd.nextInt(0xFFFFFF)));
      int w = 1 + rnd.nextInt(side / 2);
      int h = 1 + rnd.nextInt(side / 2);
      if (rnd.nextBoolean()) {
        g.fillOval(rnd.nextInt(side), rnd.nextInt(side), w, h);
      } else {
        g.fillRect(rnd.nextInt(side), rnd.nextInt(side), w, h);
      }
    }
    g.dispose();
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        int rgb = img.getRGB(x, y);
        int d = rnd.nextInt(17) - 8;
        int r = clamp(((rgb >> 16) & 0xFF) + d);
        int gg = clamp(((rgb >> 8) & 0xFF) + d);
        int b = clamp((rgb & 0xFF) + d);
        img.setRGB(x, y, (r << 16) | (gg << 8) | b);
      }
    }
    try {
      ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
        w.setOutput(ios);
        ImageWriteParam p = w.getDefaultWriteParam();
        p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        p.setCompressionQuality(0.9f);
        w.write(null, new IIOImage(img, null, null), p);
      } finally {
        w.dispose();
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }
}
