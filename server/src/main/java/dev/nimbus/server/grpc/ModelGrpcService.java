package dev.nimbus.server.grpc;

import com.google.longrunning.Operation;
import dev.nimbus.server.util.ApiException;
import dev.nimbus.server.util.ListQueries;
import dev.nimbus.server.util.ResourceNames;
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
import io.grpc.stub.StreamObserver;
import java.util.Set;

/**
 * ModelService. This release cannot train, so no model can exist yet: Get/Delete answer NOT_FOUND and List an
 * empty page after checking their arguments; training, deployment, export and evaluations answer
 * UNIMPLEMENTED with a message that says so.
 */
public final class ModelGrpcService extends ModelServiceGrpc.ModelServiceImplBase {
  private static final String NOT_YET = " is not available in this Nimbus release yet: model training, evaluation and"
      + " serving arrive with the next milestones";

  @Override
  public void createModel(CreateModelRequest request, StreamObserver<Operation> response) {
    throw ApiException.unimplemented("CreateModel (training)" + NOT_YET);
  }

  @Override
  public void getModel(GetModelRequest request, StreamObserver<Model> response) {
    throw notFound(request.getName());
  }

  @Override
  public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> response) {
    ListQueries.pageSize(request.getPageSize());
    ListQueries.filter(request.getFilter(), Set.of("dataset", "deployment_state", "training_state"));
    ListQueries.resumeKey("models|" + request.getFilter(), request.getPageToken());
    Unary.reply(response, ListModelsResponse.getDefaultInstance());
  }

  @Override
  public void deleteModel(DeleteModelRequest request, StreamObserver<Operation> response) {
    throw notFound(request.getName());
  }

  @Override
  public void deployModel(DeployModelRequest request, StreamObserver<Operation> response) {
    throw ApiException.unimplemented("DeployModel" + NOT_YET);
  }

  @Override
  public void undeployModel(UndeployModelRequest request, StreamObserver<Operation> response) {
    throw ApiException.unimplemented("UndeployModel" + NOT_YET);
  }

  @Override
  public void exportModel(ExportModelRequest request, StreamObserver<Operation> response) {
    throw ApiException.unimplemented("ExportModel" + NOT_YET);
  }

  @Override
  public void getModelEvaluation(GetModelEvaluationRequest request, StreamObserver<ModelEvaluation> response) {
    throw ApiException.unimplemented("GetModelEvaluation" + NOT_YET);
  }

  @Override
  public void listModelEvaluations(ListModelEvaluationsRequest request,
      StreamObserver<ListModelEvaluationsResponse> response) {
    throw ApiException.unimplemented("ListModelEvaluations" + NOT_YET);
  }

  private static ApiException notFound(String name) {
    String id = ResourceNames.modelId("name", name);
    return ApiException.notFound("nimbus.dev/Model", ResourceNames.model(id), "model " + ResourceNames.model(id)
        + " does not exist (this release cannot train models yet)");
  }
}
