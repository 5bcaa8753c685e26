package dev.nimbus.server.serving;

import dev.nimbus.server.engine.ImageBatch;
import dev.nimbus.server.engine.ImageDecodeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Decodes the images of concurrent requests together. A TF session run costs about 80 us before it decodes
 * anything (measured on 2 cores: a 28x28 PNG takes 97 us alone, 20 us in a run of 32), so under load, small
 * images decoded one request per run spend most of their time on overhead.
 *
 * <p>Requests queue their images and get a future. At most {@code maxWorkers} workers (tasks on {@code executor})
 * drain the queue: each takes every queued request up to {@code maxImages} images, decodes them in one run, and
 * completes each request's future with its slice. A request arriving at an idle decoder starts a worker at once,
 * so a lone request never waits for company; under load, requests pile up while the workers are busy and the next
 * run takes them all. A run that fails (an image TF cannot decode) is redone one request at a time, so that only
 * the request with the bad image fails, with its own image's index.
 */
final class CoalescingDecoder {
  /** A request's images inside a decoded batch: {@code count} images from image {@code first}. */
  record Slice(ImageBatch batch, int first, int count) {
    /** The pixels of the slice's {@code i}-th image, a copy. */
    byte[] pixels(int i) {
      int per = batch.height() * batch.width() * batch.channels();
      byte[] out = new byte[per];
      System.arraycopy(batch.pixels(), (first + i) * per, out, 0, per);
      return out;
    }
  }

  private record Pending(List<byte[]> encoded, CompletableFuture<Slice> done) {}

  private final Function<List<byte[]>, ImageBatch> decode;
  private final int maxImages;
  private final int maxWorkers;
  private final Executor executor;
  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger workers = new AtomicInteger();

  /**
   * @param decode decodes a list of encoded images in one go, throwing {@link ImageDecodeException} naming the
   *     first bad one
   * @param maxImages images per combined run (a single larger request still runs whole)
   * @param maxWorkers runs at once
   * @param executor runs the workers; it must accept {@code maxWorkers} tasks
   */
  CoalescingDecoder(Function<List<byte[]>, ImageBatch> decode, int maxImages, int maxWorkers, Executor executor) {
    if (maxImages < 1 || maxWorkers < 1) {
      throw new IllegalArgumentException("maxImages: %s, maxWorkers: %s (expected: >= 1)".formatted(maxImages,
          maxWorkers));
    }
    this.decode = decode;
    this.maxImages = maxImages;
    this.maxWorkers = maxWorkers;
    this.executor = executor;
  }

  /** Decodes {@code encoded}, perhaps together with other requests' images; completes on a worker. */
  CompletableFuture<Slice> decode(List<byte[]> encoded) {
    Pending mine = new Pending(List.copyOf(encoded), new CompletableFuture<>());
    queue.add(mine);
    startWorkerIfRoom();
    return mine.done();
  }

  /** Images waiting for a run. */
  int queuedImages() {
    int n = 0;
    for (Pending p : queue) {
      n += p.encoded().size();
    }
    return n;
  }

  private void startWorkerIfRoom() {
    while (true) {
      int running = workers.get();
      if (running >= maxWorkers) {
        return; // A busy worker takes the request when its run ends.
      }
      if (workers.compareAndSet(running, running + 1)) {
        try {
          executor.execute(this::work);
        } catch (RuntimeException e) {
          // The executor is shutting down: nobody will decode what is queued, unless a worker still runs.
          if (workers.decrementAndGet() == 0) {
            failQueued(e);
          }
        }
        return;
      }
    }
  }

  private void work() {
    while (true) {
      List<Pending> group = take();
      if (group.isEmpty()) {
        workers.decrementAndGet();
        // A request queued after take() but before the decrement saw no room for a worker: take it after all.
        if (queue.isEmpty()) {
          return;
        }
        int running = workers.get();
        if (running >= maxWorkers || !workers.compareAndSet(running, running + 1)) {
          return; // Another worker is there to take it.
        }
        continue;
      }
      run(group);
    }
  }

  private List<Pending> take() {
    List<Pending> group = new ArrayList<>();
    int images = 0;
    synchronized (queue) {
      for (Pending p = queue.peek(); p != null && (group.isEmpty() || images + p.encoded().size() <= maxImages);
          p = queue.peek()) {
        queue.poll();
        group.add(p);
        images += p.encoded().size();
      }
    }
    return group;
  }

  private void run(List<Pending> group) {
    if (group.size() == 1) {
      alone(group.get(0));
      return;
    }
    List<byte[]> all = new ArrayList<>();
    group.forEach(p -> all.addAll(p.encoded()));
    ImageBatch batch;
    try {
      batch = decode.apply(all);
    } catch (ImageDecodeException | IllegalArgumentException e) {
      group.forEach(this::alone);
      return;
    } catch (RuntimeException | Error e) {
      group.forEach(p -> p.done().completeExceptionally(e));
      return;
    }
    int first = 0;
    for (Pending p : group) {
      p.done().complete(new Slice(batch, first, p.encoded().size()));
      first += p.encoded().size();
    }
  }

  private void alone(Pending p) {
    try {
      ImageBatch batch = decode.apply(p.encoded());
      p.done().complete(new Slice(batch, 0, p.encoded().size()));
    } catch (RuntimeException | Error e) {
      p.done().completeExceptionally(e);
    }
  }

  private void failQueued(RuntimeException e) {
    for (Pending p = queue.poll(); p != null; p = queue.poll()) {
      p.done().completeExceptionally(e);
    }
  }
}
