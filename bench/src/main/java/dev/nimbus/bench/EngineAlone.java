package dev.nimbus.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * "The engine alone": an in-process loop over the inference engine (a DJL Predictor on pre-decoded batches), the
 * ceiling the served numbers are compared against. The server side implements it; the report only needs {@link
 * Result}s. {@link #loop} does the timing, so an implementation is usually a few lines:
 *
 * <pre>{@code
 * EngineAlone engine = (batchSize, warmup, duration) -> {
 *   List<Image> batch = preDecodedBatch(batchSize);           // built once, outside the timed loop
 *   return EngineAlone.loop("djl tf mobilenet_v2 cpu", batchSize, warmup, duration,
 *       () -> predictor.batchPredict(batch));
 * };
 * List<EngineAlone.Result> results = EngineAlone.measureAll(engine, List.of(1, 8, 32), warmup, duration);
 * }</pre>
 *
 * Run it on the same machine as the serving runs, with the servers idle or stopped, so ratios compare like with like.
 */
@FunctionalInterface
public interface EngineAlone {

  /** Runs batches of {@code batchSize} pre-decoded images for {@code duration} after {@code warmup}. */
  Result measure(int batchSize, Duration warmup, Duration duration) throws Exception;

  /**
   * @param label what ran, e.g. {@code djl tf mobilenet_v2 cpu}
   * @param batchSize images per engine call
   * @param batches calls timed
   * @param seconds time they took (wall)
   * @param imagesPerSecond {@code batches * batchSize / seconds}
   * @param batchLatency per call
   */
  record Result(String label, int batchSize, long batches, double seconds, double imagesPerSecond,
      LatencyStats batchLatency) {}

  /** One engine call on a prepared batch. */
  @FunctionalInterface
  interface BatchCall {
    void run() throws Exception;
  }

  /** Calls {@code call} in a loop: untimed for {@code warmup}, then timed (each call and the total) for {@code duration}. */
  static Result loop(String label, int batchSize, Duration warmup, Duration duration, BatchCall call)
      throws Exception {
    long warmEnd = System.nanoTime() + warmup.toNanos();
    while (System.nanoTime() < warmEnd) {
      call.run();
    }
    Histogram h = new Histogram(3);
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    long now = start;
    long batches = 0;
    while (now < end) {
      long t = System.nanoTime();
      call.run();
      now = System.nanoTime();
      h.recordValue((now - t) / 1000);
      batches++;
    }
    double seconds = (now - start) / 1e9;
    return new Result(label, batchSize, batches, Math.round(seconds * 1000) / 1000.0,
        Math.round(batches * batchSize / seconds * 10) / 10.0, LatencyStats.ofMicros(h));
  }

  /** {@link #measure} at each batch size, in order. */
  static List<Result> measureAll(EngineAlone engine, List<Integer> batchSizes, Duration warmup,
      Duration duration) throws Exception {
    List<Result> out = new ArrayList<>();
    for (int b : batchSizes) {
      out.add(engine.measure(b, warmup, duration));
    }
    return out;
  }
}
