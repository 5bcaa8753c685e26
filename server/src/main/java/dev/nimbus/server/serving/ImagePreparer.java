package dev.nimbus.server.serving;

import dev.nimbus.server.dataset.DatasetStore.ExampleRow;
import dev.nimbus.server.dataset.Datasets;
import dev.nimbus.server.engine.Decoding;
import dev.nimbus.server.engine.ImageDecodeException;
import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.image.ImageFormat;
import dev.nimbus.server.image.ImageInspector;
import dev.nimbus.server.image.InvalidImageException;
import dev.nimbus.server.storage.BlobStore;
import dev.nimbus.server.util.DaemonThreads;
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
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * Turns the images of a Predict request into model input: uint8 pixels at the model's size and channels. Encoded
 * images are checked from their header first (size, format, dimensions: no decompression bombs), then decoded and
 * resized inside a TF graph, all of a request's images in one run, shared with concurrent requests' images
 * ({@link CoalescingDecoder}, on decode workers of its own); WebP and TIFF, which TF cannot decode, are
 * transcoded first, on the caller's transcoding executor. Pre-decoded pixels skip all of that.
 */
public final class ImagePreparer implements AutoCloseable {
  /** One image ready for the model. {@code sha256} identifies its content (for the result cache), or is null. */
  public record Prepared(byte[] pixels, String sha256) {}

  /** Images per decode run: concurrent requests' images are decoded together, up to this many. */
  static final int MAX_PER_RUN = 32;

  /** An image the model cannot take, and why (a sentence that reads after the image's field name). */
  static final class Rejected extends RuntimeException {
    Rejected(String reason) {
      super(reason, null, false, false);
    }
  }

  private final ImageInspector inspector;
  private final Datasets datasets;
  private final BlobStore blobs;
  private final int decodeThreads;
  private final ExecutorService decodeWorkers;
  private final Map<InputShape, Decoding> decodings = new ConcurrentHashMap<>();
  private final Map<InputShape, CoalescingDecoder> decoders = new ConcurrentHashMap<>();

  /** A model's input: {@code size} x {@code size} pixels of {@code channels} (1 or 3). */
  private record InputShape(int size, int channels) {}

  public ImagePreparer(ImageInspector inspector, Datasets datasets, BlobStore blobs, int decodeThreads) {
    this.inspector = inspector;
    this.datasets = datasets;
    this.blobs = blobs;
    this.decodeThreads = decodeThreads;
    // Never more tasks than decodeThreads per model input shape (the decoders' worker bound), so the unbounded
    // queue holds at most a few.
    this.decodeWorkers = Executors.newFixedThreadPool(decodeThreads, DaemonThreads.named("nimbus-decode"));
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
    private final List<String> hashes = new ArrayList<>();
    private final int size;
    private final int channels;

    private Checked(int count, int size, int channels) {
      this.out = new Prepared[count];
      this.size = size;
      this.channels = channels;
    }

    private boolean needsTranscoding() {
      return formats.stream().anyMatch(ImagePreparer::needsTranscoding);
    }
  }

  /**
   * The cheap part, on the calling thread: each image's header (size, format, dimensions; no decompression bombs),
   * stored examples read, pre-decoded pixels converted. A bad image is thrown at once as INVALID_ARGUMENT naming
   * it. {@code withHashes}: compute each encoded image's SHA-256, which only the result cache needs.
   */
  public Checked check(List<ImageInput> images, int size, int channels, boolean withHashes) {
    Checked c = new Checked(images.size(), size, channels);
    for (int i = 0; i < images.size(); i++) {
      ImageInput in = images.get(i);
      String field = "images[" + i + "]";
      try {
        switch (in.getSourceCase()) {
          case IMAGE_BYTES -> {
            byte[] bytes = in.getImageBytes().toByteArray();
            c.formats.add(header(bytes));
            c.encoded.add(bytes);
            c.encodedAt.add(i);
            c.hashes.add(withHashes ? BlobStore.sha256Hex(bytes) : null);
          }
          case EXAMPLE -> {
            ExampleRow row = datasets.existingExample(in.getExample());
            c.encoded.add(blobs.read(row.sha256()));
            c.formats.add(ImageFormat.fromMimeType(row.mimeType()));
            c.encodedAt.add(i);
            c.hashes.add(row.sha256());
          }
          case RAW_IMAGE -> c.out[i] = new Prepared(raw(field, in.getRawImage(), size, channels), null);
          default -> throw new Rejected("is empty (expected: image_bytes, example or raw_image)");
        }
      } catch (Rejected e) {
        throw invalid(field, e);
      }
    }
    return c;
  }

  /**
   * Decodes the checked images on the decode workers, together with other requests' images. WebP and TIFF are
   * first transcoded on {@code transcoding} (slow: a full decode and a PNG encode). The future fails with
   * INVALID_ARGUMENT naming the image if one cannot be decoded.
   */
  public CompletableFuture<List<Prepared>> decode(Checked c, Executor transcoding) {
    if (c.encoded.isEmpty()) {
      return CompletableFuture.completedFuture(List.of(c.out));
    }
    if (!c.needsTranscoding()) {
      return decodeChecked(c);
    }
    return CompletableFuture.supplyAsync(() -> {
      for (int j = 0; j < c.encoded.size(); j++) {
        try {
          c.encoded.set(j, decodable(c.encoded.get(j), c.formats.get(j)));
        } catch (Rejected e) {
          throw invalid("images[" + c.encodedAt.get(j) + "]", e);
        }
      }
      return c;
    }, transcoding).thenCompose(this::decodeChecked);
  }

  /**
   * One encoded image as model input, on the calling thread (BatchPredict).
   *
   * @throws Rejected saying why the image cannot be used
   */
  byte[] decodeOne(byte[] encoded, int size, int channels) {
    byte[] bytes = decodable(encoded, header(encoded));
    try {
      return decoder(size, channels).decode(List.of(bytes)).join().pixels(0);
    } catch (CompletionException e) {
      if (e.getCause() instanceof ImageDecodeException d) {
        throw undecodable(d);
      }
      throw e;
    }
  }

  private CompletableFuture<List<Prepared>> decodeChecked(Checked c) {
    return decoder(c.size, c.channels).decode(c.encoded).handle((batch, failure) -> {
      if (failure != null) {
        Throwable cause = failure instanceof CompletionException e && e.getCause() != null ? e.getCause() : failure;
        if (cause instanceof ImageDecodeException e) {
          throw invalid("images[" + c.encodedAt.get(e.index()) + "]",
              undecodable(e));
        }
        throw cause instanceof RuntimeException r ? r : new CompletionException(cause);
      }
      for (int j = 0; j < c.encoded.size(); j++) {
        c.out[c.encodedAt.get(j)] = new Prepared(batch.pixels(j), c.hashes.get(j));
      }
      return List.of(c.out);
    });
  }

  private static Rejected undecodable(ImageDecodeException e) {
    return new Rejected("the image cannot be decoded (" + e.getMessage() + ")");
  }

  private static ApiException invalid(String field, Rejected e) {
    return ApiException.invalidArgument(field, field + ": " + e.getMessage());
  }

  private ImageFormat header(byte[] bytes) {
    try {
      return inspector.header(bytes).format();
    } catch (InvalidImageException e) {
      throw new Rejected(e.getMessage());
    }
  }

  private static boolean needsTranscoding(ImageFormat format) {
    return format == ImageFormat.WEBP || format == ImageFormat.TIFF;
  }

  /** The bytes as TF can decode them: WebP and TIFF become PNG. */
  private static byte[] decodable(byte[] bytes, ImageFormat format) {
    if (!needsTranscoding(format)) {
      return bytes;
    }
    try {
      BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
      if (img == null) {
        throw new Rejected("the " + format + " image cannot be decoded");
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageIO.write(img, "png", out);
      return out.toByteArray();
    } catch (IOException | RuntimeException e) {
      if (e instanceof Rejected r) {
        throw r;
      }
      throw new Rejected("the " + format + " image cannot be decoded (" + e.getMessage() + ")");
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

  /** The decoder for one model input shape ({@code size} x {@code size} x {@code channels}). */
  private CoalescingDecoder decoder(int size, int channels) {
    return decoders.computeIfAbsent(new InputShape(size, channels), k -> {
      Decoding decoding = decodings.computeIfAbsent(k, x -> new Decoding(size, size, channels, MAX_PER_RUN,
          decodeThreads));
      return new CoalescingDecoder(decoding::decode, MAX_PER_RUN, decodeThreads, decodeWorkers);
    });
  }

  /** Stops the decode workers, waits for their runs to end, and frees the decoding graphs. */
  @Override
  public void close() throws InterruptedException {
    decodeWorkers.shutdown();
    decodeWorkers.awaitTermination(30, TimeUnit.SECONDS);
    decoders.clear();
    decodings.values().forEach(Decoding::close);
    decodings.clear();
  }
}
