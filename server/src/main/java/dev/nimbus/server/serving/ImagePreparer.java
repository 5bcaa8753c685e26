package dev.nimbus.server.serving;

import dev.nimbus.server.dataset.DatasetStore.ExampleRow;
import dev.nimbus.server.dataset.Datasets;
import dev.nimbus.server.engine.Decoding;
import dev.nimbus.server.engine.ImageDecodeException;
import dev.nimbus.server.image.ImageFormat;
import dev.nimbus.server.image.ImageInfo;
import dev.nimbus.server.image.ImageInspector;
import dev.nimbus.server.image.InvalidImageException;
import dev.nimbus.server.storage.BlobStore;
import dev.nimbus.server.error.ApiException;
import dev.nimbus.v1.ImageInput;
import dev.nimbus.v1.RawImage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import javax.imageio.ImageIO;

/**
 * Turns the images of a Predict request into model input: uint8 pixels at the model's size and channels. Encoded
 * images are checked from their header first (size, format, dimensions: no decompression bombs), then decoded and
 * resized inside a TF graph, all of a request's images in one run, shared with concurrent requests' images
 * ({@link CoalescingDecoder}); WebP and TIFF, which TF cannot decode, are
 * transcoded first. Pre-decoded pixels skip all of that. Runs on the decode pool, never on a Netty event loop.
 */
public final class ImagePreparer implements AutoCloseable {
  /** One image ready for the model. {@code key} identifies its content (for the result cache). */
  public record Prepared(byte[] pixels, String key) {}

  private final ImageInspector inspector;
  private final Datasets datasets;
  private final BlobStore blobs;
  /** Images per decode run: concurrent requests' images are decoded together, up to this many. */
  static final int MAX_PER_RUN = 32;
  private final int decodeThreads;
  private final java.util.concurrent.ExecutorService decodeRuns;
  private final Map<String, Decoding> decodings = new ConcurrentHashMap<>();
  private final Map<String, CoalescingDecoder> decoders = new ConcurrentHashMap<>();

  public ImagePreparer(ImageInspector inspector, Datasets datasets, BlobStore blobs, int decodeThreads) {
    this.inspector = inspector;
    this.datasets = datasets;
    this.blobs = blobs;
    this.decodeThreads = decodeThreads;
    // Never more tasks than decodeThreads (the decoders' worker bound per model size), so an unbounded queue
    // holds at most a few.
    this.decodeRuns = java.util.concurrent.Executors.newFixedThreadPool(decodeThreads, r -> {
      Thread t = new Thread(r, "nimbus-decode-run");
      t.setDaemon(true);
      return t;
    });
  }

  /** {@link #check} then {@link #decode}, waiting for the decoding; WebP and TIFF are transcoded here. */
  public List<Prepared> prepare(List<ImageInput> images, int size, int channels) {
    try {
      return decode(check(images, size, channels, true), Runnable::run).join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  /**
   * A request's images after {@link #check}: pre-decoded ones ready, encoded ones waiting for decoding (those
   * TF cannot decode marked for transcoding).
   */
  public static final class Checked {
    private final Prepared[] out;
    private final List<byte[]> encoded = new ArrayList<>();
    private final List<ImageFormat> formats = new ArrayList<>();
    private final List<Integer> encodedAt = new ArrayList<>();
    private final List<String> keys = new ArrayList<>();
    private final int size;
    private final int channels;

    private Checked(int count, int size, int channels) {
      this.out = new Prepared[count];
      this.size = size;
      this.channels = channels;
    }

    private boolean needsTranscoding() {
      return formats.stream().anyMatch(f -> f == ImageFormat.WEBP || f == ImageFormat.TIFF);
    }
  }

  /**
   * The cheap part, on the calling thread: each image's header (size, format, dimensions; no decompression bombs),
   * stored examples read, pre-decoded pixels converted. A bad image is thrown at once as INVALID_ARGUMENT naming
   * it. {@code withKeys}: compute each encoded image's SHA-256, which only the result cache needs.
   */
  public Checked check(List<ImageInput> images, int size, int channels, boolean withKeys) {
    Checked c = new Checked(images.size(), size, channels);
    for (int i = 0; i < images.size(); i++) {
      ImageInput in = images.get(i);
      String field = "images[" + i + "]";
      switch (in.getSourceCase()) {
        case IMAGE_BYTES -> {
          byte[] bytes = in.getImageBytes().toByteArray();
          c.formats.add(check(field, bytes));
          c.encoded.add(bytes);
          c.encodedAt.add(i);
          c.keys.add(withKeys ? BlobStore.sha256Hex(bytes) : null);
        }
        case EXAMPLE -> {
          ExampleRow row = datasets.existingExample(in.getExample());
          c.encoded.add(blobs.read(row.sha256()));
          c.formats.add(ImageFormat.fromMimeType(row.mimeType()));
          c.encodedAt.add(i);
          c.keys.add(row.sha256());
        }
        case RAW_IMAGE -> c.out[i] = new Prepared(raw(field, in.getRawImage(), size, channels), null);
        default -> throw ApiException.invalidArgument(field, field + " is empty (expected: image_bytes, example or"
            + " raw_image)");
      }
    }
    return c;
  }

  /**
   * Decodes the checked images on the decode workers, together with other requests' images. WebP and TIFF, which
   * TF cannot decode, are first transcoded on {@code transcoding} (slow: a full decode and a PNG encode). The
   * future fails with INVALID_ARGUMENT naming the image if one cannot be decoded.
   */
  public CompletableFuture<List<Prepared>> decode(Checked c, java.util.concurrent.Executor transcoding) {
    if (c.encoded.isEmpty()) {
      return CompletableFuture.completedFuture(List.of(c.out));
    }
    if (!c.needsTranscoding()) {
      return decodeChecked(c);
    }
    return CompletableFuture.supplyAsync(() -> {
      for (int j = 0; j < c.encoded.size(); j++) {
        c.encoded.set(j, decodable("images[" + c.encodedAt.get(j) + "]", c.encoded.get(j), c.formats.get(j)));
      }
      return c;
    }, transcoding).thenCompose(this::decodeChecked);
  }

  private CompletableFuture<List<Prepared>> decodeChecked(Checked c) {
    return decoder(c.size, c.channels).decode(c.encoded).handle((batch, failure) -> {
      if (failure != null) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException e && e.getCause() != null
            ? e.getCause() : failure;
        if (cause instanceof ImageDecodeException e) {
          int i = c.encodedAt.get(e.index());
          throw ApiException.invalidArgument("images[" + i + "]", "images[" + i + "]: the image cannot be decoded ("
              + e.getMessage() + ")");
        }
        throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
      }
      for (int j = 0; j < c.encoded.size(); j++) {
        c.out[c.encodedAt.get(j)] = new Prepared(batch.pixels(j), c.keys.get(j));
      }
      return List.of(c.out);
    });
  }

  private ImageFormat check(String field, byte[] bytes) {
    try {
      ImageInfo info = inspector.header(bytes);
      return info.format();
    } catch (InvalidImageException e) {
      throw ApiException.invalidArgument(field, field + ": " + e.getMessage());
    }
  }

  /** The bytes as TF can decode them: WebP and TIFF become PNG. */
  private static byte[] decodable(String field, byte[] bytes, ImageFormat format) {
    if (format != ImageFormat.WEBP && format != ImageFormat.TIFF) {
      return bytes;
    }
    try {
      BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
      if (img == null) {
        throw ApiException.invalidArgument(field, field + ": the " + format + " image cannot be decoded");
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageIO.write(img, "png", out);
      return out.toByteArray();
    } catch (IOException | RuntimeException e) {
      if (e instanceof ApiException a) {
        throw a;
      }
      throw ApiException.invalidArgument(field, field + ": the " + format + " image cannot be decoded ("
          + e.getMessage() + ")");
    }
  }

  /** Pre-decoded pixels at the model's size; RGB for a gray model becomes luma, gray for an RGB model is repeated. */
  static byte[] raw(String field, RawImage raw, int size, int channels) {
    if (raw.getHeight() != size || raw.getWidth() != size) {
      throw ApiException.invalidArgument(field + ".raw_image", field + ".raw_image: " + raw.getHeight() + "x"
          + raw.getWidth() + " (expected: " + size + "x" + size + ", the model's input size)");
    }
    int c = raw.getChannels() == 0 ? 3 : raw.getChannels();
    if (c != 1 && c != 3) {
      throw ApiException.invalidArgument(field + ".raw_image.channels", field + ".raw_image.channels: " + c
          + " (expected: 3 for RGB or 1 for gray)");
    }
    long expected = (long) size * size * c;
    if (raw.getData().size() != expected) {
      throw ApiException.invalidArgument(field + ".raw_image.data", field + ".raw_image.data: " + raw.getData().size()
          + " bytes (expected: " + expected + " = " + size + " x " + size + " x " + c + ", uint8, rows, channels last)");
    }
    byte[] data = raw.getData().toByteArray();
    if (c == channels) {
      return data;
    }
    int pixels = size * size;
    byte[] out = new byte[pixels * channels];
    if (channels == 1) {
      for (int p = 0; p < pixels; p++) {
        int r = data[3 * p] & 0xFF;
        int g = data[3 * p + 1] & 0xFF;
        int b = data[3 * p + 2] & 0xFF;
        out[p] = (byte) Math.round(0.299 * r + 0.587 * g + 0.114 * b);
      }
    } else {
      for (int p = 0; p < pixels; p++) {
        out[3 * p] = out[3 * p + 1] = out[3 * p + 2] = data[p];
      }
    }
    return out;
  }

  private CoalescingDecoder decoder(int size, int channels) {
    return decoders.computeIfAbsent(size + "x" + channels, k -> {
      Decoding decoding = decodings.computeIfAbsent(k, x -> new Decoding(size, size, channels, MAX_PER_RUN,
          decodeThreads));
      return new CoalescingDecoder(decoding::decode, MAX_PER_RUN, decodeThreads, decodeRuns);
    });
  }

  @Override
  public void close() {
    decodeRuns.shutdown();
    decoders.clear();
    decodings.values().forEach(Decoding::close);
    decodings.clear();
  }
}
