package dev.nimbus.server.training;

import dev.nimbus.server.engine.Decoding;
import dev.nimbus.server.engine.ImageBatch;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;

/**
 * Stored images, decoded for training: read from the job's image source, decoded and resized inside a TF graph
 * ({@link Decoding}); the formats TF cannot decode (WebP, TIFF) are first transcoded to PNG here.
 */
final class TrainingImages {
  static final int CHUNK = 256;
  private static final Set<String> TF_DECODABLE = Set.of("image/jpeg", "image/png", "image/gif", "image/bmp");

  private TrainingImages() {}

  /** The bytes of {@code image}, in a format TF's DecodeImage reads. */
  static byte[] decodable(TrainingJob.ImageSource images, LabeledImage image) {
    byte[] bytes = images.read(image.sha256());
    if (TF_DECODABLE.contains(image.mimeType())) {
      return bytes;
    }
    try {
      BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
      if (img == null) {
        throw new IllegalStateException("no decoder for " + image.mimeType());
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageIO.write(img, "png", out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot transcode image " + image.sha256() + " (" + image.mimeType() + ")", e);
    }
  }

  /** Decodes {@code images} to one uint8 batch [N, size, size, channels], in chunks. */
  static ImageBatch decodeAll(TrainingJob.ImageSource source, List<LabeledImage> images, int size, int channels,
      Decoding decoding, Runnable afterChunk) {
    int n = images.size();
    int per = size * size * channels;
    byte[] pixels = new byte[n * per];
    for (int from = 0; from < n; from += CHUNK) {
      int to = Math.min(n, from + CHUNK);
      List<byte[]> encoded = new ArrayList<>(to - from);
      for (int i = from; i < to; i++) {
        encoded.add(decodable(source, images.get(i)));
      }
      ImageBatch chunk = decoding.decode(encoded);
      System.arraycopy(chunk.pixels(), 0, pixels, from * per, (to - from) * per);
      afterChunk.run();
    }
    return new ImageBatch(pixels, n, size, size, channels);
  }

  /** Whether every pixel of a 3-channel batch is gray (R = G = B): such a dataset trains on one channel. */
  static boolean allGray(ImageBatch rgb) {
    byte[] p = rgb.pixels();
    for (int i = 0; i + 2 < p.length; i += 3) {
      if (p[i] != p[i + 1] || p[i] != p[i + 2]) {
        return false;
      }
    }
    return true;
  }

  /** The first channel of a 3-channel batch. */
  static ImageBatch firstChannel(ImageBatch rgb) {
    byte[] p = rgb.pixels();
    byte[] out = new byte[p.length / 3];
    for (int i = 0, j = 0; j < out.length; i += 3, j++) {
      out[j] = p[i];
    }
    return new ImageBatch(out, rgb.count(), rgb.height(), rgb.width(), 1);
  }
}
