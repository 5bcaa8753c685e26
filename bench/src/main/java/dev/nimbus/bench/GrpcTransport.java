package dev.nimbus.bench;

import dev.nimbus.v1.GetModelRequest;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.ModelServiceGrpc;
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
 * client's next call.
 */
final class GrpcTransport implements PredictTransport {
  private final List<PredictionServiceStub> stubs = new ArrayList<>();
  private final List<ManagedChannel> owned;
  private final EventLoopGroup group;

  /** Over channels the caller owns (and closes). */
  GrpcTransport(List<? extends Channel> channels) {
    this(channels, List.of(), null);
  }

  private GrpcTransport(List<? extends Channel> channels, List<ManagedChannel> owned, EventLoopGroup group) {
    if (channels.isEmpty()) {
      throw new IllegalArgumentException("no channels");
    }
    for (Channel c : channels) {
      stubs.add(PredictionServiceGrpc.newStub(c));
    }
    this.owned = owned;
    this.group = group;
  }

  /**
   * Plaintext channels to {@code target} (e.g. {@code localhost:8080}) tuned as {@code t} says, on an NIO event
   * loop whose threads are named {@code nimbus-loadgen-io-*} so their CPU is reported; closed by {@link #close}.
   */
  static GrpcTransport connect(String target, LoadGenerator.Tuning t) {
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
    return new GrpcTransport(channels, channels, group);
  }

  @Override
  public Prepared prepare(PredictPayload payload) {
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

  @Override
  public Model getModel(String name, Duration deadline) {
    return ModelServiceGrpc.newBlockingStub(stubs.get(0).getChannel())
        .withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
        .getModel(GetModelRequest.newBuilder().setName(name).build());
  }

  @Override
  public String describe() {
    return "gRPC";
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
