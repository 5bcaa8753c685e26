package dev.nimbus.server.grpc.automl;

import com.google.cloud.automl.v1.BatchPredictOperationMetadata;
import com.google.cloud.automl.v1.BatchPredictResult;
import com.google.cloud.automl.v1.CreateDatasetOperationMetadata;
import com.google.cloud.automl.v1.CreateModelOperationMetadata;
import com.google.cloud.automl.v1.DeleteOperationMetadata;
import com.google.cloud.automl.v1.DeployModelOperationMetadata;
import com.google.cloud.automl.v1.ExportDataOperationMetadata;
import com.google.cloud.automl.v1.ExportModelOperationMetadata;
import com.google.cloud.automl.v1.ImportDataOperationMetadata;
import com.google.cloud.automl.v1.OperationMetadata;
import com.google.cloud.automl.v1.UndeployModelOperationMetadata;
import com.google.longrunning.Operation;
import com.google.protobuf.Any;
import com.google.protobuf.Empty;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.Code;
import dev.nimbus.server.dataset.Datasets;
import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.grpc.OperationsGrpcService;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.v1.BatchPredictResponse;
import dev.nimbus.v1.Dataset;
import dev.nimbus.v1.ExportDataResponse;
import dev.nimbus.v1.ExportModelResponse;
import dev.nimbus.v1.Model;
import java.util.Optional;

/**
 * Operations as Cloud AutoML shows them: named {@code projects/{p}/locations/{l}/operations/{id}} (the id is the
 * native operation's), with AutoML's {@code OperationMetadata} (whole-number progress, partial failures, times, the
 * kind's details) and AutoML's response types (a Model for CreateModel, Empty for most). The native name and view
 * keep working for the same operations. CreateDataset, which AutoML runs as an operation and Nimbus does at once,
 * gets an operation named after the dataset ({@code create-dataset-{id}}), done from the start and answered from
 * the dataset itself.
 */
final class AutoMlOperations implements OperationsGrpcService.Dialect {
  static final String CREATE_DATASET = "create-dataset-";

  private final Datasets datasets;

  AutoMlOperations(Datasets datasets) {
    this.datasets = datasets;
  }

  @Override
  public boolean owns(String name) {
    return AutoMlNames.isOperation(name);
  }

  @Override
  public Optional<Operation> own(String name) {
    AutoMlNames.Parsed p = AutoMlNames.operation("name", name);
    if (!p.id().startsWith(CREATE_DATASET)) {
      return Optional.empty();
    }
    String datasetId = p.id().substring(CREATE_DATASET.length());
    Dataset d;
    try {
      d = datasets.get(ResourceNames.dataset(datasetId));
    } catch (ApiException e) {
      if (e.code() == Code.NOT_FOUND || e.code() == Code.INVALID_ARGUMENT) {
        throw ApiException.notFound("google.longrunning.Operation", name, "operation " + ResourceNames.abbreviate(name)
            + " does not exist (its dataset is gone, or it was never created)");
      }
      throw e;
    }
    return Optional.of(createdDataset(p.location(), d));
  }

  /** The done operation CreateDataset returns. */
  static Operation createdDataset(AutoMlNames.Location at, Dataset d) {
    String id = d.getName().substring("datasets/".length());
    OperationMetadata m = OperationMetadata.newBuilder()
        .setCreateDatasetDetails(CreateDatasetOperationMetadata.getDefaultInstance())
        .setProgressPercent(100)
        .setCreateTime(d.getCreateTime())
        .setUpdateTime(d.getCreateTime())
        .build();
    return Operation.newBuilder().setName(at.operation(CREATE_DATASET + id)).setMetadata(Any.pack(m))
        .setDone(true).setResponse(Any.pack(AutoMlProtos.dataset(at, d))).build();
  }

  @Override
  public String nativeId(String name) {
    String id = AutoMlNames.operation("name", name).id();
    return ResourceNames.operationId("name", ResourceNames.operation(id));
  }

  @Override
  public String childName(String parent, String id) {
    return AutoMlNames.location("name", parent).operation(id);
  }

  @Override
  public Operation present(String name, Operation op) {
    AutoMlNames.Location at = AutoMlNames.operation("name", name).location();
    return view(at, op);
  }

  /** A native operation, as AutoML shows it, in location {@code at}. */
  static Operation view(AutoMlNames.Location at, Operation op) {
    dev.nimbus.v1.OperationMetadata n;
    try {
      n = op.getMetadata().unpack(dev.nimbus.v1.OperationMetadata.class);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("an operation's metadata is not nimbus.v1.OperationMetadata", e);
    }
    String id = op.getName().substring("operations/".length());
    OperationMetadata.Builder m = OperationMetadata.newBuilder()
        .setProgressPercent(op.getDone() ? 100 : (int) Math.floor(n.getProgressPercent()))
        .addAllPartialFailures(n.getPartialFailuresList())
        .setCreateTime(n.getCreateTime())
        .setUpdateTime(n.getUpdateTime());
    Any response = Any.pack(Empty.getDefaultInstance());
    switch (n.getKind()) {
      case IMPORT_DATA -> m.setImportDataDetails(ImportDataOperationMetadata.getDefaultInstance());
      case DELETE_DATASET, DELETE_MODEL -> m.setDeleteDetails(DeleteOperationMetadata.getDefaultInstance());
      case CREATE_MODEL -> {
        m.setCreateModelDetails(CreateModelOperationMetadata.getDefaultInstance());
        if (op.hasResponse()) {
          response = Any.pack(AutoMlProtos.model(at, unpack(op.getResponse(), Model.class)));
        }
      }
      case DEPLOY_MODEL -> m.setDeployModelDetails(DeployModelOperationMetadata.getDefaultInstance());
      case UNDEPLOY_MODEL -> m.setUndeployModelDetails(UndeployModelOperationMetadata.getDefaultInstance());
      case EXPORT_MODEL -> {
        String out = op.hasResponse() ? unpack(op.getResponse(), ExportModelResponse.class).getOutputUri()
            : n.getExportModelDetails().getOutputUri();
        m.setExportModelDetails(ExportModelOperationMetadata.newBuilder().setOutputInfo(
            ExportModelOperationMetadata.ExportModelOutputInfo.newBuilder().setGcsOutputDirectory(out)));
      }
      case EXPORT_DATA -> {
        String out = op.hasResponse() ? unpack(op.getResponse(), ExportDataResponse.class).getOutputUri()
            : n.getExportDataDetails().getOutputUri();
        m.setExportDataDetails(ExportDataOperationMetadata.newBuilder().setOutputInfo(
            ExportDataOperationMetadata.ExportDataOutputInfo.newBuilder().setGcsOutputDirectory(out)));
      }
      case BATCH_PREDICT -> {
        BatchPredictOperationMetadata.Builder b = BatchPredictOperationMetadata.newBuilder();
        if (op.hasResponse()) {
          BatchPredictResponse r = unpack(op.getResponse(), BatchPredictResponse.class);
          b.setOutputInfo(BatchPredictOperationMetadata.BatchPredictOutputInfo.newBuilder()
              .setGcsOutputDirectory(r.getOutputUri()));
        }
        m.setBatchPredictDetails(b);
        response = Any.pack(BatchPredictResult.getDefaultInstance());
      }
      default -> { }
    }
    Operation.Builder b = Operation.newBuilder().setName(at.operation(id)).setMetadata(Any.pack(m.build()))
        .setDone(op.getDone());
    if (op.hasError()) {
      b.setError(op.getError());
    } else if (op.getDone()) {
      b.setResponse(response);
    }
    return b.build();
  }

  private static <T extends com.google.protobuf.Message> T unpack(Any any, Class<T> type) {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("an operation's response is not " + type.getSimpleName(), e);
    }
  }
}
