package dev.nimbus.bench;

import com.google.protobuf.Duration;
import dev.nimbus.v1.ImagePrediction;
import dev.nimbus.v1.LabelScore;
import dev.nimbus.v1.PredictRequest;
import dev.nimbus.v1.PredictResponse;
import dev.nimbus.v1.PredictTimings;
import dev.nimbus.v1.PredictionServiceGrpc;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongUnaryOperator;

/**
 * A PredictionService for tests: answers each call after a delay chosen per call (by its arrival number), refuses
 * calls beyond {@link #limit} in flight with RESOURCE_EXHAUSTED at once, holds every {@link #slowEvery}-th admitted
 * call for {@link #slowNanos} (past the client's deadline, so it fails with DEADLINE_EXCEEDED), and can stall:
 * calls arriving before {@link #stallUntil} are not answered before it. Counts what it did.
 */
final class FakePredictionService extends PredictionServiceGrpc.PredictionServiceImplBase implements AutoCloseable {
  /** Delay in nanoseconds for the call with this arrival number (0-based, admitted calls only). */
  volatile LongUnaryOperator delayNanos = n -> TimeUnit.MILLISECONDS.toNanos(5);
  volatile int limit = Integer.MAX_VALUE;
  volatile long slowEvery = 0;
  volatile long slowNanos = TimeUnit.SECONDS.toNanos(5);
  volatile long stallUntil = 0;
  volatile boolean timings = false;

  final AtomicLong arrivals = new AtomicLong();
  final AtomicLong admitted = new AtomicLong();
  final AtomicLong rejected = new AtomicLong();
  final AtomicLong slow = new AtomicLong();
  final AtomicLong answered = new AtomicLong();
  /** Answered calls by images per call (its "batch size" as far as a metrics endpoint goes), 0..16. */
  final AtomicLongArray batchSizes = new AtomicLongArray(17);
  final AtomicInteger inFlight = new AtomicInteger();
  final AtomicInteger maxInFlight = new AtomicInteger();
  /** System.nanoTime of every arrival. */
  final ConcurrentLinkedQueue<Long> arrivalTimes = new ConcurrentLinkedQueue<>();

  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
    Thread t = new Thread(r, "fake-server");
    t.setDaemon(true);
    return t;
  });

  @Override
  public void predict(PredictRequest request, StreamObserver<PredictResponse> out) {
    long now = System.nanoTime();
    arrivals.incrementAndGet();
    arrivalTimes.add(now);
    int n = inFlight.incrementAndGet();
    if (n > limit) {
      inFlight.decrementAndGet();
      rejected.incrementAndGet();
      out.onError(Status.RESOURCE_EXHAUSTED.withDescription("fake: over " + limit + " calls").asRuntimeException());
      return;
    }
    int m;
    while (n > (m = maxInFlight.get()) && !maxInFlight.compareAndSet(m, n)) {
      // retry
    }
    long k = admitted.getAndIncrement();
    AtomicBoolean released = new AtomicBoolean();
    Runnable release = () -> {
      if (released.compareAndSet(false, true)) {
        inFlight.decrementAndGet();
      }
    };
    ServerCallStreamObserver<PredictResponse> call = (ServerCallStreamObserver<PredictResponse>) out;
    call.setOnCancelHandler(release);
    long delay;
    if (slowEvery > 0 && (k + 1) % slowEvery == 0) {
      slow.incrementAndGet();
      delay = slowNanos;
    } else {
      delay = delayNanos.applyAsLong(k);
      long stall = stallUntil;
      if (now < stall) {
        delay = Math.max(delay, stall - now);
      }
    }
    long answerIn = delay;
    scheduler.schedule(() -> {
      if (call.isCancelled()) {
        release.run();
        return;
      }
      PredictResponse.Builder r = PredictResponse.newBuilder();
      for (int i = 0; i < request.getImagesCount(); i++) {
        r.addPredictions(ImagePrediction.newBuilder().addLabels(LabelScore.newBuilder().setLabel("cat").setScore(0.9f)));
      }
      if (timings && request.getIncludeTimings()) {
        r.setTimings(PredictTimings.newBuilder().setBatchSize(request.getImagesCount())
            .setEngine(Duration.newBuilder().setNanos(1_000_000))
            .setTotal(Duration.newBuilder().setNanos((int) Math.min(999_999_999, answerIn))));
      }
      release.run(); // before answering: the client may send its next call as soon as it has the answer
      answered.incrementAndGet();
      batchSizes.incrementAndGet(Math.min(16, request.getImagesCount()));
      try {
        call.onNext(r.build());
        call.onCompleted();
      } catch (RuntimeException e) {
        // cancelled meanwhile
      }
    }, delay, TimeUnit.NANOSECONDS);
  }

  /** The batch sizes as a Prometheus histogram {@code nimbus_batch_size} for this model. */
  String prometheusText(String model) {
    StringBuilder sb = new StringBuilder("# TYPE nimbus_batch_size histogram\n");
    long cumulative = 0;
    long sum = 0;
    int next = 0;
    for (int le : new int[] {1, 2, 4, 8, 16}) {
      for (; next <= le; next++) {
        cumulative += batchSizes.get(next);
        sum += (long) next * batchSizes.get(next);
      }
      sb.append("nimbus_batch_size_bucket{model=\"").append(model).append("\",le=\"").append(le).append(".0\"} ")
          .append(cumulative).append('\n');
    }
    sb.append("nimbus_batch_size_bucket{model=\"").append(model).append("\",le=\"+Inf\"} ").append(cumulative)
        .append('\n');
    sb.append("nimbus_batch_size_sum{model=\"").append(model).append("\"} ").append(sum).append('\n');
    sb.append("nimbus_batch_size_count{model=\"").append(model).append("\"} ").append(cumulative).append('\n');
    return sb.toString();
  }

  /** Arrivals whose time is within [from, to). */
  long arrivalsBetween(long from, long to) {
    return arrivalTimes.stream().filter(t -> t >= from && t < to).count();
  }

  List<Long> arrivalTimes() {
    return List.copyOf(arrivalTimes);
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
