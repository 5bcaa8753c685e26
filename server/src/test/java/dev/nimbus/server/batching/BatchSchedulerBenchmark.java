package dev.nimbus.server.batching;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Not a test (Surefire does not pick it up): the scheduler's own overhead, through a runner that does nothing.
 *
 * <pre>
 *   mvn -q -o test-compile
 *   java -cp target/classes:target/test-classes dev.nimbus.server.batching.BatchSchedulerBenchmark
 * </pre>
 */
public final class BatchSchedulerBenchmark {
  private static final BatchRunner<Integer, Integer> NO_OP = inputs -> inputs;

  private BatchSchedulerBenchmark() {}

  public static void main(String[] args) throws Exception {
    System.out.printf("%d cores, %s%n", Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"));
    System.out.println("-- throughput: 2 submitter threads, 1-image requests, up to 512 in flight each, delay 0");
    for (int maxBatchSize : new int[] {1, 32}) {
      for (int batchThreads : new int[] {1, 2}) {
        throughput(maxBatchSize, batchThreads, 1);
      }
    }
    System.out.println("-- throughput: 32-image requests");
    throughput(32, 2, 32);
    System.out.println("-- added latency at low load: one request at a time, submit to completion seen by the caller");
    latency(1, 1);
    latency(32, 1);
    latency(32, 2);
    System.out.println("-- idle CPU of the batch threads");
    idleCpu();
  }

  private static void throughput(int maxBatchSize, int batchThreads, int imagesPerRequest) throws Exception {
    AtomicLong batches = new AtomicLong();
    BatchListener listener = new BatchListener() {
      @Override
      public void onBatch(BatchRun batch) {
        batches.incrementAndGet();
      }
    };
    try (BatchScheduler scheduler =
        BatchScheduler.builder().batchThreads(batchThreads).listener(listener).build()) {
      ModelQueue<Integer, Integer> queue =
          scheduler.register("m", new BatchingOptions(maxBatchSize, Duration.ZERO, 1 << 20), () -> NO_OP);
      List<Integer> request = new ArrayList<>();
      for (int i = 0; i < imagesPerRequest; i++) {
        request.add(i);
      }
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong images = new AtomicLong();
      List<Thread> submitters = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        submitters.add(new Thread(() -> {
          Semaphore inFlight = new Semaphore(512);
          while (!stop.get()) {
            inFlight.acquireUninterruptibly();
            queue.submit(request).whenComplete((r, e) -> {
              if (e == null) {
                images.addAndGet(r.size());
              }
              inFlight.release();
            });
          }
          inFlight.acquireUninterruptibly(512);
        }));
      }
      submitters.forEach(Thread::start);
      Thread.sleep(1000); // warm-up
      long images0 = images.get();
      long batches0 = batches.get();
      long start = System.nanoTime();
      Thread.sleep(3000);
      long elapsed = System.nanoTime() - start;
      long doneImages = images.get() - images0;
      long doneBatches = batches.get() - batches0;
      stop.set(true);
      for (Thread t : submitters) {
        t.join();
      }
      System.out.printf("maxBatchSize %2d, %d batch thread(s), %2d images/request: %,10.0f images/s, mean batch %.1f%n",
          maxBatchSize, batchThreads, imagesPerRequest, doneImages * 1e9 / elapsed,
          (double) doneImages / Math.max(1, doneBatches));
    }
  }

  private static void latency(int maxBatchSize, int batchThreads) {
    try (BatchScheduler scheduler = BatchScheduler.builder().batchThreads(batchThreads).build()) {
      ModelQueue<Integer, Integer> queue =
          scheduler.register("m", new BatchingOptions(maxBatchSize, Duration.ZERO, 1024), () -> NO_OP);
      List<Integer> one = List.of(1);
      int warmup = 20_000;
      int n = 50_000;
      long[] nanos = new long[n];
      for (int i = 0; i < warmup + n; i++) {
        long start = System.nanoTime();
        CompletableFuture<List<Integer>> f = queue.submit(one);
        f.join();
        if (i >= warmup) {
          nanos[i - warmup] = System.nanoTime() - start;
        }
      }
      Arrays.sort(nanos);
      System.out.printf("maxBatchSize %2d, %d batch thread(s): p50 %5.1f us, p99 %6.1f us, p99.9 %6.1f us%n",
          maxBatchSize, batchThreads, nanos[n / 2] / 1e3, nanos[(int) (n * 0.99)] / 1e3,
          nanos[(int) (n * 0.999)] / 1e3);
    }
  }

  private static void idleCpu() throws Exception {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    try (BatchScheduler scheduler = BatchScheduler.builder().batchThreads(2).build()) {
      ModelQueue<Integer, Integer> queue =
          scheduler.register("m", new BatchingOptions(8, Duration.ofHours(1), 64), () -> NO_OP);
      for (String phase : new String[] {"nothing queued", "a partial batch due in an hour"}) {
        if (phase.startsWith("a partial")) {
          queue.submit(List.of(1));
        }
        Thread.sleep(100);
        long before = batchThreadCpu(mx);
        Thread.sleep(2000);
        System.out.printf("%s: batch threads used %.3f ms CPU in 2 s%n", phase, (batchThreadCpu(mx) - before) / 1e6);
      }
    }
  }

  private static long batchThreadCpu(ThreadMXBean mx) {
    long total = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("nimbus-batch-")) {
        total += mx.getThreadCpuTime(t.getId());
      }
    }
    return total;
  }
}
