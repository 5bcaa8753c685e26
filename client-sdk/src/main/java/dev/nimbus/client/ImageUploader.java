package dev.nimbus.client;

import com.google.protobuf.ByteString;
import dev.nimbus.v1.DatasetServiceGrpc.DatasetServiceBlockingStub;
import dev.nimbus.v1.FindMissingImagesRequest;
import dev.nimbus.v1.FindMissingImagesResponse.MissingImage;
import dev.nimbus.v1.ImageChunk;
import dev.nimbus.v1.UploadImagesRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Sends the images of {@link LocalImages} the server lacks: hashes every image (SHA-256), asks FindMissingImages
 * which it lacks and how much of each an earlier, interrupted upload delivered, then sends the rest from there
 * with UploadImages: small images several per call, a large one in consecutive chunks, a few calls in flight.
 * Nothing the server holds is sent again, so a repeated upload sends no image bytes and an interrupted one resumes.
 */
final class ImageUploader {
  /** Image bytes per UploadImages call: well under the server's default message limit (64 MiB). */
  static final int CALL_BYTES = 4 * 1024 * 1024;
  private static final int HASHES_PER_CALL = 10_000;
  private static final int CALLS_IN_FLIGHT = 4;

  private final DatasetServiceBlockingStub stub;
  private final String dataset;
  private final Consumer<UploadProgress> progress;

  ImageUploader(DatasetServiceBlockingStub stub, String dataset, Consumer<UploadProgress> progress) {
    this.stub = stub;
    this.dataset = dataset;
    this.progress = progress;
  }

  /** The outcome of {@link #upload}: URI -> hash for ImportData, and what was sent. */
  record Sent(Map<String, String> hashes, int imagesSent, long bytesSent, List<String> notSent) {}

  Sent upload(LocalImages local) {
    Map<String, String> hashes = new LinkedHashMap<>();
    Map<String, LocalImages.Image> byHash = new LinkedHashMap<>();
    List<String> notSent = new ArrayList<>();
    int total = local.images().size();
    for (LocalImages.Image image : local.images().values()) {
      if (image.size() == 0 || !looksLikeImage(image)) {
        // A CSV could name any file here (../../.ssh/id_rsa): only images leave this machine. Its row fails on
        // the server as not uploaded.
        notSent.add(image.uri());
        continue;
      }
      String sha = sha256(image);
      hashes.put(image.uri(), sha);
      byHash.putIfAbsent(sha, image);
      progress.accept(new UploadProgress(UploadProgress.Stage.HASHING, hashes.size(), total, 0, 0));
    }
    List<String> all = new ArrayList<>(byHash.keySet());
    List<MissingImage> missing = new ArrayList<>();
    for (int i = 0; i < all.size(); i += HASHES_PER_CALL) {
      missing.addAll(stub.findMissingImages(FindMissingImagesRequest.newBuilder().setParent(dataset)
          .addAllSha256(all.subList(i, Math.min(all.size(), i + HASHES_PER_CALL))).build()).getMissingList());
    }
    long toSend = 0;
    for (MissingImage m : missing) {
      toSend += byHash.get(m.getSha256()).size() - m.getReceivedBytes();
    }
    AtomicLong sent = new AtomicLong();
    AtomicInteger done = new AtomicInteger(all.size() - missing.size());
    long bytesToSend = toSend;
    progress.accept(new UploadProgress(UploadProgress.Stage.UPLOADING, done.get(), byHash.size(), 0, bytesToSend));
    ExecutorService pool = Executors.newFixedThreadPool(CALLS_IN_FLIGHT, r -> {
      Thread t = new Thread(r, "nimbus-upload");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<?>> calls = new ArrayList<>();
      for (List<MissingImage> pack : packs(missing, byHash)) {
        calls.add(pool.submit(() -> {
          send(pack, byHash, sent, done, bytesToSend);
          return null;
        }));
      }
      for (Future<?> call : calls) {
        await(call);
      }
    } finally {
      pool.shutdownNow();
    }
    return new Sent(hashes, missing.size(), sent.get(), notSent);
  }

  /** Groups small images into calls of about {@link #CALL_BYTES}; a large image is a pack of its own. */
  private static List<List<MissingImage>> packs(List<MissingImage> missing, Map<String, LocalImages.Image> byHash) {
    List<List<MissingImage>> packs = new ArrayList<>();
    List<MissingImage> current = new ArrayList<>();
    long bytes = 0;
    for (MissingImage m : missing) {
      long left = byHash.get(m.getSha256()).size() - m.getReceivedBytes();
      if (left > CALL_BYTES) {
        packs.add(List.of(m));
        continue;
      }
      if (bytes + left > CALL_BYTES && !current.isEmpty()) {
        packs.add(current);
        current = new ArrayList<>();
        bytes = 0;
      }
      current.add(m);
      bytes += left;
    }
    if (!current.isEmpty()) {
      packs.add(current);
    }
    return packs;
  }

  /** Sends a pack: one call for small images, consecutive calls for the chunks of a large one. */
  private void send(List<MissingImage> pack, Map<String, LocalImages.Image> byHash, AtomicLong sent,
      AtomicInteger done, long bytesToSend) throws IOException {
    UploadImagesRequest.Builder call = UploadImagesRequest.newBuilder().setParent(dataset);
    for (MissingImage m : pack) {
      LocalImages.Image image = byHash.get(m.getSha256());
      long size = image.size();
      try (InputStream in = image.open()) {
        in.skipNBytes(m.getReceivedBytes());
        long offset = m.getReceivedBytes();
        while (offset < size) {
          byte[] data = in.readNBytes((int) Math.min(CALL_BYTES, size - offset));
          if (data.length == 0) {
            throw new IOException(image.uri() + " became shorter while it was uploaded");
          }
          call.addChunks(ImageChunk.newBuilder().setSha256(m.getSha256()).setOffset(offset).setTotalBytes(size)
              .setData(ByteString.copyFrom(data)));
          offset += data.length;
          if (offset < size) { // a large image: send this chunk before reading the next
            stub.uploadImages(call.build());
            call.clearChunks();
            progress(sent.addAndGet(data.length), done.get(), byHash.size(), bytesToSend);
          } else {
            sent.addAndGet(data.length);
            break;
          }
        }
      }
    }
    if (call.getChunksCount() > 0) {
      stub.uploadImages(call.build());
    }
    progress(sent.get(), done.addAndGet(pack.size()), byHash.size(), bytesToSend);
  }

  private void progress(long sent, int done, int total, long bytesToSend) {
    progress.accept(new UploadProgress(UploadProgress.Stage.UPLOADING, done, total, sent, bytesToSend));
  }

  private static void await(Future<?> call) {
    try {
      call.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while uploading", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof IOException io) {
        throw new UncheckedIOException(io);
      }
      throw new IllegalStateException(cause);
    }
  }

  /** The first bytes are those of a JPEG, PNG, GIF, BMP, WebP or TIFF file. */
  static boolean looksLikeImage(LocalImages.Image image) {
    byte[] h;
    try (InputStream in = image.open()) {
      h = in.readNBytes(12);
    } catch (IOException e) {
      return false;
    }
    return starts(h, 0xFF, 0xD8, 0xFF) || starts(h, 0x89, 'P', 'N', 'G') || starts(h, 'G', 'I', 'F', '8')
        || starts(h, 'B', 'M') || starts(h, 'I', 'I', 42, 0) || starts(h, 'M', 'M', 0, 42)
        || (starts(h, 'R', 'I', 'F', 'F') && h.length >= 12 && h[8] == 'W' && h[9] == 'E' && h[10] == 'B'
            && h[11] == 'P');
  }

  private static boolean starts(byte[] h, int... magic) {
    if (h.length < magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if ((h[i] & 0xFF) != magic[i]) {
        return false;
      }
    }
    return true;
  }

  private static String sha256(LocalImages.Image image) {
    try (DigestInputStream in = new DigestInputStream(image.open(), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(in.getMessageDigest().digest());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + image.uri(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
