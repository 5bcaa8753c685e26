package dev.nimbus.server.model;

import com.google.longrunning.Operation;
import com.google.protobuf.Any;
import dev.nimbus.server.config.ServerConfig;
import dev.nimbus.server.dataset.DatasetStore;
import dev.nimbus.server.dataset.DatasetStore.DatasetRow;
import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.operation.OperationManager;
import dev.nimbus.server.storage.BucketMapping;
import dev.nimbus.server.training.ClassifierTrainer;
import dev.nimbus.server.util.ListQueries;
import dev.nimbus.server.util.OutputPaths;
import dev.nimbus.server.util.Protos;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.server.util.UserLabels;
import dev.nimbus.v1.CreateModelDetails;
import dev.nimbus.v1.CreateModelRequest;
import dev.nimbus.v1.Dataset;
import dev.nimbus.v1.DeleteDetails;
import dev.nimbus.v1.DeleteModelRequest;
import dev.nimbus.v1.ExportModelDetails;
import dev.nimbus.v1.ExportModelRequest;
import dev.nimbus.v1.ListModelEvaluationsRequest;
import dev.nimbus.v1.ListModelEvaluationsResponse;
import dev.nimbus.v1.ListModelsRequest;
import dev.nimbus.v1.ListModelsResponse;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.ModelEvaluation;
import dev.nimbus.v1.OperationMetadata;
import dev.nimbus.v1.TrainingParams;
import dev.nimbus.v1.UpdateModelRequest;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The model use cases behind ModelService: validation, storage, and starting operations. */
public final class Models {
  static final String MODEL_TYPE = "nimbus.dev/Model";
  static final String EVALUATION_TYPE = "nimbus.dev/ModelEvaluation";
  public static final String DEFAULT_BASE_MODEL = "mobilenet_v2";

  private final ModelStore store;
  private final DatasetStore datasets;
  private final OperationManager operations;
  private final ModelTraining training;
  private final ServerConfig config;
  private final BucketMapping buckets;
  private final Clock clock;

  public Models(ModelStore store, DatasetStore datasets, OperationManager operations, ClassifierTrainer trainer,
      ServerConfig config, BucketMapping buckets, Clock clock) {
    this.buckets = buckets;
    this.store = store;
    this.datasets = datasets;
    this.operations = operations;
    this.training = new ModelTraining(trainer);
    this.config = config;
    this.clock = clock;
  }

  /**
   * Checks the request and the dataset (FAILED_PRECONDITION naming what is missing), records the model as
   * TRAINING and starts the training operation, in one transaction.
   */
  public Operation create(CreateModelRequest req) {
    String id = ResourceNames.requireId("model_id", req.getModelId());
    Model m = req.getModel();
    String datasetId = ResourceNames.datasetId("model.dataset", m.getDataset());
    DatasetRow dataset = datasets.dataset(datasetId).orElseThrow(() -> ApiException.notFound("nimbus.dev/Dataset",
        ResourceNames.dataset(datasetId), "dataset " + ResourceNames.dataset(datasetId) + " does not exist"));
    if (dataset.state() != Dataset.State.ACTIVE) {
      throw ApiException.failedPrecondition("DATASET_DELETING", "dataset " + ResourceNames.dataset(datasetId)
          + " is being deleted");
    }
    Model source = null;
    if (!m.getTrainingParams().getInitialModel().isBlank()) {
      source = InitialModels.source(store, m.getTrainingParams().getInitialModel());
      m = InitialModels.inherit(m, source);
    }
    String baseModel = m.getBaseModel().isBlank() ? DEFAULT_BASE_MODEL : m.getBaseModel().strip();
    training.checkBaseModel(baseModel);
    TrainingParams params = checkParams(m.getTrainingParams());
    if (m.getDisplayName().length() > 256) {
      throw ApiException.invalidArgument("model.display_name", "model.display_name is " + m.getDisplayName().length()
          + " characters (expected: at most 256)");
    }
    Map<String, String> userLabels = UserLabels.check("model.user_labels", m.getUserLabelsMap());
    if (m.getModelType().length() > 64) {
      throw ApiException.invalidArgument("model.model_type", "model.model_type is " + m.getModelType().length()
          + " characters (expected: at most 64)");
    }
    DatasetSnapshot snapshot = DatasetSnapshot.take(datasets, datasetId, dataset.type());
    snapshot.checkTrainable();
    if (source != null) {
      InitialModels.checkFits(source, dataset.type(), ResourceNames.dataset(datasetId), snapshot.labels());
    }

    long now = clock.millis();
    Model model = Model.newBuilder()
        .setName(ResourceNames.model(id))
        .setDisplayName(m.getDisplayName().isBlank() ? id : m.getDisplayName().strip())
        .setDataset(ResourceNames.dataset(datasetId))
        .setBaseModel(baseModel)
        .setTrainingParams(params)
        .putAllUserLabels(userLabels)
        .setModelType(m.getModelType())
        .setClassificationType(dataset.type())
        .setTrainingState(Model.TrainingState.TRAINING)
        .setDeploymentState(Model.DeploymentState.UNDEPLOYED)
        .setCreateTime(Protos.timestamp(now))
        .setUpdateTime(Protos.timestamp(now))
        .build();
    if (req.getValidateOnly()) {
      if (store.get(id).isPresent()) {
        throw alreadyExists(id);
      }
      return Operation.newBuilder().setDone(true).setResponse(Any.pack(model)).build();
    }
    CreateModelRequest spec = CreateModelRequest.newBuilder().setModelId(id).setModel(model).build();
    return operations.start(OperationMetadata.Kind.CREATE_MODEL, ResourceNames.model(id), spec,
        CreateModelDetails.newBuilder().setModel(ResourceNames.model(id))
            .setStage(CreateModelDetails.Stage.PREPARING).build(),
        c -> {
          if (!store.insert(c, id, model, now)) {
            throw alreadyExists(id);
          }
          return null;
        });
  }

  static TrainingParams checkParams(TrainingParams p) {
    if (p.getFineTune()) {
      throw ApiException.unimplemented("model.training_params.fine_tune: fine-tuning the backbone's top layers is not"
          + " available yet; the backbone stays frozen and a head is trained on its features");
    }
    if (p.getTrainBudgetSeconds() < 0 || p.getTrainBudgetSeconds() > 7 * 24 * 3600) {
      throw ApiException.invalidArgument("model.training_params.train_budget_seconds",
          "model.training_params.train_budget_seconds: " + p.getTrainBudgetSeconds() + " (expected: 0..604800; 0"
              + " means the server default)");
    }
    if (p.getMaxEpochs() < 0 || p.getMaxEpochs() > 10_000) {
      throw ApiException.invalidArgument("model.training_params.max_epochs", "model.training_params.max_epochs: "
          + p.getMaxEpochs() + " (expected: 0..10000; 0 means the server default)");
    }
    if (!(p.getLearningRate() >= 0 && p.getLearningRate() <= 1)) {
      throw ApiException.invalidArgument("model.training_params.learning_rate",
          "model.training_params.learning_rate: " + p.getLearningRate() + " (expected: 0..1; 0 means the default)");
    }
    if (p.getBatchSize() < 0 || p.getBatchSize() > 4096) {
      throw ApiException.invalidArgument("model.training_params.batch_size", "model.training_params.batch_size: "
          + p.getBatchSize() + " (expected: 0..4096; 0 means the default)");
    }
    return p;
  }

  public Model get(String name) {
    String id = ResourceNames.modelId("name", name);
    return store.get(id).orElseThrow(() -> notFound(id));
  }

  public ListModelsResponse list(ListModelsRequest req) {
    int size = ListQueries.pageSize(req.getPageSize());
    Map<String, String> filter = ListQueries.filter(req.getFilter(), Set.of("dataset", "training_state",
        "deployment_state"));
    String dataset = null;
    if (filter.containsKey("dataset")) {
      String d = filter.get("dataset");
      dataset = ResourceNames.dataset(ResourceNames.datasetId("filter", d.startsWith("datasets/") ? d : "datasets/" + d));
    }
    Integer training = filter.containsKey("training_state")
        ? ListQueries.enumValue("training_state", filter.get("training_state"), Model.TrainingState.values()).getNumber() : null;
    Integer deployment = filter.containsKey("deployment_state")
        ? ListQueries.enumValue("deployment_state", filter.get("deployment_state"), Model.DeploymentState.values()).getNumber()
        : null;
    String scope = "models|" + req.getFilter();
    String after = ListQueries.resumeKey(scope, req.getPageToken());
    List<Model> rows = store.list(after, size + 1, dataset, training, deployment);
    ListModelsResponse.Builder b = ListModelsResponse.newBuilder();
    for (int i = 0; i < Math.min(size, rows.size()); i++) {
      b.addModels(rows.get(i));
    }
    if (rows.size() > size) {
      String lastName = rows.get(size - 1).getName();
      b.setNextPageToken(ListQueries.token(scope, lastName.substring("models/".length())));
    }
    return b.build();
  }

  /** Changes a model's display name and labels (what the mask names; default: both). */
  public Model update(UpdateModelRequest req) {
    if (!req.hasModel()) {
      throw ApiException.invalidArgument("model", "model is required (with its name and the fields to change)");
    }
    Model given = req.getModel();
    String id = ResourceNames.modelId("model.name", given.getName());
    Set<String> paths = req.getUpdateMask().getPathsCount() == 0 ? Set.of("display_name", "user_labels")
        : Set.copyOf(req.getUpdateMask().getPathsList());
    for (String p : paths) {
      if (!p.equals("display_name") && !p.equals("user_labels")) {
        throw ApiException.invalidArgument("update_mask", "update_mask: '" + ResourceNames.abbreviate(p)
            + "' cannot be updated (expected: display_name, user_labels)");
      }
    }
    if (given.getDisplayName().length() > 256) {
      throw ApiException.invalidArgument("model.display_name", "model.display_name is "
          + given.getDisplayName().length() + " characters (expected: at most 256)");
    }
    Map<String, String> userLabels = UserLabels.check("model.user_labels", given.getUserLabelsMap());
    return store.database().write(c -> {
      Model m = store.get(c, id).orElseThrow(() -> notFound(id));
      Model.Builder b = m.toBuilder();
      if (paths.contains("display_name")) {
        b.setDisplayName(given.getDisplayName().isBlank() ? id : given.getDisplayName().strip());
      }
      if (paths.contains("user_labels")) {
        b.clearUserLabels().putAllUserLabels(userLabels);
      }
      long now = clock.millis();
      Model updated = b.setUpdateTime(Protos.timestamp(now)).build();
      store.update(c, id, updated, now);
      return updated;
    });
  }

  /** Starts deleting a model: a running training is cancelled first. */
  public Operation delete(DeleteModelRequest req) {
    String id = ResourceNames.modelId("name", req.getName());
    Model m = store.get(id).orElseThrow(() -> notFound(id));
    if (m.getDeploymentState() == Model.DeploymentState.AVAILABLE
        || m.getDeploymentState() == Model.DeploymentState.LOADING) {
      throw ApiException.failedPrecondition("MODEL_DEPLOYED", "model " + m.getName() + " is deployed; undeploy it"
          + " first");
    }
    DeleteModelRequest spec = DeleteModelRequest.newBuilder().setName(ResourceNames.model(id)).build();
    return operations.start(OperationMetadata.Kind.DELETE_MODEL, ResourceNames.model(id), spec,
        DeleteDetails.newBuilder().setTotalCount(1).build(), null);
  }

  public ModelEvaluation getEvaluation(String name) {
    String[] parts = name.split("/", -1);
    if (parts.length != 4 || !parts[0].equals("models") || !ResourceNames.isValidId(parts[1])
        || !parts[2].equals("modelEvaluations") || parts[3].isEmpty()) {
      throw ApiException.invalidArgument("name", "name: '" + ResourceNames.abbreviate(name) + "' is not a model"
          + " evaluation name (expected: models/{model}/modelEvaluations/overall or .../{label})");
    }
    get(ResourceNames.model(parts[1]));
    return store.evaluation(parts[1], parts[3]).orElseThrow(() -> ApiException.notFound(EVALUATION_TYPE, name,
        "evaluation " + ResourceNames.abbreviate(name) + " does not exist (evaluations are 'overall' and one per"
            + " label; a model has them once training has finished)"));
  }

  public ListModelEvaluationsResponse listEvaluations(ListModelEvaluationsRequest req) {
    String id = ResourceNames.modelId("parent", req.getParent());
    get(ResourceNames.model(id));
    int size = ListQueries.pageSize(req.getPageSize());
    String scope = "modelEvaluations|" + id;
    String after = ListQueries.resumeKey(scope, req.getPageToken());
    int afterOrdinal;
    try {
      afterOrdinal = after.isEmpty() ? -1 : Integer.parseInt(after);
    } catch (NumberFormatException e) {
      throw ApiException.invalidArgument("page_token", "page_token is not one this list returned");
    }
    List<ModelEvaluation> rows = store.evaluations(id, afterOrdinal, size + 1);
    ListModelEvaluationsResponse.Builder b = ListModelEvaluationsResponse.newBuilder();
    for (int i = 0; i < Math.min(size, rows.size()); i++) {
      b.addModelEvaluations(rows.get(i));
    }
    if (rows.size() > size) {
      b.setNextPageToken(ListQueries.token(scope, Integer.toString(afterOrdinal + size)));
    }
    return b.build();
  }

  /** Starts writing a trained model to a folder or zip on the server. */
  public Operation export(ExportModelRequest req) {
    String id = ResourceNames.modelId("name", req.getName());
    Model m = store.get(id).orElseThrow(() -> notFound(id));
    if (m.getTrainingState() != Model.TrainingState.TRAINED) {
      throw ApiException.failedPrecondition("MODEL_NOT_TRAINED", "model " + m.getName() + " is "
          + m.getTrainingState() + "; only a trained model can be exported");
    }
    ExportModelRequest.Format format = req.getFormat() == ExportModelRequest.Format.FORMAT_UNSPECIFIED
        ? ExportModelRequest.Format.SAVED_MODEL_DIRECTORY : req.getFormat();
    if (format == ExportModelRequest.Format.UNRECOGNIZED) {
      throw ApiException.invalidArgument("format", "format: " + req.getFormatValue()
          + " (expected: SAVED_MODEL_DIRECTORY or SAVED_MODEL_ZIP)");
    }
    OutputPaths.Output out = exportPath(req.getOutputConfig().getOutputUri(), format);
    ExportModelRequest spec = req.toBuilder().setName(ResourceNames.model(id)).setFormat(format)
        .setOutputConfig(req.getOutputConfig().toBuilder().setOutputUri(out.uri())).build();
    return operations.start(OperationMetadata.Kind.EXPORT_MODEL, ResourceNames.model(id), spec,
        ExportModelDetails.newBuilder().setOutputUri(out.uri()).build(), null);
  }

  /** The export destination: absolute, new (or an empty folder), inside the export roots. */
  private OutputPaths.Output exportPath(String uri, ExportModelRequest.Format format) {
    boolean zip = format == ExportModelRequest.Format.SAVED_MODEL_ZIP;
    if (zip && !uri.strip().toLowerCase(Locale.ROOT).endsWith(".zip")) {
      throw ApiException.invalidArgument("output_config.output_uri", "output_config.output_uri: a SAVED_MODEL_ZIP"
          + " export must end in .zip");
    }
    return OutputPaths.check(config, buckets, "output_config.output_uri", uri, !zip);
  }

  private static ApiException alreadyExists(String id) {
    return ApiException.alreadyExists(MODEL_TYPE, ResourceNames.model(id), "model " + ResourceNames.model(id)
        + " already exists; choose another id or delete it first");
  }

  public static ApiException notFound(String id) {
    return ApiException.notFound(MODEL_TYPE, ResourceNames.model(id), "model " + ResourceNames.model(id)
        + " does not exist");
  }
}
