package dev.nimbus.bench;

import dev.nimbus.v1.PredictResponse;
import dev.nimbus.v1.PredictTimings;
import io.grpc.Channel;
import io.grpc.Status;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Drives Predict calls at a server through a {@link PredictTransport} (gRPC stubs or REST/JSON): a closed loop of C
 * clients or an open loop at a fixed rate (see {@link LoadSpec}). A handful of threads drive any number of calls:
 * answers are handled on the transport's callback thread (for gRPC the Netty event loop with {@link
 * Tuning#directExecutor}), which also sends a closed-loop client's next call; the open loop has one scheduler
 * thread. Timing, counting and the loops are here, the same for every transport.
 *
 * <p>Use {@link #connect} for gRPC channels tuned for measuring (one event-loop thread, no retries, callbacks
 * without a thread hop; its threads are named {@code nimbus-loadgen-*} so their CPU is reported), {@link #rest}
 * for the HTTP port, or give your own channels. One generator runs one scenario at a time.
 */
public final class LoadGenerator implements AutoCloseable {

  /**
   * How {@link #connect} builds its gRPC channels.
   *
   * @param eventLoopThreads Netty event-loop threads shared by the connections (1 is plenty for thousands of
   *     calls/s and leaves the cores to the server)
   * @param connections separate HTTP/2 connections (ManagedChannels); calls are spread over them. More than one
   *     only matters if the server caps concurrent streams per connection
   * @param directExecutor run callbacks on the event loop, without a hop to a thread pool
   * @param flowControlWindowBytes fixed HTTP/2 receive window; 0: grpc's default (1 MiB, auto-tuned by BDP pings).
   *     It governs responses only; how fast requests go out is governed by the server's window
   * @param maxInboundMessageBytes largest response accepted
   * @param apiKey sent as {@code x-api-key}, or null
   */
  public record Tuning(int eventLoopThreads, int connections, boolean directExecutor, int flowControlWindowBytes,
      int maxInboundMessageBytes, String apiKey) {
    public static Tuning defaults() {
      return new Tuning(1, 1, true, 0, 16 << 20, null);
    }

    public Tuning withApiKey(String key) {
      return new Tuning(eventLoopThreads, connections, directExecutor, flowControlWindowBytes, maxInboundMessageBytes,
          key);
    }

    public Tuning withConnections(int n) {
      return new Tuning(eventLoopThreads, n, directExecutor, flowControlWindowBytes, maxInboundMessageBytes, apiKey);
    }

    public Tuning withEventLoopThreads(int n) {
      return new Tuning(n, connections, directExecutor, flowControlWindowBytes, maxInboundMessageBytes, apiKey);
    }
  }

  /** Called on the thread running {@link #run} at the measured window's edges (e.g. to read server metrics). */
  public interface WindowListener {
    default void windowStart() {}

    default void windowEnd() {}
  }

  private final PredictTransport transport;
  private final ScheduledExecutorService timer;

  /** Over gRPC channels the caller owns (and closes). */
  public LoadGenerator(List<? extends Channel> channels) {
    this(new GrpcTransport(channels));
  }

  /** Over this transport, which {@link #close} closes. */
  public LoadGenerator(PredictTransport transport) {
    this.transport = transport;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, CpuMeter.THREAD_PREFIX + "-timer");
      t.setDaemon(true);
      return t;
    });
  }

  /** Plaintext gRPC channels to {@code target} (e.g. {@code localhost:8080}) tuned as {@code t} says. */
  public static LoadGenerator connect(String target, Tuning t) {
    return new LoadGenerator(GrpcTransport.connect(target, t));
  }

  /** Cloud AutoML's Predict on the gRPC port at {@code target}: the AutoML adapter's cost against {@link #connect}. */
  public static LoadGenerator automl(String target, Tuning t) {
    return new LoadGenerator(GrpcTransport.connect(target, t, true));
  }

  /** REST/JSON to the HTTP port at {@code baseUrl} (e.g. {@code http://localhost:8471}); see {@link RestTransport}. */
  public static LoadGenerator rest(String baseUrl, int clients, HttpClient.Version version, String apiKey) {
    return new LoadGenerator(RestTransport.connect(baseUrl, new RestTransport.Options(clients, version, apiKey)));
  }

  /** How calls are sent (also for single calls to the same server, e.g. GetModel). */
  public PredictTransport transport() {
    return transport;
  }

  public LoadResult run(LoadSpec spec, PredictPayload payload) throws InterruptedException {
    return run(spec, payload, new WindowListener() {});
  }

  /** Runs one scenario: warm-up, the measured window, then waits for the measured calls to finish. */
  public synchronized LoadResult run(LoadSpec spec, PredictPayload payload, WindowListener listener)
      throws InterruptedException {
    return new Run(spec, payload).execute(listener);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    transport.close();
  }

  /** Runs tasks queued while one is running on this thread after it, not inside it (no deep recursion). */
  private static final ThreadLocal<ArrayDeque<Runnable>> TRAMPOLINE = new ThreadLocal<>();

  private static void trampoline(Runnable r) {
    ArrayDeque<Runnable> q = TRAMPOLINE.get();
    if (q != null) {
      q.add(r);
      return;
    }
    q = new ArrayDeque<>();
    TRAMPOLINE.set(q);
    try {
      r.run();
      Runnable next;
      while ((next = q.poll()) != null) {
        next.run();
      }
    } finally {
      TRAMPOLINE.remove();
    }
  }

  private final class Run {
    private final LoadSpec spec;
    private final PredictPayload payload;
    private final PredictTransport.Prepared calls;
    private final long deadlineNanos;
    private final long t0;
    private final long windowStart;
    private final long plannedEnd;
    private volatile long windowEnd;
    private volatile boolean stopping;
    private volatile boolean closed;
    private final CountDownLatch limitReached = new CountDownLatch(1);

    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final AtomicLong measuredSent = new AtomicLong();
    private final AtomicLong measuredOutstanding = new AtomicLong();
    private final AtomicLong seq = new AtomicLong();
    private final LongAdder ok = new LongAdder();
    private final LongAdder okInWindow = new LongAdder();
    private final LongAdder okImagesInWindow = new LongAdder();
    private final AtomicLongArray codes = new AtomicLongArray(Status.Code.values().length);
    private final Map<String, LongAdder> clientErrors = new ConcurrentHashMap<>();
    private final Histogram okLatency = new ConcurrentHistogram(3);
    private final Histogram rejected = new ConcurrentHistogram(3);
    private final Histogram sendLag = new ConcurrentHistogram(3);
    private final Histogram decode = new ConcurrentHistogram(3);
    private final Histogram queue = new ConcurrentHistogram(3);
    private final Histogram engine = new ConcurrentHistogram(3);
    private final Histogram total = new ConcurrentHistogram(3);
    private final LongAdder timings = new LongAdder();
    private final LongAdder batchSizeSum = new LongAdder();

    Run(LoadSpec spec, PredictPayload payload) {
      this.spec = spec;
      this.payload = payload;
      this.calls = transport.prepare(payload); // before t0: encoding is not part of the run
      this.deadlineNanos = spec.deadline().toNanos();
      this.t0 = System.nanoTime();
      this.windowStart = t0 + spec.warmup().toNanos();
      this.plannedEnd = windowStart + spec.duration().toNanos();
      this.windowEnd = plannedEnd;
    }

    LoadResult execute(WindowListener listener) throws InterruptedException {
      Thread openLoop = null;
      if (spec.mode() == LoadSpec.Mode.CLOSED) {
        // From the timer thread: with an in-process server and direct executors every call may complete inline,
        // and the trampoline then takes the clients in turn.
        timer.execute(() -> trampoline(() -> {
          for (int c = 0; c < spec.concurrency(); c++) {
            int client = c;
            trampoline(() -> issue(client));
          }
        }));
      } else {
        openLoop = new Thread(this::openLoop, CpuMeter.THREAD_PREFIX + "-open");
        openLoop.setDaemon(true);
        openLoop.start();
      }
      sleepUntil(windowStart);
      CpuMeter.Snapshot cpu0 = CpuMeter.snapshot();
      listener.windowStart();
      long end = plannedEnd;
      long wait = plannedEnd - System.nanoTime();
      if (wait > 0 && limitReached.await(wait, TimeUnit.NANOSECONDS)) {
        // maxRequests reached: the window ends when those calls are done
        stopping = true;
        awaitMeasured(System.nanoTime() + deadlineNanos + TimeUnit.SECONDS.toNanos(2));
        end = Math.min(plannedEnd, System.nanoTime());
        windowEnd = end;
      } else {
        sleepUntil(plannedEnd);
      }
      CpuMeter.Snapshot cpu1 = CpuMeter.snapshot();
      listener.windowEnd();
      stopping = true;
      long drainBy = System.nanoTime() + deadlineNanos + TimeUnit.SECONDS.toNanos(2);
      while (inFlight.get() > 0 && System.nanoTime() < drainBy) {
        Thread.sleep(2);
      }
      closed = true;
      if (openLoop != null) {
        openLoop.join(5000);
      }
      long unfinished = measuredOutstanding.get();
      if (unfinished > 0) {
        clientError("unfinished", unfinished);
      }
      return result(Math.max(1, end - windowStart) / 1e9, CpuMeter.between(cpu0, cpu1));
    }

    private void awaitMeasured(long by) throws InterruptedException {
      while (measuredOutstanding.get() > 0 && System.nanoTime() < by) {
        Thread.sleep(1);
      }
    }

    // ---- closed loop

    private void issue(int client) {
      if (stopping) {
        return;
      }
      long now = System.nanoTime();
      if (now >= windowEnd) {
        return;
      }
      boolean measured = now >= windowStart;
      boolean last = false;
      if (measured) {
        long k = measuredSent.incrementAndGet();
        if (spec.maxRequests() > 0) {
          if (k > spec.maxRequests()) {
            return;
          }
          last = k == spec.maxRequests();
        }
      }
      send(seq.getAndIncrement(), client, now, measured, failed -> next(client, failed));
      if (last) {
        stopping = true;
        limitReached.countDown();
      }
    }

    private void next(int client, int failed) {
      long pause = failed == 0 ? 0 : spec.pauseAfterError().toNanos();
      if (failed == 2) {
        pause = Math.max(pause, TimeUnit.MILLISECONDS.toNanos(1)); // the stub threw: don't spin
      }
      if (pause > 0) {
        if (!stopping) {
          timer.schedule(() -> trampoline(() -> issue(client)), pause, TimeUnit.NANOSECONDS);
        }
      } else {
        trampoline(() -> issue(client));
      }
    }

    // ---- open loop

    private void openLoop() {
      Random rnd = new Random(spec.seed());
      double gap = 1e9 / spec.ratePerSecond();
      double at = t0;
      long i = 0;
      while (!stopping) {
        long intended = (long) at;
        if (intended >= plannedEnd) {
          break;
        }
        long now = System.nanoTime();
        if (now < intended) {
          LockSupport.parkNanos(intended - now);
          continue;
        }
        boolean measured = intended >= windowStart;
        boolean last = false;
        if (measured) {
          long k = measuredSent.incrementAndGet();
          if (spec.maxRequests() > 0) {
            if (k > spec.maxRequests()) {
              break;
            }
            last = k == spec.maxRequests();
          }
          sendLag.recordValue(Math.max(0, now - intended) / 1000);
        }
        if (inFlight.get() >= spec.maxOutstanding()) {
          if (measured) {
            clientError("outstanding-cap", 1);
          }
        } else {
          long idx = i;
          trampoline(() -> send(idx, (int) idx, intended, measured, null));
        }
        i++;
        at += spec.arrivals() == LoadSpec.Arrivals.UNIFORM ? gap : -Math.log(1 - rnd.nextDouble()) * gap;
        if (last) {
          stopping = true;
          limitReached.countDown();
          break;
        }
      }
      // Stay alive until the run stops, so the window's closing CPU reading still sees this thread.
      while (!stopping) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
      }
    }

    // ---- one call

    /** Continuation's argument: 0 ok, 1 failed (status), 2 the stub threw. */
    private void send(long index, int connection, long intended, boolean measured, IntConsumer then) {
      int images = payload.imageCount(index);
      int n = inFlight.incrementAndGet();
      int m;
      while (n > (m = maxInFlight.get()) && !maxInFlight.compareAndSet(m, n)) {
        // retry
      }
      if (measured) {
        measuredOutstanding.incrementAndGet();
      }
      Call call = new Call(intended, measured, images, then);
      try {
        calls.predict(index, connection, deadlineNanos, call);
      } catch (RuntimeException e) {
        call.threw();
      }
    }

    private final class Call implements PredictTransport.Answer {
      private final long intended;
      private final boolean measured;
      private final int images;
      private final IntConsumer then;
      private boolean done;

      Call(long intended, boolean measured, int images, IntConsumer then) {
        this.intended = intended;
        this.measured = measured;
        this.images = images;
        this.then = then;
      }

      @Override
      public void answered(Status status, PredictResponse response) {
        finish(status, response, false);
      }

      void threw() {
        finish(null, null, true);
      }

      private void finish(Status status, PredictResponse response, boolean threw) {
        synchronized (this) {
          if (done) {
            return;
          }
          done = true;
        }
        long now = System.nanoTime();
        int outcome = threw ? 2 : status.isOk() ? 0 : 1;
        boolean good = outcome == 0 && response != null && response.getPredictionsCount() == images;
        if (!closed) {
          if (measured) {
            long micros = (now - intended) / 1000;
            if (threw) {
              clientError("send-failed", 1);
            } else if (status.isOk()) {
              if (good) {
                ok.increment();
                okLatency.recordValue(micros);
                if (response.hasTimings()) {
                  recordTimings(response.getTimings());
                }
              } else {
                clientError("bad-response", 1);
              }
            } else {
              codes.incrementAndGet(status.getCode().ordinal());
              if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
                rejected.recordValue(micros);
              }
            }
            measuredOutstanding.decrementAndGet();
          }
          if (good && now >= windowStart && now <= windowEnd) {
            okInWindow.increment();
            okImagesInWindow.add(images);
          }
        }
        inFlight.decrementAndGet();
        if (then != null) {
          then.accept(good || outcome == 0 ? 0 : outcome);
        }
      }
    }

    private void recordTimings(PredictTimings t) {
      timings.increment();
      batchSizeSum.add(t.getBatchSize());
      if (t.hasDecode()) {
        decode.recordValue(micros(t.getDecode()));
      }
      if (t.hasQueue()) {
        queue.recordValue(micros(t.getQueue()));
      }
      if (t.hasEngine()) {
        engine.recordValue(micros(t.getEngine()));
      }
      if (t.hasTotal()) {
        total.recordValue(micros(t.getTotal()));
      }
    }

    private static long micros(com.google.protobuf.Duration d) {
      return Math.max(0, d.getSeconds() * 1_000_000L + d.getNanos() / 1000);
    }

    private void clientError(String kind, long n) {
      clientErrors.computeIfAbsent(kind, k -> new LongAdder()).add(n);
    }

    private LoadResult result(double window, CpuMeter.Usage cpu) {
      Map<String, Long> errors = new TreeMap<>();
      Status.Code[] all = Status.Code.values();
      for (int i = 0; i < all.length; i++) {
        long n = codes.get(i);
        if (n > 0) {
          errors.put(all[i].name(), n);
        }
      }
      Map<String, Long> client = new TreeMap<>();
      clientErrors.forEach((k, v) -> client.put(k, v.sum()));
      LoadResult.ServerTimings st = null;
      if (timings.sum() > 0) {
        st = new LoadResult.ServerTimings(timings.sum(), round((double) batchSizeSum.sum() / timings.sum()),
            LatencyStats.ofMicros(decode), LatencyStats.ofMicros(queue), LatencyStats.ofMicros(engine),
            LatencyStats.ofMicros(total));
      }
      boolean open = spec.mode() == LoadSpec.Mode.OPEN;
      long sent = measuredSent.get();
      if (spec.maxRequests() > 0) {
        sent = Math.min(sent, spec.maxRequests());
      }
      return new LoadResult(spec.name(), spec.mode().name(), open ? 0 : spec.concurrency(),
          open ? spec.ratePerSecond() : 0, open ? spec.arrivals().name() : "", payload.description(),
          payload.minImages(), payload.maxImages(), payload.meanRequestBytes(), spec.deadline().toMillis(),
          seconds(spec.warmup()), round(window), sent, round(sent / window), ok.sum(),
          round(okInWindow.sum() / window), round(okImagesInWindow.sum() / window), LatencyStats.ofMicros(okLatency),
          LatencyStats.ofMicros(rejected), errors, client, open ? LatencyStats.ofMicros(sendLag) : null,
          maxInFlight.get(), st, cpu, null);
    }
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  private static double round(double v) {
    return Math.round(v * 1000.0) / 1000.0;
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
    }
  }
}
