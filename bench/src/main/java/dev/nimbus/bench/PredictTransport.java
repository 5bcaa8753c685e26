package dev.nimbus.bench;

import dev.nimbus.v1.Model;
import dev.nimbus.v1.PredictResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * How the load generator's Predict calls reach a server: {@link GrpcTransport} (async stubs on Netty channels) or
 * {@link RestTransport} (the HTTP port's REST/JSON through {@code java.net.http}). The generator keeps the loops,
 * the clock and the counts; a transport only sends one request of a payload and says how it ended, so both
 * transports are measured by the same code. Outcomes are gRPC statuses on both, so errors line up in the tables
 * (REST errors carry the {@code google.rpc.Status} the server sends).
 */
public interface PredictTransport extends AutoCloseable {

  /** How one call ended: OK with the response (null if it could not be read), or the error. */
  @FunctionalInterface
  interface Answer {
    void answered(Status status, PredictResponse response);
  }

  /** A payload readied for this transport's wire. */
  @FunctionalInterface
  interface Prepared {
    /**
     * Sends request {@code index} of the payload over connection {@code connection} (any number: taken modulo
     * the transport's connections). {@code answer} is called exactly once, possibly before this returns; a
     * RuntimeException means the call could not be started and nothing will be answered.
     */
    void predict(long index, int connection, long deadlineNanos, Answer answer);
  }

  /**
   * Readies a payload before a run, so what a run measures is sending, not encoding (REST: the JSON bodies, images
   * in base64). Cheap when called again with the same payload.
   */
  Prepared prepare(PredictPayload payload);

  /** GetModel, blocking; a failure is a StatusRuntimeException with the call's status. */
  Model getModel(String name, Duration deadline);

  /** For the report: {@code gRPC} or {@code REST HTTP/1.1} (see {@link #isRest}). */
  String describe();

  /** Whether a {@link #describe()} names the REST transport. */
  static boolean isRest(String transport) {
    return transport != null && transport.startsWith("REST");
  }

  @Override
  void close();

  /** One Predict, blocking, to check a target before measuring it; a failure is a StatusRuntimeException. */
  default PredictResponse predictOnce(PredictPayload payload, long index, Duration deadline) {
    CompletableFuture<PredictResponse> done = new CompletableFuture<>();
    prepare(payload).predict(index, 0, deadline.toNanos(), (status, response) -> {
      if (status.isOk()) {
        done.complete(response);
      } else {
        done.completeExceptionally(status.asRuntimeException());
      }
    });
    try {
      return done.get(deadline.toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof StatusRuntimeException s ? s
          : Status.UNKNOWN.withCause(e.getCause()).asRuntimeException();
    } catch (TimeoutException e) {
      throw Status.DEADLINE_EXCEEDED.withDescription("no answer, even after the deadline").asRuntimeException();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Status.CANCELLED.withCause(e).asRuntimeException();
    }
  }
}
