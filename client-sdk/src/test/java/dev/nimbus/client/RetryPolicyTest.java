package dev.nimbus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.longrunning.OperationsGrpc;
import dev.nimbus.api.Idempotency;
import dev.nimbus.v1.ClassificationType;
import dev.nimbus.v1.CreateDatasetRequest;
import dev.nimbus.v1.Dataset;
import dev.nimbus.v1.DatasetServiceGrpc;
import dev.nimbus.v1.GetDatasetRequest;
import dev.nimbus.v1.ModelServiceGrpc;
import dev.nimbus.v1.PredictionServiceGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The channel retries reads on UNAVAILABLE through its service config, and never retries what changes state. */
class RetryPolicyTest {
  @Test
  void everyRetriedMethodExists_andNoneChangesState() {
    Set<String> methods = new HashSet<>();
    for (ServiceDescriptor s : List.of(DatasetServiceGrpc.getServiceDescriptor(),
        ModelServiceGrpc.getServiceDescriptor(), PredictionServiceGrpc.getServiceDescriptor(),
        OperationsGrpc.getServiceDescriptor())) {
      for (MethodDescriptor<?, ?> m : s.getMethods()) {
        methods.add(m.getFullMethodName());
      }
    }
    assertThat(methods).containsAll(RetryPolicy.retried());
    assertThat(RetryPolicy.retried()).noneMatch(m -> m.matches(".*/(Create|Import|Update|Delete|Deploy|Undeploy"
        + "|Export|BatchPredict).*"));
  }

  @Test
  void retried_isWhatTheProtosDeclare_readsAndCancel() {
    assertThat(RetryPolicy.retried()).containsExactlyInAnyOrder(
        "nimbus.v1.DatasetService/GetDataset",
        "nimbus.v1.DatasetService/ListDatasets",
        "nimbus.v1.DatasetService/GetDatasetStats",
        "nimbus.v1.DatasetService/ListAnnotationSpecs",
        "nimbus.v1.DatasetService/ListExamples",
        "nimbus.v1.DatasetService/GetExample",
        "nimbus.v1.DatasetService/ReadExampleImage",
        "nimbus.v1.DatasetService/FindMissingImages",
        "nimbus.v1.ModelService/GetModel",
        "nimbus.v1.ModelService/ListModels",
        "nimbus.v1.ModelService/GetModelEvaluation",
        "nimbus.v1.ModelService/ListModelEvaluations",
        "nimbus.v1.PredictionService/Predict",
        "google.longrunning.Operations/GetOperation",
        "google.longrunning.Operations/ListOperations",
        "google.longrunning.Operations/WaitOperation",
        "google.longrunning.Operations/CancelOperation");
  }

  @Test
  void everyMethodOfEveryService_hasALevel() {
    int methods = 0;
    for (ServiceDescriptor s : List.of(DatasetServiceGrpc.getServiceDescriptor(),
        ModelServiceGrpc.getServiceDescriptor(), PredictionServiceGrpc.getServiceDescriptor(),
        OperationsGrpc.getServiceDescriptor())) {
      methods += s.getMethods().size();
      for (MethodDescriptor<?, ?> m : s.getMethods()) {
        assertThat(Idempotency.all()).containsKey(m.getFullMethodName());
      }
    }
    assertThat(Idempotency.all()).hasSize(methods);
  }

  @Test
  void getIsRetriedOnUnavailable_createIsNot() throws Exception {
    AtomicInteger gets = new AtomicInteger();
    AtomicInteger creates = new AtomicInteger();
    DatasetServiceGrpc.DatasetServiceImplBase flaky = new DatasetServiceGrpc.DatasetServiceImplBase() {
      @Override
      public void getDataset(GetDatasetRequest request, StreamObserver<Dataset> response) {
        if (gets.incrementAndGet() <= 2) {
          response.onError(Status.UNAVAILABLE.withDescription("restarting").asRuntimeException());
          return;
        }
        response.onNext(Dataset.newBuilder().setName(request.getName()).build());
        response.onCompleted();
      }

      @Override
      public void createDataset(CreateDatasetRequest request, StreamObserver<Dataset> response) {
        creates.incrementAndGet();
        response.onError(Status.UNAVAILABLE.withDescription("restarting").asRuntimeException());
      }
    };
    Server server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).addService(flaky).build()
        .start();
    try (NimbusClient client = NimbusClient.builder().target("127.0.0.1:" + server.getPort()).plaintext().build()) {
      assertThat(client.datasets().get("clouds").getName()).isEqualTo("datasets/clouds");
      assertThat(gets.get()).as("two UNAVAILABLE answers, then the third attempt").isEqualTo(3);

      assertThatThrownBy(() -> client.datasets().create("clouds", ClassificationType.MULTICLASS))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
      assertThat(creates.get()).as("a create is not retried blindly").isEqualTo(1);
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
