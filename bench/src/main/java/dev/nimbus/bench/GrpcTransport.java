package dev.nimbus.bench;

import com.google.cloud.automl.v1.ExamplePayload;
import com.google.cloud.automl.v1.Image;
import dev.nimbus.v1.GetModelRequest;
import dev.nimbus.v1.ImagePrediction;
import dev.nimbus.v1.LabelScore;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.ModelServiceGrpc;
import dev.nimbus.v1.PredictRequest;
import dev.nimbus.v1.PredictResponse;
import dev.nimbus.v1.PredictionServiceGrpc;
import dev.nimbus.v1.PredictionServiceGrpc.PredictionServiceStub;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Predict over gRPC: plain async {@link PredictionServiceGrpc} stubs, calls spread over the channels. With {@link
 * #connect}'s channels answers arrive on the Netty event loop (direct executor), which also sends a closed-loop
 * client's next call. With {@code automl}, the same calls go to Cloud AutoML's {@code PredictionService} on the
 * same port (one image per request, as AutoML's Predict takes), to measure what the AutoML adapter costs.
 */
final class GrpcTransport implements PredictTransport {
  /** The project and location AutoML names carry; any are accepted. */
  private static final String AUTOML_LOCATION = "projects/bench/locations/local/";

  private final List<PredictionServiceStub> stubs = new ArrayList<>();
  private final List<com.google.cloud.automl.v1.PredictionServiceGrpc.PredictionServiceStub> automlStubs =
      new ArrayList<>();
  private final boolean automl;
  private final List<ManagedChannel> owned;
  private final EventLoopGroup group;

  /** Over channels the caller owns (and closes). */
  GrpcTransport(List<? extends Channel> channels) {
    this(channels, List.of(), null, false);
  }

  private GrpcTransport(List<? extends Channel> channels, List<ManagedChannel> owned, EventLoopGroup group,
      boolean automl) {
    if (channels.isEmpty()) {
      throw new IllegalArgumentException("no channels");
    }
    for (Channel c : channels) {
      stubs.add(PredictionServiceGrpc.newStub(c));
      automlStubs.add(com.google.cloud.automl.v1.PredictionServiceGrpc.newStub(c));
    }
    this.automl = automl;
    this.owned = owned;
    this.group = group;
  }

  /**
   * Plaintext channels to {@code target} (e.g. {@code localhost:8080}) tuned as {@code t} says, on an NIO event
   * loop whose threads are named {@code nimbus-loadgen-io-*} so their CPU is reported; closed by {@link #close}.
   */
  static GrpcTransport connect(String target, LoadGenerator.Tuning t) {
    return connect(target, t, false);
  }

  /** As {@link #connect(String, LoadGenerator.Tuning)}, calling Cloud AutoML's Predict when {@code automl}. */
  static GrpcTransport connect(String target, LoadGenerator.Tuning t, boolean automl) {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(t.eventLoopThreads(),
        new DefaultThreadFactory(CpuMeter.THREAD_PREFIX + "-io", true), NioIoHandler.newFactory());
    List<ManagedChannel> channels = new ArrayList<>();
    for (int i = 0; i < t.connections(); i++) {
      NettyChannelBuilder b = NettyChannelBuilder.forTarget(target)
          .eventLoopGroup(group)
          .channelType(NioSocketChannel.class)
          .usePlaintext()
          .disableRetry() // a retried call would be measured as one slow call, and hide errors
          .disableServiceConfigLookUp()
          .maxInboundMessageSize(t.maxInboundMessageBytes());
      if (t.directExecutor()) {
        b.directExecutor();
      }
      if (t.flowControlWindowBytes() > 0) {
        b.flowControlWindow(t.flowControlWindowBytes());
      }
      if (t.apiKey() != null && !t.apiKey().isEmpty()) {
        Metadata h = new Metadata();
        h.put(Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER), t.apiKey());
        b.intercept(MetadataUtils.newAttachHeadersInterceptor(h));
      }
      channels.add(b.build());
    }
    return new GrpcTransport(channels, channels, group, automl);
  }

  @Override
  public Prepared prepare(PredictPayload payload) {
    if (automl) {
      return prepareAutoMl(payload);
    }
    return (index, connection, deadlineNanos, answer) ->
        stubs.get(Math.floorMod(connection, stubs.size())).withDeadlineAfter(deadlineNanos, TimeUnit.NANOSECONDS)
            .predict(payload.request(index), new StreamObserver<>() {
              private PredictResponse response;

              @Override
              public void onNext(PredictResponse r) {
                response = r;
              }

              @Override
              public void onError(Throwable t) {
                answer.answered(Status.fromThrowable(t), null);
              }

              @Override
              public void onCompleted() {
                answer.answered(Status.OK, response);
              }
            });
  }

  /** AutoML's requests, built once before the runs; answers are turned into Nimbus's response shape. */
  private Prepared prepareAutoMl(PredictPayload payload) {
    List<com.google.cloud.automl.v1.PredictRequest> requests = new ArrayList<>();
    for (int i = 0; i < payload.size(); i++) {
      PredictRequest r = payload.request(i);
      if (r.getImagesCount() != 1 || !r.getImages(0).hasImageBytes()) {
        throw new IllegalArgumentException("AutoML's Predict takes one encoded image per request (payload jpeg,"
            + " images-per-request 1)");
      }
      requests.add(com.google.cloud.automl.v1.PredictRequest.newBuilder()
          .setName(AUTOML_LOCATION + r.getName())
          .setPayload(ExamplePayload.newBuilder().setImage(Image.newBuilder()
              .setImageBytes(r.getImages(0).getImageBytes())))
          .putParams("score_threshold", "0")
          .build());
    }
    return (index, connection, deadlineNanos, answer) ->
        automlStubs.get(Math.floorMod(connection, automlStubs.size()))
            .withDeadlineAfter(deadlineNanos, TimeUnit.NANOSECONDS)
            .predict(requests.get((int) Math.floorMod(index, (long) requests.size())), new StreamObserver<>() {
              private PredictResponse response;

              @Override
              public void onNext(com.google.cloud.automl.v1.PredictResponse r) {
                // As Nimbus's response, so both transports' answers are checked alike.
                ImagePrediction.Builder p = ImagePrediction.newBuilder();
                r.getPayloadList().forEach(a -> p.addLabels(LabelScore.newBuilder().setLabel(a.getDisplayName())
                    .setScore(a.getClassification().getScore())));
                response = PredictResponse.newBuilder().addPredictions(p).build();
              }

              @Override
              public void onError(Throwable t) {
                answer.answered(Status.fromThrowable(t), null);
              }

              @Override
              public void onCompleted() {
                answer.answered(Status.OK, response);
              }
            });
  }

  @Override
  public Model getModel(String name, Duration deadline) {
    return ModelServiceGrpc.newBlockingStub(stubs.get(0).getChannel())
        .withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
        .getModel(GetModelRequest.newBuilder().setName(name).build());
  }

  @Override
  public String describe() {
    return automl ? "gRPC, Cloud AutoML API" : "gRPC";
  }

  @Override
  public void close() {
    for (ManagedChannel c : owned) {
      c.shutdownNow();
    }
    try {
      for (ManagedChannel c : owned) {
        c.awaitTermination(5, TimeUnit.SECONDS);
      }
      if (group != null) {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
