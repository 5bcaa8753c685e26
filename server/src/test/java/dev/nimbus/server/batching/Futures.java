package dev.nimbus.server.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

final class Futures {
  private Futures() {}

  /** The BatchingException a future failed with; fails the test if it did not fail that way (or is not done). */
  static BatchingException batchingFailure(CompletableFuture<?> future) {
    assertThat(future).isCompletedExceptionally();
    try {
      future.join();
    } catch (CompletionException e) {
      assertThat(e.getCause()).isInstanceOf(BatchingException.class);
      return (BatchingException) e.getCause();
    }
    return fail("not failed: " + future);
  }
}
