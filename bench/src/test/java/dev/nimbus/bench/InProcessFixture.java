package dev.nimbus.bench;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A fake PredictionService on an in-process server, a channel to it and a load generator over that channel. */
final class InProcessFixture implements AutoCloseable {
  final FakePredictionService fake = new FakePredictionService();
  final Server server;
  final ManagedChannel channel;
  final LoadGenerator gen;

  InProcessFixture() throws IOException {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor().addService(fake).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    gen = new LoadGenerator(List.of(channel));
  }

  @Override
  public void close() {
    gen.close();
    try {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    fake.close();
  }
}
