package dev.nimbus.server.grpc;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import dev.nimbus.server.batching.BatchingException;
import dev.nimbus.server.storage.StorageException;
import dev.nimbus.server.util.ApiException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place exceptions become gRPC statuses: {@link ApiException} with its code, message and details; a
 * status passes through; anything else is INTERNAL with a reference that is also in the server log. No
 * exception reaches a client as UNKNOWN.
 */
public final class StatusMapping {
  private static final Logger log = LoggerFactory.getLogger(StatusMapping.class);

  private StatusMapping() {}

  public static StatusRuntimeException toStatus(Throwable t) {
    Throwable e = unwrap(t);
    if (e instanceof ApiException a) {
      com.google.rpc.Status.Builder s = com.google.rpc.Status.newBuilder()
          .setCode(a.code().value())
          .setMessage(a.getMessage());
      for (Message d : a.details()) {
        s.addDetails(Any.pack(d));
      }
      return StatusProto.toStatusRuntimeException(s.build());
    }
    if (e instanceof BatchingException b) {
      return toStatus(batching(b));
    }
    if (e instanceof StatusRuntimeException s) {
      return s;
    }
    if (e instanceof StatusException s) {
      return new StatusRuntimeException(s.getStatus(), s.getTrailers());
    }
    String ref = Long.toHexString(ThreadLocalRandom.current().nextLong());
    if (e instanceof StorageException) {
      log.error("Storage failure (ref {})", ref, e);
      return Status.INTERNAL.withDescription("the server could not read or write its data directory: "
          + e.getMessage() + " (ref " + ref + ")").asRuntimeException();
    }
    log.error("Unexpected failure (ref {})", ref, e);
    return Status.INTERNAL.withDescription("internal error (ref " + ref + " in the server log)").asRuntimeException();
  }

  /** The batcher's refusals as API errors: the kinds map to the codes DESIGN.md names. */
  static ApiException batching(BatchingException b) {
    String model = b.modelKey() == null ? "the model" : "models/" + b.modelKey().replaceFirst("@.*$", "");
    return switch (b.kind()) {
      case QUEUE_FULL -> ApiException.resourceExhausted("QUEUE_FULL", model + " has as many images waiting as it"
          + " accepts; retry after the suggested delay", b.retryAfter().orElse(java.time.Duration.ofMillis(50)));
      case TOO_LARGE -> ApiException.invalidArgument("images", b.getMessage() + " (send fewer images per request)");
      case DEADLINE_EXCEEDED -> ApiException.of(io.grpc.Status.Code.DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED",
          "the deadline passed while the images waited for " + model + "; they were not run");
      case CANCELLED -> ApiException.of(io.grpc.Status.Code.CANCELLED, "CANCELLED", "the call was cancelled before"
          + " its images ran");
      case SHUT_DOWN -> ApiException.of(io.grpc.Status.Code.UNAVAILABLE, "MODEL_UNDEPLOYED", model
          + " was undeployed (or the server is stopping) while the images waited");
    };
  }

  private static Throwable unwrap(Throwable t) {
    Throwable e = t;
    while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
