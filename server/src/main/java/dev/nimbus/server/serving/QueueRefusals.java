package dev.nimbus.server.serving;

import com.google.rpc.Code;
import dev.nimbus.server.batching.BatchingException;
import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.error.ErrorStatus;
import java.time.Duration;
import java.util.concurrent.CompletionException;

/**
 * The batcher's refusals as API errors, saying which model refused: QUEUE_FULL is RESOURCE_EXHAUSTED with a
 * RetryInfo, TOO_LARGE INVALID_ARGUMENT, a passed deadline DEADLINE_EXCEEDED, a cancelled call CANCELLED, an
 * undeployed model UNAVAILABLE.
 */
final class QueueRefusals {
  private QueueRefusals() {}

  /** {@code failure} as an API error if it is a batcher refusal; otherwise unchanged. */
  static Throwable toApi(Throwable failure, String modelName) {
    return ErrorStatus.unwrap(failure) instanceof BatchingException b ? toApi(b, modelName) : failure;
  }

  /** What a future's stage throws for {@code failure}: a batcher refusal as an API error, anything else as is. */
  static CompletionException completion(Throwable failure, String modelName) {
    return new CompletionException(toApi(failure, modelName));
  }

  static ApiException toApi(BatchingException b, String modelName) {
    return switch (b.kind()) {
      case QUEUE_FULL -> ApiException.resourceExhausted("QUEUE_FULL", modelName + " has as many images waiting as"
          + " it accepts; retry after the suggested delay", b.retryAfter().orElse(Duration.ofMillis(50)));
      case TOO_LARGE -> ApiException.invalidArgument("images", b.getMessage() + " (send fewer images per request)");
      case DEADLINE_EXCEEDED -> ApiException.of(Code.DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED",
          "the deadline passed while the images waited for " + modelName + "; they were not run");
      case CANCELLED -> ApiException.of(Code.CANCELLED, "CANCELLED", "the call was cancelled before its images ran");
      case SHUT_DOWN -> ApiException.of(Code.UNAVAILABLE, "MODEL_UNDEPLOYED", modelName
          + " was undeployed (or the server is stopping) while the images waited");
    };
  }
}
