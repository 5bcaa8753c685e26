package dev.nimbus.server.grpc;

import static dev.nimbus.server.testing.Statuses.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nimbus.server.testing.InProcessNimbus;
import dev.nimbus.v1.BatchPredictRequest;
import dev.nimbus.v1.CreateModelRequest;
import dev.nimbus.v1.DeleteModelRequest;
import dev.nimbus.v1.DeployModelRequest;
import dev.nimbus.v1.ExportModelRequest;
import dev.nimbus.v1.GetModelEvaluationRequest;
import dev.nimbus.v1.GetModelRequest;
import dev.nimbus.v1.ListModelEvaluationsRequest;
import dev.nimbus.v1.ListModelsRequest;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.PredictRequest;
import dev.nimbus.v1.UndeployModelRequest;
import io.grpc.Status;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The RPCs later milestones implement answer UNIMPLEMENTED with a clear message; the rest behave. */
class ModelAndPredictionServiceTest {
  @TempDir Path tmp;
  InProcessNimbus nimbus;

  @BeforeEach
  void setUp() {
    nimbus = new InProcessNimbus(tmp.resolve("data"));
  }

  @AfterEach
  void tearDown() {
    nimbus.close();
  }

  @Test
  void notYetImplemented_answerUnimplemented_withAMessage() {
    assertFails(Status.Code.UNIMPLEMENTED, "CreateModel (training) is not available", () -> nimbus.models.createModel(
        CreateModelRequest.newBuilder().setModelId("m").setModel(Model.newBuilder().setDataset("datasets/d")).build()));
    assertFails(Status.Code.UNIMPLEMENTED, "DeployModel", () -> nimbus.models.deployModel(
        DeployModelRequest.newBuilder().setName("models/m").build()));
    assertFails(Status.Code.UNIMPLEMENTED, "UndeployModel", () -> nimbus.models.undeployModel(
        UndeployModelRequest.newBuilder().setName("models/m").build()));
    assertFails(Status.Code.UNIMPLEMENTED, "ExportModel", () -> nimbus.models.exportModel(
        ExportModelRequest.newBuilder().setName("models/m").build()));
    assertFails(Status.Code.UNIMPLEMENTED, "GetModelEvaluation", () -> nimbus.models.getModelEvaluation(
        GetModelEvaluationRequest.newBuilder().setName("models/m/modelEvaluations/overall").build()));
    assertFails(Status.Code.UNIMPLEMENTED, "ListModelEvaluations", () -> nimbus.models.listModelEvaluations(
        ListModelEvaluationsRequest.newBuilder().setParent("models/m").build()));
    assertFails(Status.Code.UNIMPLEMENTED, "Predict is not available", () -> nimbus.predictions.predict(
        PredictRequest.newBuilder().setName("models/m").build()));
    assertFails(Status.Code.UNIMPLEMENTED, "BatchPredict", () -> nimbus.predictions.batchPredict(
        BatchPredictRequest.newBuilder().setName("models/m").build()));
  }

  @Test
  void models_getAndDeleteAreNotFound_listIsEmpty_badArgumentsAreInvalid() {
    assertFails(Status.Code.NOT_FOUND, "models/m does not exist", () -> nimbus.models.getModel(
        GetModelRequest.newBuilder().setName("models/m").build()));
    assertFails(Status.Code.NOT_FOUND, "models/m", () -> nimbus.models.deleteModel(
        DeleteModelRequest.newBuilder().setName("models/m").build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "not a valid name", () -> nimbus.models.getModel(
        GetModelRequest.newBuilder().setName("datasets/m").build()));
    assertThat(nimbus.models.listModels(ListModelsRequest.getDefaultInstance()).getModelsList()).isEmpty();
    assertFails(Status.Code.INVALID_ARGUMENT, "page_size", () -> nimbus.models.listModels(
        ListModelsRequest.newBuilder().setPageSize(-1).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, "filter", () -> nimbus.models.listModels(
        ListModelsRequest.newBuilder().setFilter("color = red").build()));
  }
}
