package dev.nimbus.client;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.longrunning.Operation;
import dev.nimbus.v1.CreateModelRequest;
import dev.nimbus.v1.DeployModelRequest;
import dev.nimbus.v1.DeploymentConfig;
import dev.nimbus.v1.GetModelRequest;
import dev.nimbus.v1.ImageInput;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.ModelServiceGrpc;
import dev.nimbus.v1.PredictRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The server has no PredictionService yet: this one registers none, so Predict answers UNIMPLEMENTED. */
class ModelsAndPredictionsTest {
  private final FakeModels models = new FakeModels();
  private final FakeOperations operations = new FakeOperations();
  private InProcessServer server;
  private NimbusClient client;

  @BeforeEach
  void setUp() throws Exception {
    server = InProcessServer.start(models, operations);
    client = NimbusClient.forChannel(server.channel(),
        ClientOptions.defaults().withOperationPollInterval(Duration.ofMillis(10)));
  }

  @AfterEach
  void tearDown() throws Exception {
    client.close();
    server.close();
  }

  @Test
  void create_followsTrainingToTheTrainedModel() throws Exception {
    Model trained = Model.newBuilder().setName("models/flowers").setTrainingState(Model.TrainingState.TRAINED)
        .addLabels("daisy").addLabels("tulip").build();
    operations.script("operations/train-1", Ops.running("operations/train-1", 50),
        Ops.succeeded("operations/train-1", trained));

    OperationFuture<Model> training = client.models().create(CreateModelRequest.newBuilder().setModelId("flowers")
        .setModel(Model.newBuilder().setDataset("datasets/flowers")).build());

    assertThat(training.get(5, SECONDS)).isEqualTo(trained);
  }

  @Test
  void getAndDeploy_qualifyTheModelName() throws Exception {
    operations.script("operations/deploy-1", Ops.succeeded("operations/deploy-1", Model.getDefaultInstance()));

    client.models().get("flowers");
    client.models().deployAsync("flowers", DeploymentConfig.newBuilder().setDevice("cpu").build())
        .get(5, SECONDS).get(5, SECONDS);

    assertThat(models.gets).containsExactly("models/flowers");
    assertThat(models.deploys).containsExactly(DeployModelRequest.newBuilder().setName("models/flowers")
        .setDeploymentConfig(DeploymentConfig.newBuilder().setDevice("cpu")).build());
  }

  @Test
  void unimplementedMethod_throwsUnimplemented_blockingAndAsync() {
    PredictRequest request = PredictRequest.newBuilder().setName("models/flowers")
        .addImages(ImageInput.newBuilder().setExample("datasets/flowers/examples/ab12")).build();

    assertThatThrownBy(() -> client.predictions().predict(request))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
    assertThatThrownBy(() -> client.predictions().predictAsync(request).get(5, SECONDS))
        .cause()
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
    assertThatThrownBy(() -> client.models().listEvaluations("flowers").iterator().hasNext())
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
  }

  private static final class FakeModels extends ModelServiceGrpc.ModelServiceImplBase {
    final List<String> gets = new CopyOnWriteArrayList<>();
    final List<DeployModelRequest> deploys = new CopyOnWriteArrayList<>();

    @Override
    public void createModel(CreateModelRequest request, StreamObserver<Operation> responses) {
      responses.onNext(Ops.running("operations/train-1", 0));
      responses.onCompleted();
    }

    @Override
    public void getModel(GetModelRequest request, StreamObserver<Model> responses) {
      gets.add(request.getName());
      responses.onNext(Model.newBuilder().setName(request.getName()).build());
      responses.onCompleted();
    }

    @Override
    public void deployModel(DeployModelRequest request, StreamObserver<Operation> responses) {
      deploys.add(request);
      responses.onNext(Ops.running("operations/deploy-1", 0));
      responses.onCompleted();
    }
  }
}
