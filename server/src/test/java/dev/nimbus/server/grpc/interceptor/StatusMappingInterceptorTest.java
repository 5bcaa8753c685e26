package dev.nimbus.server.grpc.interceptor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.rpc.ErrorInfo;
import dev.nimbus.v1.Dataset;
import dev.nimbus.v1.DatasetServiceGrpc;
import dev.nimbus.v1.GetDatasetRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;

/** A handler that throws, an Error included, reaches the client as INTERNAL with a reference, never UNKNOWN. */
class StatusMappingInterceptorTest {
  @Test
  void handlerThrowingAnError_isInternalWithAReference_andTheServerKeepsServing() throws Exception {
    DatasetServiceGrpc.DatasetServiceImplBase broken = new DatasetServiceGrpc.DatasetServiceImplBase() {
      @Override
      public void getDataset(GetDatasetRequest request, StreamObserver<Dataset> response) {
        if (request.getName().equals("deep")) {
          throw new StackOverflowError("deep recursion in /srv/secret/Handler.java");
        }
        response.onNext(Dataset.newBuilder().setName(request.getName()).build());
        response.onCompleted();
      }
    };
    String name = InProcessServerBuilder.generateName();
    Server server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(ServerInterceptors.intercept(broken, new StatusMappingInterceptor())).build().start();
    ManagedChannel ch = InProcessChannelBuilder.forName(name).directExecutor().build();
    try {
      DatasetServiceGrpc.DatasetServiceBlockingStub stub = DatasetServiceGrpc.newBlockingStub(ch);
      assertThatThrownBy(() -> stub.getDataset(GetDatasetRequest.newBuilder().setName("deep").build()))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
            assertThat(e.getStatus().getDescription()).contains("ref ").doesNotContain("secret")
                .doesNotContain("StackOverflowError");
            assertThat(StatusProto.fromThrowable(e).getDetailsList()).anyMatch(a -> a.is(ErrorInfo.class));
          });
      assertThat(stub.getDataset(GetDatasetRequest.newBuilder().setName("fine").build()).getName())
          .isEqualTo("fine");
    } finally {
      ch.shutdownNow();
      server.shutdownNow();
    }
  }
}
