package dev.nimbus.client;

import com.google.longrunning.Operation;
import com.google.protobuf.Any;
import com.google.protobuf.Empty;
import com.google.rpc.ResourceInfo;
import dev.nimbus.v1.CreateDatasetRequest;
import dev.nimbus.v1.Dataset;
import dev.nimbus.v1.DatasetServiceGrpc;
import dev.nimbus.v1.DatasetStats;
import dev.nimbus.v1.DeleteDatasetRequest;
import dev.nimbus.v1.DeleteExampleRequest;
import dev.nimbus.v1.ExportDataRequest;
import dev.nimbus.v1.GetDatasetRequest;
import dev.nimbus.v1.GetDatasetStatsRequest;
import dev.nimbus.v1.ImportDataRequest;
import dev.nimbus.v1.ListDatasetsRequest;
import dev.nimbus.v1.ListDatasetsResponse;
import dev.nimbus.v1.ListExamplesRequest;
import dev.nimbus.v1.ListExamplesResponse;
import dev.nimbus.v1.ReadExampleImageRequest;
import dev.nimbus.v1.ReadExampleImageResponse;
import dev.nimbus.v1.UpdateDatasetRequest;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/** A DatasetService that records what it is asked and answers what the test set up. */
final class FakeDatasetService extends DatasetServiceGrpc.DatasetServiceImplBase {
  /** GetDataset of this name never answers; the call's cancellation counts down {@link #slowCallCancelled}. */
  static final String SLOW = "datasets/slow";

  final Map<String, Dataset> datasets = new ConcurrentHashMap<>();
  final List<GetDatasetRequest> gets = new CopyOnWriteArrayList<>();
  final List<Deadline> getDeadlines = new CopyOnWriteArrayList<>();
  final CountDownLatch slowCallStarted = new CountDownLatch(1);
  final CountDownLatch slowCallCancelled = new CountDownLatch(1);

  /** ListDatasets answers by page token. */
  final Map<String, ListDatasetsResponse> datasetPages = new ConcurrentHashMap<>();
  final Map<String, Status> failingPages = new ConcurrentHashMap<>();
  final List<ListDatasetsRequest> listRequests = new CopyOnWriteArrayList<>();
  final List<ListExamplesRequest> listExamplesRequests = new CopyOnWriteArrayList<>();

  final List<CreateDatasetRequest> creates = new CopyOnWriteArrayList<>();
  final List<UpdateDatasetRequest> updates = new CopyOnWriteArrayList<>();
  final List<ImportDataRequest> imports = new CopyOnWriteArrayList<>();
  final List<ExportDataRequest> exports = new CopyOnWriteArrayList<>();
  final List<GetDatasetStatsRequest> statsRequests = new CopyOnWriteArrayList<>();
  final List<String> deletedExamples = new CopyOnWriteArrayList<>();
  /** What ImportData, ExportData and DeleteDataset return. */
  volatile Operation importOperation;
  volatile Operation exportOperation;
  volatile Operation deleteOperation;
  volatile DatasetStats stats = DatasetStats.getDefaultInstance();
  volatile List<ReadExampleImageResponse> imageChunks = List.of();

  @Override
  public void createDataset(CreateDatasetRequest request, StreamObserver<Dataset> responses) {
    creates.add(request);
    reply(responses, request.getDataset().toBuilder().setName("datasets/" + request.getDatasetId()).build());
  }

  @Override
  public void getDataset(GetDatasetRequest request, StreamObserver<Dataset> responses) {
    gets.add(request);
    getDeadlines.add(Context.current().getDeadline());
    if (request.getName().equals(SLOW)) {
      Context.current().addListener(context -> slowCallCancelled.countDown(), Runnable::run);
      slowCallStarted.countDown();
      return;
    }
    Dataset dataset = datasets.get(request.getName());
    if (dataset == null) {
      responses.onError(StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
          .setCode(Status.Code.NOT_FOUND.value())
          .setMessage("dataset '" + request.getName() + "' does not exist")
          .addDetails(Any.pack(ResourceInfo.newBuilder()
              .setResourceType("nimbus.dev/Dataset").setResourceName(request.getName()).build()))
          .build()));
      return;
    }
    reply(responses, dataset);
  }

  @Override
  public void listDatasets(ListDatasetsRequest request, StreamObserver<ListDatasetsResponse> responses) {
    listRequests.add(request);
    Status failure = failingPages.get(request.getPageToken());
    if (failure != null) {
      responses.onError(failure.asRuntimeException());
      return;
    }
    reply(responses, datasetPages.getOrDefault(request.getPageToken(), ListDatasetsResponse.getDefaultInstance()));
  }

  @Override
  public void updateDataset(UpdateDatasetRequest request, StreamObserver<Dataset> responses) {
    updates.add(request);
    reply(responses, request.getDataset());
  }

  @Override
  public void deleteDataset(DeleteDatasetRequest request, StreamObserver<Operation> responses) {
    reply(responses, deleteOperation);
  }

  @Override
  public void importData(ImportDataRequest request, StreamObserver<Operation> responses) {
    imports.add(request);
    reply(responses, importOperation);
  }

  @Override
  public void exportData(ExportDataRequest request, StreamObserver<Operation> responses) {
    exports.add(request);
    reply(responses, exportOperation);
  }

  @Override
  public void getDatasetStats(GetDatasetStatsRequest request, StreamObserver<DatasetStats> responses) {
    statsRequests.add(request);
    reply(responses, stats);
  }

  @Override
  public void listExamples(ListExamplesRequest request, StreamObserver<ListExamplesResponse> responses) {
    listExamplesRequests.add(request);
    reply(responses, ListExamplesResponse.getDefaultInstance());
  }

  @Override
  public void deleteExample(DeleteExampleRequest request, StreamObserver<Empty> responses) {
    deletedExamples.add(request.getName());
    reply(responses, Empty.getDefaultInstance());
  }

  @Override
  public void readExampleImage(ReadExampleImageRequest request, StreamObserver<ReadExampleImageResponse> responses) {
    imageChunks.forEach(responses::onNext);
    responses.onCompleted();
  }

  private static <T> void reply(StreamObserver<T> responses, T response) {
    responses.onNext(response);
    responses.onCompleted();
  }
}
