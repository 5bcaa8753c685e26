package dev.nimbus.server.grpc.automl;

import com.google.cloud.automl.v1.AnnotationSpec;
import com.google.cloud.automl.v1.AutoMlGrpc;
import com.google.cloud.automl.v1.CreateDatasetRequest;
import com.google.cloud.automl.v1.CreateModelRequest;
import com.google.cloud.automl.v1.Dataset;
import com.google.cloud.automl.v1.DeleteDatasetRequest;
import com.google.cloud.automl.v1.DeleteModelRequest;
import com.google.cloud.automl.v1.DeployModelRequest;
import com.google.cloud.automl.v1.ExportDataRequest;
import com.google.cloud.automl.v1.ExportModelRequest;
import com.google.cloud.automl.v1.GetAnnotationSpecRequest;
import com.google.cloud.automl.v1.GetDatasetRequest;
import com.google.cloud.automl.v1.GetModelEvaluationRequest;
import com.google.cloud.automl.v1.GetModelRequest;
import com.google.cloud.automl.v1.ImageClassificationModelMetadata;
import com.google.cloud.automl.v1.ImportDataRequest;
import com.google.cloud.automl.v1.ListDatasetsRequest;
import com.google.cloud.automl.v1.ListDatasetsResponse;
import com.google.cloud.automl.v1.ListModelEvaluationsRequest;
import com.google.cloud.automl.v1.ListModelEvaluationsResponse;
import com.google.cloud.automl.v1.ListModelsRequest;
import com.google.cloud.automl.v1.ListModelsResponse;
import com.google.cloud.automl.v1.Model;
import com.google.cloud.automl.v1.ModelEvaluation;
import com.google.cloud.automl.v1.UndeployModelRequest;
import com.google.cloud.automl.v1.UpdateDatasetRequest;
import com.google.cloud.automl.v1.UpdateModelRequest;
import com.google.longrunning.Operation;
import com.google.protobuf.FieldMask;
import dev.nimbus.server.dataset.Datasets;
import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.grpc.OperationsGrpcService;
import dev.nimbus.server.grpc.Unary;
import dev.nimbus.server.model.Models;
import dev.nimbus.server.serving.DeploymentRequests;
import dev.nimbus.server.util.ListQueries;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.v1.ClassificationType;
import dev.nimbus.v1.DatasetStats;
import dev.nimbus.v1.InputConfig;
import dev.nimbus.v1.OutputConfig;
import dev.nimbus.v1.TrainingParams;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Cloud AutoML's {@code google.cloud.automl.v1.AutoMl} service for image classification, as a thin adapter: each
 * call becomes the native request, goes to the same domain manager the native API uses (so import, training,
 * evaluation, deployment and their checks, limits and errors are the same ones) and its answer is shown in
 * AutoML's messages. Datasets and models created here get AutoML-style ids ({@link AutoMlNames#newId}); the
 * native API and the console see them like any other. What AutoML has and Nimbus does not serve (text, tables,
 * translation, video, object detection) is refused at once, saying what is served instead.
 */
public final class AutoMlService extends AutoMlGrpc.AutoMlImplBase {
  /** AutoML's dataset kinds and the model list's filter fields: only image classification is served. */
  static final Set<String> DATASET_METADATA = Set.of("image_classification_dataset_metadata",
      "image_object_detection_dataset_metadata", "text_classification_dataset_metadata",
      "text_extraction_dataset_metadata", "text_sentiment_dataset_metadata", "translation_dataset_metadata");
  static final Set<String> MODEL_FILTER_FIELDS = Set.of("dataset_id", "image_classification_model_metadata",
      "image_object_detection_model_metadata", "text_classification_model_metadata",
      "text_extraction_model_metadata", "text_sentiment_model_metadata", "translation_model_metadata");
  /** The methods of Cloud AutoML's services that only read, which API keys with role reader may call. */
  public static final Set<String> READ_ONLY = Set.of("google.cloud.automl.v1.AutoMl/GetDataset",
      "google.cloud.automl.v1.AutoMl/ListDatasets", "google.cloud.automl.v1.AutoMl/GetAnnotationSpec",
      "google.cloud.automl.v1.AutoMl/GetModel", "google.cloud.automl.v1.AutoMl/ListModels",
      "google.cloud.automl.v1.AutoMl/GetModelEvaluation", "google.cloud.automl.v1.AutoMl/ListModelEvaluations",
      "google.cloud.automl.v1.PredictionService/Predict");
  private static final String SERVED = "this server serves image classification only"
      + " (image_classification_dataset_metadata and image_classification_model_metadata)";
  /** AutoML's own timestamp format in the folder names its exports create. */
  static final DateTimeFormatter EXPORT_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
      .withZone(ZoneOffset.UTC);

  private final Datasets datasets;
  private final Models models;
  private final DeploymentRequests deployments;
  private final Clock clock;

  public AutoMlService(Datasets datasets, Models models, DeploymentRequests deployments, Clock clock) {
    this.datasets = datasets;
    this.models = models;
    this.deployments = deployments;
    this.clock = clock;
  }

  /** The operations view this API's operation names are answered with. */
  public static OperationsGrpcService.Dialect operations(Datasets datasets) {
    return new AutoMlOperations(datasets);
  }

  // ---- datasets ----

  @Override
  public void createDataset(CreateDatasetRequest request, StreamObserver<Operation> response) {
    AutoMlNames.Location at = AutoMlNames.location("parent", request.getParent());
    Dataset d = request.getDataset();
    if (d.getDatasetMetadataCase() != Dataset.DatasetMetadataCase.IMAGE_CLASSIFICATION_DATASET_METADATA) {
      throw ApiException.invalidArgument("dataset.dataset_metadata", d.getDatasetMetadataCase()
          == Dataset.DatasetMetadataCase.DATASETMETADATA_NOT_SET
          ? "dataset.image_classification_dataset_metadata is required (with its classification_type); " + SERVED
          : "dataset." + fieldName(d.getDatasetMetadataCase()) + ": not supported; " + SERVED);
    }
    ClassificationType type = switch (d.getImageClassificationDatasetMetadata().getClassificationType()) {
      case MULTICLASS -> ClassificationType.MULTICLASS;
      case MULTILABEL -> ClassificationType.MULTILABEL;
      default -> throw ApiException.invalidArgument(
          "dataset.image_classification_dataset_metadata.classification_type",
          "dataset.image_classification_dataset_metadata.classification_type is required (MULTICLASS: one label"
              + " per image, MULTILABEL: any number)");
    };
    dev.nimbus.v1.Dataset created = datasets.create(dev.nimbus.v1.CreateDatasetRequest.newBuilder()
        .setDatasetId(AutoMlNames.newId())
        .setDataset(dev.nimbus.v1.Dataset.newBuilder().setDisplayName(d.getDisplayName())
            .setDescription(d.getDescription()).setClassificationType(type)
            .putAllUserLabels(d.getLabelsMap()))
        .build());
    Unary.reply(response, AutoMlOperations.createdDataset(at, created));
  }

  @Override
  public void getDataset(GetDatasetRequest request, StreamObserver<Dataset> response) {
    AutoMlNames.Parsed p = AutoMlNames.dataset("name", request.getName());
    Unary.reply(response, AutoMlProtos.dataset(p.location(), datasets.get(ResourceNames.dataset(p.id()))));
  }

  @Override
  public void listDatasets(ListDatasetsRequest request, StreamObserver<ListDatasetsResponse> response) {
    AutoMlNames.Location at = AutoMlNames.location("parent", request.getParent());
    AutoMlFilter filter = AutoMlFilter.parse(request.getFilter(), DATASET_METADATA);
    ListDatasetsResponse.Builder b = ListDatasetsResponse.newBuilder();
    // Every dataset here is an image classification one: the filter takes all of them or none.
    if (filter.test(f -> f.equals("image_classification_dataset_metadata") ? "set" : "")) {
      dev.nimbus.v1.ListDatasetsResponse page = datasets.list(dev.nimbus.v1.ListDatasetsRequest.newBuilder()
          .setPageSize(request.getPageSize()).setPageToken(request.getPageToken()).build());
      page.getDatasetsList().forEach(d -> b.addDatasets(AutoMlProtos.dataset(at, d)));
      b.setNextPageToken(page.getNextPageToken());
    }
    Unary.reply(response, b.build());
  }

  @Override
  public void updateDataset(UpdateDatasetRequest request, StreamObserver<Dataset> response) {
    AutoMlNames.Parsed p = AutoMlNames.dataset("dataset.name", request.getDataset().getName());
    Dataset d = request.getDataset();
    FieldMask mask = nativeMask(request.getUpdateMask(), Map.of("display_name", "display_name",
        "description", "description", "labels", "user_labels"));
    dev.nimbus.v1.Dataset updated = datasets.update(dev.nimbus.v1.UpdateDatasetRequest.newBuilder()
        .setDataset(dev.nimbus.v1.Dataset.newBuilder().setName(ResourceNames.dataset(p.id()))
            .setDisplayName(d.getDisplayName()).setDescription(d.getDescription()).setEtag(d.getEtag())
            .putAllUserLabels(d.getLabelsMap()))
        .setUpdateMask(mask).build());
    Unary.reply(response, AutoMlProtos.dataset(p.location(), updated));
  }

  @Override
  public void deleteDataset(DeleteDatasetRequest request, StreamObserver<Operation> response) {
    AutoMlNames.Parsed p = AutoMlNames.dataset("name", request.getName());
    Unary.reply(response, AutoMlOperations.view(p.location(), datasets.delete(
        dev.nimbus.v1.DeleteDatasetRequest.newBuilder().setName(ResourceNames.dataset(p.id())).build())));
  }

  @Override
  public void importData(ImportDataRequest request, StreamObserver<Operation> response) {
    AutoMlNames.Parsed p = AutoMlNames.dataset("name", request.getName());
    if (!request.getInputConfig().getParamsMap().isEmpty()) {
      throw ApiException.invalidArgument("input_config.params", "input_config.params: image classification imports"
          + " take none (given: " + String.join(", ", new TreeMap<>(request.getInputConfig().getParamsMap()).keySet())
          + ")");
    }
    List<String> uris = request.getInputConfig().getGcsSource().getInputUrisList();
    if (uris.size() != 1) {
      throw ApiException.invalidArgument("input_config.gcs_source.input_uris", "input_config.gcs_source.input_uris"
          + " has " + uris.size() + " CSVs; this server imports one CSV per ImportData call (call it once per CSV;"
          + " rows are added to the dataset each time)");
    }
    Unary.reply(response, AutoMlOperations.view(p.location(), datasets.importData(
        dev.nimbus.v1.ImportDataRequest.newBuilder().setName(ResourceNames.dataset(p.id()))
            .setInputConfig(InputConfig.newBuilder().setCsvUri(uris.get(0))).build())));
  }

  /**
   * Writes {@code export_data-{display name}-{time}/} under the destination, as AutoML does: its
   * {@code image_classification_1.csv} names the images copied beside it by their gs:// URIs, so the CSV imports
   * again, here or into AutoML.
   */
  @Override
  public void exportData(ExportDataRequest request, StreamObserver<Operation> response) {
    AutoMlNames.Parsed p = AutoMlNames.dataset("name", request.getName());
    dev.nimbus.v1.Dataset d = datasets.get(ResourceNames.dataset(p.id()));
    String prefix = destination("output_config.gcs_destination.output_uri_prefix",
        request.getOutputConfig().getGcsDestination().getOutputUriPrefix());
    String out = outputFolder(prefix, "export_data-", d.getDisplayName(), clock);
    Unary.reply(response, AutoMlOperations.view(p.location(), datasets.exportData(
        dev.nimbus.v1.ExportDataRequest.newBuilder().setName(d.getName())
            .setOutputConfig(OutputConfig.newBuilder().setOutputUri(out))
            .setImageUriPrefix(out + "/").build())));
  }

  @Override
  public void getAnnotationSpec(GetAnnotationSpecRequest request, StreamObserver<AnnotationSpec> response) {
    AutoMlNames.Parsed p = AutoMlNames.annotationSpec("name", request.getName());
    DatasetStats stats = datasets.stats(ResourceNames.dataset(p.ids()[0]));
    for (dev.nimbus.v1.AnnotationSpec s : stats.getLabelsList()) {
      if (s.getDisplayName().equals(p.ids()[1])) {
        Unary.reply(response, AnnotationSpec.newBuilder().setName(request.getName())
            .setDisplayName(s.getDisplayName())
            .setExampleCount((int) Math.min(Integer.MAX_VALUE, s.getExampleCount())).build());
        return;
      }
    }
    throw ApiException.notFound("automl.googleapis.com/AnnotationSpec", request.getName(), "annotation spec "
        + ResourceNames.abbreviate(request.getName()) + " does not exist (an annotation spec's id is its label, as"
        + " in the dataset's CSV; the dataset has " + stats.getLabelsCount() + " labels)");
  }

  // ---- models ----

  @Override
  public void createModel(CreateModelRequest request, StreamObserver<Operation> response) {
    AutoMlNames.Location at = AutoMlNames.location("parent", request.getParent());
    Model m = request.getModel();
    if (m.getModelMetadataCase() != Model.ModelMetadataCase.IMAGE_CLASSIFICATION_MODEL_METADATA
        && m.getModelMetadataCase() != Model.ModelMetadataCase.MODELMETADATA_NOT_SET) {
      throw ApiException.invalidArgument("model.model_metadata", "model." + fieldName(m.getModelMetadataCase())
          + ": not supported; " + SERVED);
    }
    if (m.getDatasetId().isEmpty()) {
      throw ApiException.invalidArgument("model.dataset_id", "model.dataset_id is required (the id of the dataset"
          + " to train on, the last part of its name)");
    }
    ImageClassificationModelMetadata meta = m.getImageClassificationModelMetadata();
    String modelType = meta.getModelType().isEmpty() ? "cloud" : meta.getModelType();
    String baseModel = AutoMlProtos.MODEL_TYPES.get(modelType);
    if (baseModel == null) {
      throw ApiException.invalidArgument("model.image_classification_model_metadata.model_type",
          "model.image_classification_model_metadata.model_type: '" + ResourceNames.abbreviate(modelType)
              + "' is not an image classification model type (expected one of: "
              + String.join(", ", new TreeMap<>(AutoMlProtos.MODEL_TYPES).keySet()) + ")");
    }
    long budget = meta.getTrainBudgetMilliNodeHours();
    if (budget < 0 || AutoMlProtos.budgetSeconds(budget) > AutoMlProtos.MAX_BUDGET_SECONDS) {
      throw ApiException.invalidArgument("model.image_classification_model_metadata.train_budget_milli_node_hours",
          "model.image_classification_model_metadata.train_budget_milli_node_hours: " + budget + " (expected: 0.."
              + (long) (AutoMlProtos.MAX_BUDGET_SECONDS / AutoMlProtos.SECONDS_PER_MILLI_NODE_HOUR) + "; here one"
              + " node hour is one hour of this server's time, and 0 means the server's default)");
    }
    TrainingParams.Builder params = TrainingParams.newBuilder().setTrainBudgetSeconds(
        AutoMlProtos.budgetSeconds(budget));
    dev.nimbus.v1.Model.Builder model = dev.nimbus.v1.Model.newBuilder()
        .setDisplayName(m.getDisplayName())
        .setDataset(ResourceNames.dataset(m.getDatasetId()))
        .setModelType(modelType)
        .putAllUserLabels(m.getLabelsMap());
    if (meta.getBaseModelId().isEmpty()) {
      model.setBaseModel(baseModel);
    } else {
      // The new model starts from that model's trained head, on that model's base model.
      params.setInitialModel(ResourceNames.model(meta.getBaseModelId()));
    }
    model.setTrainingParams(params);
    Unary.reply(response, AutoMlOperations.view(at, models.create(dev.nimbus.v1.CreateModelRequest.newBuilder()
        .setModelId(AutoMlNames.newId()).setModel(model).build())));
  }

  @Override
  public void getModel(GetModelRequest request, StreamObserver<Model> response) {
    AutoMlNames.Parsed p = AutoMlNames.model("name", request.getName());
    Unary.reply(response, AutoMlProtos.model(p.location(), models.get(ResourceNames.model(p.id()))));
  }

  @Override
  public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> response) {
    AutoMlNames.Location at = AutoMlNames.location("parent", request.getParent());
    AutoMlFilter filter = AutoMlFilter.parse(request.getFilter(), MODEL_FILTER_FIELDS);
    ListModelsResponse.Builder b = ListModelsResponse.newBuilder();
    String token = request.getPageToken();
    int size = ListQueries.pageSize(request.getPageSize());
    // Filtered here, page by page, so that next_page_token stays the native list's.
    do {
      dev.nimbus.v1.ListModelsResponse page = models.list(dev.nimbus.v1.ListModelsRequest.newBuilder()
          .setPageSize(size).setPageToken(token).build());
      for (dev.nimbus.v1.Model m : page.getModelsList()) {
        String datasetId = m.getDataset().substring("datasets/".length());
        if (filter.test(f -> f.equals("dataset_id") ? datasetId
            : f.equals("image_classification_model_metadata") ? "set" : "")) {
          b.addModel(AutoMlProtos.model(at, m));
        }
      }
      token = page.getNextPageToken();
    } while (b.getModelCount() == 0 && !token.isEmpty());
    Unary.reply(response, b.setNextPageToken(token).build());
  }

  @Override
  public void updateModel(UpdateModelRequest request, StreamObserver<Model> response) {
    AutoMlNames.Parsed p = AutoMlNames.model("model.name", request.getModel().getName());
    Model m = request.getModel();
    FieldMask mask = nativeMask(request.getUpdateMask(), Map.of("display_name", "display_name",
        "labels", "user_labels"));
    dev.nimbus.v1.Model updated = models.update(dev.nimbus.v1.UpdateModelRequest.newBuilder()
        .setModel(dev.nimbus.v1.Model.newBuilder().setName(ResourceNames.model(p.id()))
            .setDisplayName(m.getDisplayName()).putAllUserLabels(m.getLabelsMap()))
        .setUpdateMask(mask).build());
    Unary.reply(response, AutoMlProtos.model(p.location(), updated));
  }

  @Override
  public void deleteModel(DeleteModelRequest request, StreamObserver<Operation> response) {
    AutoMlNames.Parsed p = AutoMlNames.model("name", request.getName());
    Unary.reply(response, AutoMlOperations.view(p.location(), models.delete(
        dev.nimbus.v1.DeleteModelRequest.newBuilder().setName(ResourceNames.model(p.id())).build())));
  }

  /**
   * node_count is accepted (1 to 100, as AutoML checks it) and changes nothing: this server is one node, and its
   * batch threads are shared by every deployed model.
   */
  @Override
  public void deployModel(DeployModelRequest request, StreamObserver<Operation> response) {
    AutoMlNames.Parsed p = AutoMlNames.model("name", request.getName());
    if (request.hasImageObjectDetectionModelDeploymentMetadata()) {
      throw ApiException.invalidArgument("image_object_detection_model_deployment_metadata",
          "image_object_detection_model_deployment_metadata: not supported; " + SERVED);
    }
    long nodes = request.getImageClassificationModelDeploymentMetadata().getNodeCount();
    if (request.hasImageClassificationModelDeploymentMetadata() && (nodes < 1 || nodes > 100)) {
      throw ApiException.invalidArgument("image_classification_model_deployment_metadata.node_count",
          "image_classification_model_deployment_metadata.node_count: " + nodes + " (expected: 1..100)");
    }
    Unary.reply(response, AutoMlOperations.view(p.location(), deployments.deploy(
        dev.nimbus.v1.DeployModelRequest.newBuilder().setName(ResourceNames.model(p.id())).build())));
  }

  @Override
  public void undeployModel(UndeployModelRequest request, StreamObserver<Operation> response) {
    AutoMlNames.Parsed p = AutoMlNames.model("name", request.getName());
    Unary.reply(response, AutoMlOperations.view(p.location(), deployments.undeploy(
        dev.nimbus.v1.UndeployModelRequest.newBuilder().setName(ResourceNames.model(p.id())).build())));
  }

  /**
   * Writes {@code model-export/icn/tf_saved_model-{display name}-{time}/} under the destination, as AutoML does;
   * {@code tf_saved_model} is the one format served (an empty model_format means it).
   */
  @Override
  public void exportModel(ExportModelRequest request, StreamObserver<Operation> response) {
    AutoMlNames.Parsed p = AutoMlNames.model("name", request.getName());
    String format = request.getOutputConfig().getModelFormat();
    if (!format.isEmpty() && !format.equals("tf_saved_model")) {
      throw ApiException.invalidArgument("output_config.model_format", "output_config.model_format: '"
          + ResourceNames.abbreviate(format) + "' is not served (supported: tf_saved_model; tflite, edgetpu_tflite,"
          + " tf_js, core_ml and docker are not)");
    }
    if (!request.getOutputConfig().getParamsMap().isEmpty()) {
      throw ApiException.invalidArgument("output_config.params", "output_config.params: a tf_saved_model export"
          + " takes none (given: " + String.join(", ", new TreeMap<>(request.getOutputConfig().getParamsMap())
          .keySet()) + "; they are for docker exports)");
    }
    String prefix = destination("output_config.gcs_destination.output_uri_prefix",
        request.getOutputConfig().getGcsDestination().getOutputUriPrefix());
    dev.nimbus.v1.Model m = models.get(ResourceNames.model(p.id()));
    String out = outputFolder(prefix, "model-export/icn/tf_saved_model-", m.getDisplayName(), clock);
    Unary.reply(response, AutoMlOperations.view(p.location(), models.export(
        dev.nimbus.v1.ExportModelRequest.newBuilder().setName(m.getName())
            .setOutputConfig(OutputConfig.newBuilder().setOutputUri(out))
            .setFormat(dev.nimbus.v1.ExportModelRequest.Format.SAVED_MODEL_DIRECTORY).build())));
  }

  // ---- evaluations ----

  @Override
  public void getModelEvaluation(GetModelEvaluationRequest request, StreamObserver<ModelEvaluation> response) {
    AutoMlNames.Parsed p = AutoMlNames.modelEvaluation("name", request.getName());
    dev.nimbus.v1.Model m = models.get(ResourceNames.model(p.ids()[0]));
    dev.nimbus.v1.ModelEvaluation e = models.getEvaluation(m.getName() + "/modelEvaluations/" + p.ids()[1]);
    Unary.reply(response, AutoMlProtos.evaluation(p.location(), p.ids()[0], e, m.getLabelsCount()));
  }

  /** The filter's one field is annotation_spec_id: {@code NOT annotation_spec_id:*} is the overall evaluation. */
  @Override
  public void listModelEvaluations(ListModelEvaluationsRequest request,
      StreamObserver<ListModelEvaluationsResponse> response) {
    AutoMlNames.Parsed p = AutoMlNames.model("parent", request.getParent());
    AutoMlFilter filter = AutoMlFilter.parse(request.getFilter(), Set.of("annotation_spec_id"));
    dev.nimbus.v1.Model m = models.get(ResourceNames.model(p.id()));
    ListModelEvaluationsResponse.Builder b = ListModelEvaluationsResponse.newBuilder();
    String token = request.getPageToken();
    do {
      dev.nimbus.v1.ListModelEvaluationsResponse page = models.listEvaluations(
          dev.nimbus.v1.ListModelEvaluationsRequest.newBuilder().setParent(m.getName())
              .setPageSize(request.getPageSize()).setPageToken(token).build());
      for (dev.nimbus.v1.ModelEvaluation e : page.getModelEvaluationsList()) {
        if (filter.test(f -> e.getLabel())) {
          b.addModelEvaluation(AutoMlProtos.evaluation(p.location(), p.id(), e, m.getLabelsCount()));
        }
      }
      token = page.getNextPageToken();
    } while (b.getModelEvaluationCount() == 0 && !token.isEmpty());
    Unary.reply(response, b.setNextPageToken(token).build());
  }

  // ---- helpers ----

  /** An AutoML update mask (required, as AutoML has it) in the native field names. */
  private static FieldMask nativeMask(FieldMask mask, Map<String, String> fields) {
    if (mask.getPathsCount() == 0) {
      throw ApiException.invalidArgument("update_mask", "update_mask is required (the fields to change: "
          + String.join(", ", new TreeMap<>(fields).keySet()) + ")");
    }
    List<String> paths = new ArrayList<>();
    for (String path : mask.getPathsList()) {
      String n = fields.get(path);
      if (n == null) {
        throw ApiException.invalidArgument("update_mask", "update_mask: '" + ResourceNames.abbreviate(path)
            + "' cannot be updated (expected: " + String.join(", ", new TreeMap<>(fields).keySet()) + ")");
      }
      paths.add(n);
    }
    return FieldMask.newBuilder().addAllPaths(paths).build();
  }

  /** A gcs_destination's output_uri_prefix, ending in '/'. */
  static String destination(String field, String prefix) {
    if (prefix.isEmpty()) {
      throw ApiException.invalidArgument(field, field + " is required (e.g. gs://my-bucket/exports/, with the bucket"
          + " mapped to a folder on the server: --gcs-bucket my-bucket=FOLDER)");
    }
    return prefix.endsWith("/") ? prefix : prefix + "/";
  }

  /**
   * The folder an export or batch prediction writes under {@code prefix}, named as AutoML names it:
   * {@code {kind}{display name}-{time}}, with what is not a letter, digit, '-' or '_' in the name made '_'.
   */
  static String outputFolder(String prefix, String kind, String displayName, Clock clock) {
    return prefix + kind + displayName.replaceAll("[^A-Za-z0-9_-]", "_") + "-" + EXPORT_TIME.format(Instant.now(clock));
  }

  /** A oneof case ({@code IMAGE_OBJECT_DETECTION_DATASET_METADATA}) as its field's name, for messages. */
  static String fieldName(Enum<?> oneofCase) {
    return oneofCase.name().toLowerCase(Locale.ROOT);
  }
}
