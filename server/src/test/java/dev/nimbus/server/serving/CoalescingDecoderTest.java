package dev.nimbus.server.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nimbus.server.engine.ImageBatch;
import dev.nimbus.server.engine.ImageDecodeException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Concurrent requests' images decoded in shared runs: each caller gets exactly its own pixels, a bad image fails
 * only its own request, and a lone caller is never held up. The "decoder" here turns each one-byte "image" into a
 * 1x1 gray pixel of that value; 0 is undecodable.
 */
class CoalescingDecoderTest {
  private final List<Integer> runSizes = new CopyOnWriteArrayList<>();

  private ImageBatch fake(List<byte[]> encoded) {
    runSizes.add(encoded.size());
    byte[] px = new byte[encoded.size()];
    for (int i = 0; i < encoded.size(); i++) {
      if (encoded.get(i)[0] == 0) {
        throw new ImageDecodeException(i, "not an image", null);
      }
      px[i] = encoded.get(i)[0];
    }
    return new ImageBatch(px, encoded.size(), 1, 1, 1);
  }

  private static List<byte[]> images(int... values) {
    List<byte[]> out = new ArrayList<>();
    for (int v : values) {
      out.add(new byte[] {(byte) v});
    }
    return out;
  }

  private final ExecutorService workers = Executors.newFixedThreadPool(2);

  @org.junit.jupiter.api.AfterEach
  void stopWorkers() {
    workers.shutdownNow();
  }

  @Test
  void aLoneRequest_isDecodedAtOnce_inItsOwnRun() throws Exception {
    CoalescingDecoder d = new CoalescingDecoder(this::fake, 32, 2, workers);
    CoalescingDecoder.Slice s = d.decode(images(7, 8, 9)).get(10, TimeUnit.SECONDS);
    assertThat(s.count()).isEqualTo(3);
    assertThat(s.pixels(0)).containsExactly(7);
    assertThat(s.pixels(2)).containsExactly(9);
    assertThat(runSizes).containsExactly(3);
  }

  @Test
  void requestsArrivingDuringARun_shareTheNextOne_andEachGetsItsOwnPixels() throws Exception {
    CountDownLatch inFirstRun = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Function<List<byte[]>, ImageBatch> blockingFirst = encoded -> {
      if (runSizes.isEmpty()) {
        inFirstRun.countDown();
        await(release);
      }
      return fake(encoded);
    };
    CoalescingDecoder d = new CoalescingDecoder(blockingFirst, 32, 1, workers);
    CompletableFuture<CoalescingDecoder.Slice> first = d.decode(images(1));
    assertThat(inFirstRun.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<CoalescingDecoder.Slice> second = d.decode(images(2, 3));
    CompletableFuture<CoalescingDecoder.Slice> third = d.decode(images(4));
    assertThat(d.queuedImages()).isEqualTo(3);
    release.countDown();
    assertThat(first.get(10, TimeUnit.SECONDS).pixels(0)).containsExactly(1);
    CoalescingDecoder.Slice s2 = second.get(10, TimeUnit.SECONDS);
    assertThat(s2.count()).isEqualTo(2);
    assertThat(s2.pixels(0)).containsExactly(2);
    assertThat(s2.pixels(1)).containsExactly(3);
    assertThat(third.get(10, TimeUnit.SECONDS).pixels(0)).containsExactly(4);
    assertThat(runSizes).as("the two that waited shared one run").containsExactly(1, 3);
  }

  @Test
  void aBadImage_failsOnlyItsRequest_withItsOwnIndex() throws Exception {
    CountDownLatch inFirstRun = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Function<List<byte[]>, ImageBatch> blockingFirst = encoded -> {
      if (runSizes.isEmpty()) {
        runSizes.add(-1);
        inFirstRun.countDown();
        await(release);
      }
      return fake(encoded);
    };
    CoalescingDecoder d = new CoalescingDecoder(blockingFirst, 32, 1, workers);
    CompletableFuture<CoalescingDecoder.Slice> first = d.decode(images(1));
    assertThat(inFirstRun.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<CoalescingDecoder.Slice> good = d.decode(images(5, 6));
    CompletableFuture<CoalescingDecoder.Slice> bad = d.decode(images(7, 0));
    release.countDown();
    first.get(10, TimeUnit.SECONDS);
    assertThat(good.get(10, TimeUnit.SECONDS).pixels(1)).containsExactly(6);
    assertThatThrownBy(() -> bad.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(ImageDecodeException.class)
        .cause().satisfies(e -> assertThat(((ImageDecodeException) e).index()).isEqualTo(1));
    assertThat(runSizes).as("the shared run failed, then each ran alone").containsExactly(-1, 1, 4, 2, 2);
  }

  @Test
  void manyConcurrentRequests_allGetTheirOwnPixels_andRunsStayWithinTheLimit() throws Exception {
    Function<List<byte[]>, ImageBatch> slow = encoded -> {
      long until = System.nanoTime() + 50_000;
      while (System.nanoTime() < until) {
        Thread.onSpinWait();
      }
      return fake(encoded);
    };
    CoalescingDecoder d = new CoalescingDecoder(slow, 8, 2, workers);
    ExecutorService callers = Executors.newFixedThreadPool(8);
    try {
      List<CompletableFuture<Void>> calls = new ArrayList<>();
      for (int c = 0; c < 2000; c++) {
        int v = 1 + c % 100;
        int n = 1 + c % 3;
        calls.add(CompletableFuture.supplyAsync(() -> {
          int[] values = new int[n];
          Arrays.fill(values, v);
          return d.decode(images(values));
        }, callers).thenCompose(f -> f).thenAccept(s -> {
          assertThat(s.count()).isEqualTo(n);
          for (int i = 0; i < n; i++) {
            assertThat(s.pixels(i)).containsExactly(v);
          }
        }));
      }
      CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      assertThat(runSizes.stream().mapToInt(Integer::intValue).sum()).as("every image decoded once").isEqualTo(3999);
      assertThat(runSizes).allMatch(n -> n <= 8);
      assertThat(runSizes.size()).as("runs were shared").isLessThan(2000);
      assertThat(d.queuedImages()).isZero();
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  void requestsOneAfterAnother_neverWaitForAWorkerThatLeft() throws Exception {
    CoalescingDecoder d = new CoalescingDecoder(this::fake, 32, 2, workers);
    for (int i = 1; i <= 5000; i++) {
      assertThat(d.decode(images(1 + i % 100)).get(10, TimeUnit.SECONDS).pixels(0)).containsExactly(1 + i % 100);
    }
  }

  @Test
  void aRequestLargerThanTheLimit_runsWhole() throws Exception {
    CoalescingDecoder d = new CoalescingDecoder(this::fake, 2, 1, workers);
    assertThat(d.decode(images(1, 2, 3, 4, 5)).get(10, TimeUnit.SECONDS).count()).isEqualTo(5);
    assertThat(runSizes).containsExactly(5);
  }

  @Test
  void aStoppedExecutor_failsTheRequest_insteadOfLosingIt() {
    workers.shutdownNow();
    CoalescingDecoder d = new CoalescingDecoder(this::fake, 32, 2, workers);
    assertThatThrownBy(() -> d.decode(images(1)).get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(RejectedExecutionException.class);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
