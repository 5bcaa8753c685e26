package dev.nimbus.server.grpc;

import com.google.longrunning.Operation;
import dev.nimbus.server.serving.BatchPredictions;
import dev.nimbus.server.serving.Predictions;
import dev.nimbus.v1.BatchPredictRequest;
import dev.nimbus.v1.PredictRequest;
import dev.nimbus.v1.PredictResponse;
import dev.nimbus.v1.PredictionServiceGrpc;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.TimeUnit;

/**
 * PredictionService over gRPC. Predict answers asynchronously: the handler thread only checks the request and
 * hands it on; the response is sent when the image's batches have run. The call's deadline and cancellation go
 * with the request, so one that expires or is cancelled while queued never reaches the engine.
 */
public final class PredictionGrpcService extends PredictionServiceGrpc.PredictionServiceImplBase {
  private final Predictions predictions;
  private final BatchPredictions batchPredictions;

  public PredictionGrpcService(Predictions predictions, BatchPredictions batchPredictions) {
    this.predictions = predictions;
    this.batchPredictions = batchPredictions;
  }

  @Override
  public void predict(PredictRequest request, StreamObserver<PredictResponse> response) {
    Context context = Context.current();
    Deadline deadline = context.getDeadline();
    long timeoutNanos = deadline == null ? Long.MAX_VALUE : deadline.timeRemaining(TimeUnit.NANOSECONDS);
    Unary.replyLater(response, predictions.predict(request, timeoutNanos, context::isCancelled));
  }

  @Override
  public void batchPredict(BatchPredictRequest request, StreamObserver<Operation> response) {
    Unary.reply(response, batchPredictions.start(request));
  }
}
