package dev.nimbus.client;

import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * An in-process server under a unique name with the given fakes, and one channel to it; what GrpcCleanupRule
 * does for JUnit 4, closed from an {@code @AfterEach}. It records the {@code x-api-key} header of every call.
 */
final class InProcessServer implements AutoCloseable {
  static final String NO_HEADER = "<none>";

  /** The x-api-key of each call, in arrival order; {@link #NO_HEADER} when absent. */
  final List<String> apiKeys = new CopyOnWriteArrayList<>();
  private final Server server;
  private final ManagedChannel channel;

  private InProcessServer(BindableService... services) throws IOException {
    String name = InProcessServerBuilder.generateName();
    InProcessServerBuilder builder = InProcessServerBuilder.forName(name);
    ServerInterceptor recordApiKey = new ServerInterceptor() {
      @Override
      public <Q, S> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, S> call, Metadata headers, ServerCallHandler<Q, S> next) {
        String key = headers.get(NimbusClient.API_KEY_HEADER);
        apiKeys.add(key == null ? NO_HEADER : key);
        return next.startCall(call, headers);
      }
    };
    for (BindableService service : services) {
      builder.addService(ServerInterceptors.intercept(service, recordApiKey));
    }
    this.server = builder.build().start();
    this.channel = InProcessChannelBuilder.forName(name).build();
  }

  static InProcessServer start(BindableService... services) throws IOException {
    return new InProcessServer(services);
  }

  ManagedChannel channel() {
    return channel;
  }

  @Override
  public void close() {
    channel.shutdownNow();
    server.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
