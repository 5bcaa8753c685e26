package dev.nimbus.server.grpc;

import com.google.longrunning.Operation;
import dev.nimbus.server.util.ApiException;
import dev.nimbus.v1.BatchPredictRequest;
import dev.nimbus.v1.PredictRequest;
import dev.nimbus.v1.PredictResponse;
import dev.nimbus.v1.PredictionServiceGrpc;
import io.grpc.stub.StreamObserver;

/** PredictionService: serving arrives with a later milestone; until then both methods say so. */
public final class PredictionGrpcService extends PredictionServiceGrpc.PredictionServiceImplBase {
  @Override
  public void predict(PredictRequest request, StreamObserver<PredictResponse> response) {
    throw ApiException.unimplemented("Predict is not available in this Nimbus release yet: models cannot be"
        + " trained or deployed yet");
  }

  @Override
  public void batchPredict(BatchPredictRequest request, StreamObserver<Operation> response) {
    throw ApiException.unimplemented("BatchPredict is not available in this Nimbus release yet: models cannot be"
        + " trained or deployed yet");
  }
}
