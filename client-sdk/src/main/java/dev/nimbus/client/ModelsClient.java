package dev.nimbus.client;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Empty;
import com.google.protobuf.FieldMask;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.nimbus.v1.CreateModelRequest;
import dev.nimbus.v1.DeleteModelRequest;
import dev.nimbus.v1.DeployModelRequest;
import dev.nimbus.v1.DeploymentConfig;
import dev.nimbus.v1.ExportModelRequest;
import dev.nimbus.v1.ExportModelResponse;
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
import io.grpc.Channel;
import java.util.concurrent.CompletableFuture;

/**
 * Models: train, inspect, evaluate, deploy, export. Wherever a model is named, {@code "flowers_v1"} and
 * {@code "models/flowers_v1"} both work; methods that take a whole request message send it as built.
 *
 * <p>Each unary method {@code x(...)} has an {@code xAsync(...)} twin with the same parameters that returns a
 * {@link CompletableFuture} of the same result. Failed calls throw grpc's {@link io.grpc.StatusRuntimeException}.
 */
public final class ModelsClient {
  private final ModelServiceGrpc.ModelServiceBlockingStub blocking;
  private final ModelServiceGrpc.ModelServiceStub async;
  private final OperationPoller poller;

  ModelsClient(Channel channel, OperationPoller poller) {
    this.blocking = ModelServiceGrpc.newBlockingStub(channel);
    this.async = ModelServiceGrpc.newStub(channel);
    this.poller = poller;
  }

  /** Trains a model on a dataset; the operation's metadata carries CreateModelDetails (epoch, losses, ETA). */
  public OperationFuture<Model> create(CreateModelRequest request) {
    return poller.track(blocking.createModel(request), Model.class);
  }

  /**
   * Checks a CreateModel request without training anything: returns the model it would create, or throws the
   * error CreateModel would (a base model this server lacks is FAILED_PRECONDITION with reason
   * {@code BASE_MODEL_MISSING}).
   */
  public Model validate(CreateModelRequest request) {
    try {
      return blocking.createModel(request.toBuilder().setValidateOnly(true).build()).getResponse()
          .unpack(Model.class);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("the server answered a validate_only CreateModel without a Model", e);
    }
  }

  public CompletableFuture<OperationFuture<Model>> createAsync(CreateModelRequest request) {
    return Rpc.unary(async::createModel, request, operation -> poller.track(operation, Model.class));
  }

  public Model get(String model) {
    return blocking.getModel(getRequest(model));
  }

  public CompletableFuture<Model> getAsync(String model) {
    return Rpc.unary(async::getModel, getRequest(model));
  }

  /**
   * Updates the fields of {@code model} named in {@code updateMask} ({@code display_name}, {@code user_labels}; an
   * empty mask means both).
   */
  public Model update(Model model, FieldMask updateMask) {
    return blocking.updateModel(updateRequest(model, updateMask));
  }

  public CompletableFuture<Model> updateAsync(Model model, FieldMask updateMask) {
    return Rpc.unary(async::updateModel, updateRequest(model, updateMask));
  }

  /** All models, fetched page by page as iteration reaches them. */
  public PagedIterable<Model> list() {
    return list(ListModelsRequest.getDefaultInstance());
  }

  /** Starts at {@code request}'s page token; its page size and filter are kept for every page. */
  public PagedIterable<Model> list(ListModelsRequest request) {
    return PagedIterable.of(request.getPageToken(),
        token -> blocking.listModels(request.toBuilder().setPageToken(token).build()),
        ListModelsResponse::getModelsList, ListModelsResponse::getNextPageToken);
  }

  public ListModelsResponse listPage(ListModelsRequest request) {
    return blocking.listModels(request);
  }

  public CompletableFuture<ListModelsResponse> listPageAsync(ListModelsRequest request) {
    return Rpc.unary(async::listModels, request);
  }

  public OperationFuture<Empty> delete(String model) {
    return poller.track(blocking.deleteModel(deleteRequest(model)), Empty.class);
  }

  public CompletableFuture<OperationFuture<Empty>> deleteAsync(String model) {
    return Rpc.unary(async::deleteModel, deleteRequest(model), operation -> poller.track(operation, Empty.class));
  }

  /** Loads a model for Predict; {@code DeploymentConfig.getDefaultInstance()} uses the server's defaults. */
  public OperationFuture<Model> deploy(String model, DeploymentConfig config) {
    return poller.track(blocking.deployModel(deployRequest(model, config)), Model.class);
  }

  public CompletableFuture<OperationFuture<Model>> deployAsync(String model, DeploymentConfig config) {
    return Rpc.unary(async::deployModel, deployRequest(model, config),
        operation -> poller.track(operation, Model.class));
  }

  public OperationFuture<Model> undeploy(String model) {
    return poller.track(blocking.undeployModel(undeployRequest(model)), Model.class);
  }

  public CompletableFuture<OperationFuture<Model>> undeployAsync(String model) {
    return Rpc.unary(async::undeployModel, undeployRequest(model),
        operation -> poller.track(operation, Model.class));
  }

  /** Writes the model as a TF SavedModel folder or zip on the server. */
  public OperationFuture<ExportModelResponse> export(ExportModelRequest request) {
    return poller.track(blocking.exportModel(request), ExportModelResponse.class);
  }

  public CompletableFuture<OperationFuture<ExportModelResponse>> exportAsync(ExportModelRequest request) {
    return Rpc.unary(async::exportModel, request, operation -> poller.track(operation, ExportModelResponse.class));
  }

  /** @param evaluation {@code models/{model}/modelEvaluations/overall} or {@code .../modelEvaluations/{label}} */
  public ModelEvaluation getEvaluation(String evaluation) {
    return blocking.getModelEvaluation(getEvaluationRequest(evaluation));
  }

  public CompletableFuture<ModelEvaluation> getEvaluationAsync(String evaluation) {
    return Rpc.unary(async::getModelEvaluation, getEvaluationRequest(evaluation));
  }

  /** The overall evaluation and one per label, fetched page by page as iteration reaches them. */
  public PagedIterable<ModelEvaluation> listEvaluations(String model) {
    return listEvaluations(ListModelEvaluationsRequest.newBuilder().setParent(Names.model(model)).build());
  }

  /** Starts at {@code request}'s page token; its page size is kept for every page. */
  public PagedIterable<ModelEvaluation> listEvaluations(ListModelEvaluationsRequest request) {
    return PagedIterable.of(request.getPageToken(),
        token -> blocking.listModelEvaluations(request.toBuilder().setPageToken(token).build()),
        ListModelEvaluationsResponse::getModelEvaluationsList, ListModelEvaluationsResponse::getNextPageToken);
  }

  public ListModelEvaluationsResponse listEvaluationsPage(ListModelEvaluationsRequest request) {
    return blocking.listModelEvaluations(request);
  }

  public CompletableFuture<ListModelEvaluationsResponse> listEvaluationsPageAsync(
      ListModelEvaluationsRequest request) {
    return Rpc.unary(async::listModelEvaluations, request);
  }

  private static UpdateModelRequest updateRequest(Model model, FieldMask updateMask) {
    requireNonNull(model, "model");
    requireNonNull(updateMask, "updateMask");
    return UpdateModelRequest.newBuilder().setModel(model.toBuilder().setName(Names.model(model.getName())))
        .setUpdateMask(updateMask).build();
  }

  private static GetModelRequest getRequest(String model) {
    return GetModelRequest.newBuilder().setName(Names.model(model)).build();
  }

  private static DeleteModelRequest deleteRequest(String model) {
    return DeleteModelRequest.newBuilder().setName(Names.model(model)).build();
  }

  private static DeployModelRequest deployRequest(String model, DeploymentConfig config) {
    requireNonNull(config, "config");
    return DeployModelRequest.newBuilder().setName(Names.model(model)).setDeploymentConfig(config).build();
  }

  private static UndeployModelRequest undeployRequest(String model) {
    return UndeployModelRequest.newBuilder().setName(Names.model(model)).build();
  }

  private static GetModelEvaluationRequest getEvaluationRequest(String evaluation) {
    requireNonNull(evaluation, "evaluation");
    Checks.requireArgument(evaluation.startsWith("models/") && evaluation.contains("/modelEvaluations/"),
        "evaluation: '%s' (expected: a name like 'models/flowers_v1/modelEvaluations/overall')", evaluation);
    return GetModelEvaluationRequest.newBuilder().setName(evaluation).build();
  }
}
