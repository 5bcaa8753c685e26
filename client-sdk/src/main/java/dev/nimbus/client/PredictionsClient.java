package dev.nimbus.client;

import dev.nimbus.v1.BatchPredictRequest;
import dev.nimbus.v1.BatchPredictResponse;
import dev.nimbus.v1.PredictRequest;
import dev.nimbus.v1.PredictResponse;
import dev.nimbus.v1.PredictionServiceGrpc;
import io.grpc.Channel;
import java.util.concurrent.CompletableFuture;

/**
 * Predictions from deployed models. Predict answers {@code FAILED_PRECONDITION} if the model is not deployed and
 * {@code RESOURCE_EXHAUSTED} with a RetryInfo when its queue is full; {@link NimbusErrors#describe} shows both.
 */
public final class PredictionsClient {
  private final PredictionServiceGrpc.PredictionServiceBlockingStub blocking;
  private final PredictionServiceGrpc.PredictionServiceStub async;
  private final OperationPoller poller;

  PredictionsClient(Channel channel, OperationPoller poller) {
    this.blocking = PredictionServiceGrpc.newBlockingStub(channel);
    this.async = PredictionServiceGrpc.newStub(channel);
    this.poller = poller;
  }

  /** Classifies 1..N images; one prediction per image, in request order. */
  public PredictResponse predict(PredictRequest request) {
    return blocking.predict(request);
  }

  public CompletableFuture<PredictResponse> predictAsync(PredictRequest request) {
    return Rpc.unary(async::predict, request);
  }

  /** Classifies many images into a JSON Lines file on the server. */
  public OperationFuture<BatchPredictResponse> batchPredict(BatchPredictRequest request) {
    return poller.track(blocking.batchPredict(request), BatchPredictResponse.class);
  }

  public CompletableFuture<OperationFuture<BatchPredictResponse>> batchPredictAsync(BatchPredictRequest request) {
    return Rpc.unary(async::batchPredict, request, operation -> poller.track(operation, BatchPredictResponse.class));
  }
}
