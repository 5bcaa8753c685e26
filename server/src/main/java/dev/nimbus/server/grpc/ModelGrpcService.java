package dev.nimbus.server.grpc;

import com.google.longrunning.Operation;
import dev.nimbus.server.model.Models;
import dev.nimbus.server.serving.DeploymentRequests;
import dev.nimbus.v1.CreateModelRequest;
import dev.nimbus.v1.DeleteModelRequest;
import dev.nimbus.v1.DeployModelRequest;
import dev.nimbus.v1.ExportModelRequest;
import dev.nimbus.v1.GetModelEvaluationRequest;
import dev.nimbus.v1.GetModelRequest;
import dev.nimbus.v1.ListModelEvaluationsRequest;
import dev.nimbus.v1.ListModelEvaluationsResponse;
import dev.nimbus.v1.ListModelsRequest;
import dev.nimbus.v1.ListModelsResponse;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.ModelEvaluation;
import dev.nimbus.v1.ModelServiceGrpc;
import dev.nimbus.v1.UndeployModelRequest;
import dev.nimbus.v1.UpdateModelRequest;
import io.grpc.stub.StreamObserver;

/**
 * ModelService over gRPC: converts, delegates to {@link Models} (training, reading, export, delete) and to
 * {@link DeploymentRequests} (deploy, undeploy).
 */
public final class ModelGrpcService extends ModelServiceGrpc.ModelServiceImplBase {
  private final Models models;
  private final DeploymentRequests deployments;

  public ModelGrpcService(Models models, DeploymentRequests deployments) {
    this.models = models;
    this.deployments = deployments;
  }

  @Override
  public void createModel(CreateModelRequest request, StreamObserver<Operation> response) {
    Unary.reply(response, models.create(request));
  }

  @Override
  public void getModel(GetModelRequest request, StreamObserver<Model> response) {
    Unary.reply(response, models.get(request.getName()));
  }

  @Override
  public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> response) {
    Unary.reply(response, models.list(request));
  }

  @Override
  public void updateModel(UpdateModelRequest request, StreamObserver<Model> response) {
    Unary.reply(response, models.update(request));
  }

  @Override
  public void deleteModel(DeleteModelRequest request, StreamObserver<Operation> response) {
    Unary.reply(response, models.delete(request));
  }

  @Override
  public void deployModel(DeployModelRequest request, StreamObserver<Operation> response) {
    Unary.reply(response, deployments.deploy(request));
  }

  @Override
  public void undeployModel(UndeployModelRequest request, StreamObserver<Operation> response) {
    Unary.reply(response, deployments.undeploy(request));
  }

  @Override
  public void exportModel(ExportModelRequest request, StreamObserver<Operation> response) {
    Unary.reply(response, models.export(request));
  }

  @Override
  public void getModelEvaluation(GetModelEvaluationRequest request, StreamObserver<ModelEvaluation> response) {
    Unary.reply(response, models.getEvaluation(request.getName()));
  }

  @Override
  public void listModelEvaluations(ListModelEvaluationsRequest request,
      StreamObserver<ListModelEvaluationsResponse> response) {
    Unary.reply(response, models.listEvaluations(request));
  }
}
