package dev.nimbus.server.engine;

import dev.nimbus.server.storage.BlobStore;
import dev.nimbus.server.training.DatasetSnapshot;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;

/**
 * Stored images, decoded for training: read from the blob store, decoded and resized inside a TF graph
 * ({@link Decoding}); the formats TF cannot decode (WebP, TIFF) are first transcoded to PNG here.
 */
final class TrainingImages {
  static final int CHUNK = 256;
  private static final Set<String> TF_DECODABLE = Set.of("image/jpeg", "image/png", "image/gif", "image/bmp");

  private TrainingImages() {}

  /** The bytes of {@code e}, in a format TF's DecodeImage reads. */
  static byte[] decodable(BlobStore blobs, DatasetSnapshot.Example e) {
    byte[] bytes = blobs.read(e.sha256());
    if (TF_DECODABLE.contains(e.mimeType())) {
      return bytes;
    }
    try {
      BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
      if (img == null) {
        throw new IllegalStateException("no decoder for " + e.mimeType());
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageIO.write(img, "png", out);
      return out.toByteArray();
    } catch (IOException x) {
      throw new IllegalStateException("cannot transcode image " + e.sha256() + " (" + e.mimeType() + "): "
          + x.getMessage(), x);
    }
  }

  /** Decodes {@code examples} to one uint8 batch [N, size, size, channels], in chunks. */
  static ImageBatch decodeAll(BlobStore blobs, List<DatasetSnapshot.Example> examples, int size, int channels,
      Decoding decoding, Runnable afterChunk) {
    int n = examples.size();
    int per = size * size * channels;
    byte[] pixels = new byte[n * per];
    for (int from = 0; from < n; from += CHUNK) {
      int to = Math.min(n, from + CHUNK);
      List<byte[]> encoded = new ArrayList<>(to - from);
      for (int i = from; i < to; i++) {
        encoded.add(decodable(blobs, examples.get(i)));
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
