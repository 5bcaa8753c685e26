package dev.nimbus.server.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchingOptionsTest {

  @Test
  void constructor_zeroMaxBatchSize_saysWhatWasGiven() {
    assertThatThrownBy(() -> new BatchingOptions(0, Duration.ofMillis(5), 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxBatchSize: 0 (expected: > 0)");
  }

  @Test
  void constructor_negativeDelay_saysWhatWasGiven() {
    assertThatThrownBy(() -> new BatchingOptions(4, Duration.ofMillis(-1), 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxBatchDelay: PT-0.001S (expected: >= 0)");
  }

  @Test
  void constructor_nullDelay_namesTheField() {
    assertThatThrownBy(() -> new BatchingOptions(4, null, 10))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("maxBatchDelay");
  }

  @Test
  void constructor_queueSmallerThanOneBatch_refused() {
    assertThatThrownBy(() -> new BatchingOptions(4, Duration.ZERO, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxQueuedImages: 3 (expected: >= maxBatchSize, 4)");
  }

  @Test
  void constructor_hugeDelay_saturatesInsteadOfOverflowing() {
    BatchingOptions options = new BatchingOptions(1, Duration.ofDays(365L * 1000), 1);

    assertThat(options.maxBatchDelayNanos()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void builder_negativeThreads_saysWhatWasGiven() {
    assertThatThrownBy(() -> BatchScheduler.builder().batchThreads(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batchThreads: -1 (expected: >= 0)");
  }

  @Test
  void register_keyTwice_refused() {
    try (BatchScheduler scheduler = BatchScheduler.builder().batchThreads(0).build()) {
      scheduler.register("m", new BatchingOptions(1, Duration.ZERO, 1), new FakeEngine("m"));

      assertThatThrownBy(() -> scheduler.register("m", new BatchingOptions(1, Duration.ZERO, 1), new FakeEngine("m")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("modelKey: m (expected: not registered already)");
    }
  }

  @Test
  void unregister_unknownKey_refused() {
    try (BatchScheduler scheduler = BatchScheduler.builder().batchThreads(0).build()) {
      assertThatThrownBy(() -> scheduler.unregister("nope"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("modelKey: nope (expected: a registered model)");
    }
  }

  @Test
  void submit_emptyOrNullInputs_refusedLoudly() {
    try (BatchScheduler scheduler = BatchScheduler.builder().batchThreads(0).build()) {
      ModelQueue<String, String> queue =
          scheduler.register("m", new BatchingOptions(1, Duration.ZERO, 1), new FakeEngine("m"));

      assertThatThrownBy(() -> queue.submit(List.of()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("inputs: [] (expected: at least one image)");
      assertThatThrownBy(() -> queue.submit(Arrays.asList("a", null)))
          .isInstanceOf(NullPointerException.class);
      assertThat(queue.queuedImages()).isZero();
    }
  }

  @Test
  void runReady_onThreadedScheduler_refused() {
    try (BatchScheduler scheduler = BatchScheduler.builder().batchThreads(1).build()) {
      assertThatThrownBy(scheduler::runReady)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("batchThreads(0)");
    }
  }
}
