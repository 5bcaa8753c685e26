package dev.nimbus.client;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Duration;
import dev.nimbus.v1.BatchPredictRequest;
import dev.nimbus.v1.BatchPredictResponse;
import dev.nimbus.v1.ImageInput;
import dev.nimbus.v1.PredictRequest;
import dev.nimbus.v1.PredictResponse;
import dev.nimbus.v1.PredictTimings;
import dev.nimbus.v1.PredictionServiceGrpc;
import io.grpc.Channel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

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

  /**
   * Requests above this size are split: it stays under the server's default message limit (64 MiB) with room
   * for gRPC's framing, and far under what one call should carry anyway.
   */
  public static final int MAX_REQUEST_BYTES = 16 * 1024 * 1024;
  /** The server's default limit of images per Predict request. */
  public static final int MAX_IMAGES_PER_REQUEST = 256;

  /**
   * Classifies 1..N images; one prediction per image, in request order. A request larger than
   * {@link #MAX_REQUEST_BYTES} or than {@link #MAX_IMAGES_PER_REQUEST} images is sent as several calls, at once,
   * and their results joined in order (timings: the slowest part's).
   */
  public PredictResponse predict(PredictRequest request) {
    List<PredictRequest> parts = split(request, MAX_REQUEST_BYTES, MAX_IMAGES_PER_REQUEST);
    if (parts.size() == 1) {
      return blocking.predict(request);
    }
    try {
      return predictAsync(request).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  public CompletableFuture<PredictResponse> predictAsync(PredictRequest request) {
    List<PredictRequest> parts = split(request, MAX_REQUEST_BYTES, MAX_IMAGES_PER_REQUEST);
    if (parts.size() == 1) {
      return Rpc.unary(async::predict, request);
    }
    List<CompletableFuture<PredictResponse>> calls = parts.stream().map(p -> Rpc.unary(async::predict, p)).toList();
    return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenApply(ignored -> join(
        calls.stream().map(CompletableFuture::join).toList()));
  }

  /** Consecutive parts of {@code request}, each under both limits (an image larger than the limit goes alone). */
  static List<PredictRequest> split(PredictRequest request, int maxBytes, int maxImages) {
    if (request.getSerializedSize() <= maxBytes && request.getImagesCount() <= maxImages) {
      return List.of(request);
    }
    PredictRequest empty = request.toBuilder().clearImages().build();
    int overhead = empty.getSerializedSize();
    List<PredictRequest> parts = new ArrayList<>();
    PredictRequest.Builder current = empty.toBuilder();
    long bytes = overhead;
    for (ImageInput image : request.getImagesList()) {
      int size = CodedOutputStream.computeMessageSize(PredictRequest.IMAGES_FIELD_NUMBER, image);
      if (current.getImagesCount() > 0 && (bytes + size > maxBytes || current.getImagesCount() >= maxImages)) {
        parts.add(current.build());
        current = empty.toBuilder();
        bytes = overhead;
      }
      current.addImages(image);
      bytes += size;
    }
    parts.add(current.build());
    return parts;
  }

  private static long nanos(Duration d) {
    return d.getSeconds() * 1_000_000_000L + d.getNanos();
  }

  static PredictResponse join(List<PredictResponse> parts) {
    PredictResponse.Builder b = PredictResponse.newBuilder();
    PredictTimings slowest = null;
    for (PredictResponse r : parts) {
      b.addAllPredictions(r.getPredictionsList());
      if (r.hasTimings() && (slowest == null || nanos(r.getTimings().getTotal()) > nanos(slowest.getTotal()))) {
        slowest = r.getTimings();
      }
    }
    if (slowest != null) {
      b.setTimings(slowest);
    }
    return b.build();
  }

  /** Classifies many images into a JSON Lines file on the server. */
  public OperationFuture<BatchPredictResponse> batchPredict(BatchPredictRequest request) {
    return poller.track(blocking.batchPredict(request), BatchPredictResponse.class);
  }

  public CompletableFuture<OperationFuture<BatchPredictResponse>> batchPredictAsync(BatchPredictRequest request) {
    return Rpc.unary(async::batchPredict, request, operation -> poller.track(operation, BatchPredictResponse.class));
  }
}
