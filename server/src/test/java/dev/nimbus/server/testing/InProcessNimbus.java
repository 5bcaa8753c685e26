package dev.nimbus.server.testing;

import com.google.longrunning.GetOperationRequest;
import com.google.longrunning.Operation;
import com.google.longrunning.OperationsGrpc;
import com.google.longrunning.WaitOperationRequest;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.nimbus.server.NimbusServer;
import dev.nimbus.server.config.ConfigLoader;
import dev.nimbus.server.config.ServerConfig;
import com.google.protobuf.ByteString;
import dev.nimbus.v1.CreateDatasetRequest;
import dev.nimbus.v1.DatasetServiceGrpc;
import dev.nimbus.v1.ImportDataRequest;
import dev.nimbus.v1.InputConfig;
import dev.nimbus.v1.ModelServiceGrpc;
import dev.nimbus.v1.OperationMetadata;
import dev.nimbus.v1.PredictionServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A Nimbus server on the in-process transport with blocking stubs, for service tests. */
public final class InProcessNimbus implements AutoCloseable {
  public final NimbusServer server;
  public final ManagedChannel channel;
  public final DatasetServiceGrpc.DatasetServiceBlockingStub datasets;
  public final ModelServiceGrpc.ModelServiceBlockingStub models;
  public final PredictionServiceGrpc.PredictionServiceBlockingStub predictions;
  public final OperationsGrpc.OperationsBlockingStub operations;

  public InProcessNimbus(Path dataDir) {
    this(dataDir, Map.of());
  }

  public InProcessNimbus(Path dataDir, Map<String, String> settings) {
    Map<String, String> s = new HashMap<>(settings);
    s.putIfAbsent("data-dir", dataDir.toString());
    ServerConfig config = ConfigLoader.load(Map.of(), s);
    String name = InProcessServerBuilder.generateName();
    try {
      server = new NimbusServer(config, InProcessServerBuilder.forName(name), Clock.systemUTC()).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    channel = InProcessChannelBuilder.forName(name).maxInboundMessageSize(64 * 1024 * 1024).build();
    datasets = DatasetServiceGrpc.newBlockingStub(channel);
    models = ModelServiceGrpc.newBlockingStub(channel);
    predictions = PredictionServiceGrpc.newBlockingStub(channel);
    operations = OperationsGrpc.newBlockingStub(channel);
  }

  /** Waits for an operation to finish (at most {@code timeout}) and returns it. */
  public Operation await(Operation op, Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    Operation now = op;
    while (!now.getDone()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("operation " + op.getName() + " not done after " + timeout + ": " + metadata(now));
      }
      now = operations.withDeadlineAfter(30, TimeUnit.SECONDS).waitOperation(WaitOperationRequest.newBuilder()
          .setName(op.getName()).setTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(5)).build());
    }
    return now;
  }

  public Operation await(Operation op) {
    return await(op, Duration.ofSeconds(60));
  }

  /**
   * Creates dataset {@code id} and imports {@code csv} (paths relative to {@code baseUri}) into it; fails the test
   * if the import reports an error.
   */
  public void createDataset(String id, String csv, Path baseUri) {
    datasets.createDataset(CreateDatasetRequest.newBuilder().setDatasetId(id).build());
    Operation op = await(datasets.importData(ImportDataRequest.newBuilder().setName("datasets/" + id)
        .setInputConfig(InputConfig.newBuilder().setCsvContent(ByteString.copyFromUtf8(csv))
            .setBaseUri(baseUri.toString())).build()));
    if (op.hasError()) {
      throw new AssertionError("importing into datasets/" + id + " failed: " + op.getError());
    }
  }

  public Operation get(String name) {
    return operations.getOperation(GetOperationRequest.newBuilder().setName(name).build());
  }

  public static OperationMetadata metadata(Operation op) {
    try {
      return op.getMetadata().unpack(OperationMetadata.class);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    server.close();
  }
}
