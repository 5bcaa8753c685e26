package dev.nimbus.server.grpc.interceptor;

import static dev.nimbus.server.testing.Statuses.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.RetryInfo;
import dev.nimbus.v1.Dataset;
import dev.nimbus.v1.DatasetServiceGrpc;
import dev.nimbus.v1.GetDatasetRequest;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConcurrencyLimitInterceptorTest {
  @Test
  void interceptCall_refusesBeyondTheLimitAtOnce_andReleasesThePermitWhenACallEnds() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    DatasetServiceGrpc.DatasetServiceImplBase slow = new DatasetServiceGrpc.DatasetServiceImplBase() {
      @Override
      public void getDataset(GetDatasetRequest request, StreamObserver<Dataset> response) {
        if (request.getName().equals("slow")) {
          entered.countDown();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        response.onNext(Dataset.newBuilder().setName(request.getName()).build());
        response.onCompleted();
      }
    };
    ConcurrencyLimitInterceptor limit = new ConcurrencyLimitInterceptor(1);
    // Outside the limit (intercept applies the last first): it hears a call end after the limit has released it.
    // Every call ends once, completed or cancelled; the refused one too.
    Semaphore ended = new Semaphore(0);
    ServerInterceptor completions = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        return new SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
          @Override
          public void onComplete() {
            super.onComplete();
            ended.release();
          }

          @Override
          public void onCancel() {
            super.onCancel();
            ended.release();
          }
        };
      }
    };
    String name = InProcessServerBuilder.generateName();
    Server server = InProcessServerBuilder.forName(name).executor(Executors.newFixedThreadPool(4))
        .addService(ServerInterceptors.intercept(slow, limit, completions)).build().start();
    ManagedChannel ch = InProcessChannelBuilder.forName(name).build();
    try {
      var first = DatasetServiceGrpc.newFutureStub(ch).getDataset(GetDatasetRequest.newBuilder().setName("slow").build());
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      DatasetServiceGrpc.DatasetServiceBlockingStub stub = DatasetServiceGrpc.newBlockingStub(ch);
      StatusRuntimeException e = assertFails(Status.Code.RESOURCE_EXHAUSTED, "retry shortly",
          () -> stub.getDataset(GetDatasetRequest.newBuilder().setName("fast").build()));
      assertThat(StatusProto.fromThrowable(e).getDetailsList()).anyMatch(a -> a.is(RetryInfo.class));
      release.countDown();
      assertThat(first.get(10, TimeUnit.SECONDS).getName()).isEqualTo("slow");
      // The server learns a call is complete just after the client has its answer: wait until it has, for the
      // slow and the refused call, before the next call needs the permit back.
      assertThat(ended.tryAcquire(2, 10, TimeUnit.SECONDS)).as("slow and refused ended").isTrue();
      assertThat(stub.getDataset(GetDatasetRequest.newBuilder().setName("fast").build()).getName()).isEqualTo("fast");
      assertThat(ended.tryAcquire(1, 10, TimeUnit.SECONDS)).as("fast ended").isTrue();
      assertThat(limit.inFlight()).isZero();
    } finally {
      ch.shutdownNow();
      server.shutdownNow();
    }
  }
}
