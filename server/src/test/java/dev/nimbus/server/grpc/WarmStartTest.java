package dev.nimbus.server.grpc;

import static dev.nimbus.server.testing.Statuses.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.longrunning.CancelOperationRequest;
import com.google.longrunning.Operation;
import dev.nimbus.server.testing.ClassImages;
import dev.nimbus.server.testing.InProcessNimbus;
import dev.nimbus.server.testing.Statuses;
import dev.nimbus.server.testing.TestImages;
import dev.nimbus.v1.CreateModelRequest;
import dev.nimbus.v1.GetModelRequest;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.TrainingParams;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code training_params.initial_model} and {@code training_summary.serving_images_per_second} with real training:
 * a MobileNetV2 model trained on three shapes, then a dataset of other pictures of those shapes and one more label
 * trained once from scratch and once from that model's head, one epoch each with the same seed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WarmStartTest {
  static final String[] SHAPES = {"circle", "square", "triangle"};
  static final String[] MORE_SHAPES = {"circle", "square", "triangle", "yellow_circle"};

  @TempDir static Path tmp;
  InProcessNimbus nimbus;

  @BeforeAll
  void setUp() {
    nimbus = new InProcessNimbus(tmp.resolve("data"));
    nimbus.createDataset("shapes", ClassImages.write(tmp.resolve("shapes"), SHAPES, 30, 48), tmp);
    // Other pictures (other seeds) of the same classes, plus a fourth class the first model never saw.
    StringBuilder csv = new StringBuilder();
    for (int l = 0; l < MORE_SHAPES.length; l++) {
      for (int i = 0; i < 30; i++) {
        Path p = tmp.resolve("more/" + MORE_SHAPES[l] + "-" + i + ".png");
        TestImages.write(p, TestImages.encode(ClassImages.picture(l, 1000 + i, 48), "png"));
        csv.append(p).append(',').append(MORE_SHAPES[l]).append('\n');
      }
    }
    nimbus.createDataset("more_shapes", csv.toString(), tmp);
    nimbus.createDataset("greek", ClassImages.write(tmp.resolve("greek"), new String[] {"alpha", "beta"}, 6, 16), tmp);
  }

  @AfterAll
  void tearDown() {
    nimbus.close();
  }

  private static CreateModelRequest request(String id, String dataset, String base, int maxEpochs, String initial) {
    return CreateModelRequest.newBuilder().setModelId(id)
        .setModel(Model.newBuilder().setDataset("datasets/" + dataset).setBaseModel(base)
            .setTrainingParams(TrainingParams.newBuilder().setMaxEpochs(maxEpochs).setTrainBudgetSeconds(120)
                .setInitialModel(initial)))
        .build();
  }

  private Model train(CreateModelRequest request) throws Exception {
    Operation done = nimbus.await(nimbus.models.createModel(request), Duration.ofMinutes(5));
    assertThat(done.hasError()).as("%s", done.getError()).isFalse();
    return done.getResponse().unpack(Model.class);
  }

  private Model get(String id) {
    return nimbus.models.getModel(GetModelRequest.newBuilder().setName("models/" + id).build());
  }

  @Test
  @Order(1)
  void createModel_measuresServingThroughput_andKeepsTheHead() throws Exception {
    Model source = train(request("shapes_v1", "shapes", "mobilenet_v2", 40, ""));

    assertThat(source.getTrainingSummary().getTestExampleCount()).as("one batch of 8 at least").isGreaterThanOrEqualTo(8);
    assertThat(source.getTrainingSummary().getServingImagesPerSecond()).isPositive();
    assertThat(tmp.resolve("data/models/shapes_v1/head_weights.bin")).isNotEmptyFile();
  }

  @Test
  @Order(2)
  void createModel_fromATrainedHead_startsFarBelowAFreshHead() throws Exception {
    Model fresh = train(request("more_fresh", "more_shapes", "", 1, ""));
    Model warm = train(request("more_warm", "more_shapes", "", 1, "models/shapes_v1"));

    float freshLoss = fresh.getTrainingSummary().getCurve(0).getValidationLoss();
    float warmLoss = warm.getTrainingSummary().getCurve(0).getValidationLoss();
    assertThat(warmLoss).as("first-epoch validation loss: warm %s vs fresh %s", warmLoss, freshLoss)
        .isLessThan(0.7f * freshLoss);
    assertThat(warm.getTrainingParams().getInitialModel()).isEqualTo("models/shapes_v1");
    assertThat(warm.getBaseModel()).isEqualTo("mobilenet_v2");
    assertThat(warm.getLabelsList()).containsExactly("circle", "square", "triangle", "yellow_circle");
    assertThat(warm.getWarningsList()).anySatisfy(w -> assertThat(w)
        .contains("started from the head of models/shapes_v1: 3 of 4 labels kept their trained weights"));
    assertThat(get("more_warm").getTrainingParams().getInitialModel()).isEqualTo("models/shapes_v1");
    assertThat(fresh.getTrainingParams().getInitialModel()).isEmpty();
  }

  @Test
  @Order(3)
  void createModel_validateOnly_showsTheInheritedSettings() throws Exception {
    Model wouldBe = nimbus.models.createModel(request("checked", "more_shapes", "", 1, "models/shapes_v1")
        .toBuilder().setValidateOnly(true).build()).getResponse().unpack(Model.class);

    assertThat(wouldBe.getBaseModel()).isEqualTo("mobilenet_v2");
    assertThat(wouldBe.getTrainingParams().getInitialModel()).isEqualTo("models/shapes_v1");
  }

  @Test
  @Order(4)
  void createModel_initialModel_refusals() throws Exception {
    assertFails(Status.Code.NOT_FOUND, "models/nope does not exist", () -> nimbus.models.createModel(
        request("m", "more_shapes", "", 1, "models/nope")));
    StatusRuntimeException bad = assertFails(Status.Code.INVALID_ARGUMENT, "initial_model", () ->
        nimbus.models.createModel(request("m", "more_shapes", "", 1, "datasets/shapes")));
    assertThat(Statuses.badRequest(bad).getFieldViolations(0).getField())
        .isEqualTo("model.training_params.initial_model");
    StatusRuntimeException other = assertFails(Status.Code.INVALID_ARGUMENT, "'scratch_cnn' differs from"
        + " 'mobilenet_v2', the base model of models/shapes_v1", () -> nimbus.models.createModel(
        request("m", "more_shapes", "scratch_cnn", 1, "models/shapes_v1")));
    assertThat(Statuses.badRequest(other).getFieldViolations(0).getField()).isEqualTo("model.base_model");
    assertFails(Status.Code.INVALID_ARGUMENT, "cut_layer", () -> nimbus.models.createModel(
        request("m", "more_shapes", "", 1, "models/shapes_v1").toBuilder().setModel(request("m", "more_shapes", "",
            1, "models/shapes_v1").getModel().toBuilder().setTrainingParams(TrainingParams.newBuilder()
            .setInitialModel("models/shapes_v1").setCutLayer("block_6_project_BN"))).build()));
    assertFails(Status.Code.FAILED_PRECONDITION, "dataset datasets/greek shares no label with models/shapes_v1",
        () -> nimbus.models.createModel(request("m", "greek", "", 1, "models/shapes_v1")));

    Model scratch = train(request("greek_cnn", "greek", "scratch_cnn", 1, ""));
    assertThat(scratch.getTrainingSummary().getServingImagesPerSecond())
        .as("fewer TEST images than a batch: measured as one smaller batch").isPositive();
    assertFails(Status.Code.FAILED_PRECONDITION, "models/greek_cnn is a scratch_cnn", () ->
        nimbus.models.createModel(request("m", "greek", "", 1, "models/greek_cnn")));

    Operation busy = nimbus.models.createModel(request("shapes_busy", "shapes", "scratch_cnn", 10_000, ""));
    try {
      assertFails(Status.Code.FAILED_PRECONDITION, "models/shapes_busy is TRAINING", () ->
          nimbus.models.createModel(request("m", "shapes", "", 1, "models/shapes_busy")));
    } finally {
      nimbus.operations.cancelOperation(CancelOperationRequest.newBuilder().setName(busy.getName()).build());
      nimbus.await(busy, Duration.ofMinutes(2));
    }
    assertFails(Status.Code.NOT_FOUND, "models/m", () -> get("m"));
  }
}
