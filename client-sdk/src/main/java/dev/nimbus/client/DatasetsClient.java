package dev.nimbus.client;

import static java.util.Objects.requireNonNull;

import com.google.longrunning.Operation;
import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import com.google.protobuf.FieldMask;
import com.google.protobuf.Message;
import dev.nimbus.v1.AnnotationSpec;
import dev.nimbus.v1.ClassificationType;
import dev.nimbus.v1.CreateDatasetRequest;
import dev.nimbus.v1.Dataset;
import dev.nimbus.v1.DatasetServiceGrpc;
import dev.nimbus.v1.DatasetStats;
import dev.nimbus.v1.DeleteDatasetRequest;
import dev.nimbus.v1.DeleteExampleRequest;
import dev.nimbus.v1.Example;
import dev.nimbus.v1.ExportDataRequest;
import dev.nimbus.v1.ExportDataResponse;
import dev.nimbus.v1.GetDatasetRequest;
import dev.nimbus.v1.GetDatasetStatsRequest;
import dev.nimbus.v1.GetExampleRequest;
import dev.nimbus.v1.ImportDataRequest;
import dev.nimbus.v1.ImportDataResponse;
import dev.nimbus.v1.InputConfig;
import dev.nimbus.v1.ListAnnotationSpecsRequest;
import dev.nimbus.v1.ListAnnotationSpecsResponse;
import dev.nimbus.v1.ListDatasetsRequest;
import dev.nimbus.v1.ListDatasetsResponse;
import dev.nimbus.v1.ListExamplesRequest;
import dev.nimbus.v1.ListExamplesResponse;
import dev.nimbus.v1.OutputConfig;
import dev.nimbus.v1.ReadExampleImageRequest;
import dev.nimbus.v1.ReadExampleImageResponse;
import dev.nimbus.v1.UpdateDatasetRequest;
import dev.nimbus.v1.UpdateExampleRequest;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.Status;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * Datasets of labeled images and their examples. Wherever a dataset is named, {@code "clouds"} and
 * {@code "datasets/clouds"} both work; methods that take a whole request message send it as built.
 *
 * <p>Each unary method {@code x(...)} has an {@code xAsync(...)} twin with the same parameters that returns a
 * {@link CompletableFuture} of the same result (and cancels the call if cancelled). Failed calls throw, or
 * complete the future with, grpc's {@link io.grpc.StatusRuntimeException}; {@link NimbusErrors#describe} turns
 * one into a line for people.
 */
public final class DatasetsClient {
  /** Assembling an image in memory starts with at most this much, whatever size the server announces. */
  private static final int MAX_INITIAL_BUFFER = 8 * 1024 * 1024;

  private final DatasetServiceGrpc.DatasetServiceBlockingStub blocking;
  private final DatasetServiceGrpc.DatasetServiceStub async;
  private final OperationPoller poller;

  DatasetsClient(Channel channel, OperationPoller poller) {
    this.blocking = DatasetServiceGrpc.newBlockingStub(channel);
    this.async = DatasetServiceGrpc.newStub(channel);
    this.poller = poller;
  }

  /** Creates an empty dataset; ALREADY_EXISTS if the id is taken. */
  public Dataset create(String datasetId, ClassificationType type) {
    return create(createRequest(datasetId, type));
  }

  public CompletableFuture<Dataset> createAsync(String datasetId, ClassificationType type) {
    return createAsync(createRequest(datasetId, type));
  }

  public Dataset create(CreateDatasetRequest request) {
    return blocking.createDataset(request);
  }

  public CompletableFuture<Dataset> createAsync(CreateDatasetRequest request) {
    return Rpc.unary(async::createDataset, request);
  }

  public Dataset get(String dataset) {
    return blocking.getDataset(getRequest(dataset));
  }

  public CompletableFuture<Dataset> getAsync(String dataset) {
    return Rpc.unary(async::getDataset, getRequest(dataset));
  }

  /** All datasets, ordered by id, fetched page by page as iteration reaches them. */
  public PagedIterable<Dataset> list() {
    return list(ListDatasetsRequest.getDefaultInstance());
  }

  /** Starts at {@code request}'s page token; its page size is kept for every page. */
  public PagedIterable<Dataset> list(ListDatasetsRequest request) {
    return PagedIterable.of(request.getPageToken(),
        token -> blocking.listDatasets(request.toBuilder().setPageToken(token).build()),
        ListDatasetsResponse::getDatasetsList, ListDatasetsResponse::getNextPageToken);
  }

  public ListDatasetsResponse listPage(ListDatasetsRequest request) {
    return blocking.listDatasets(request);
  }

  public CompletableFuture<ListDatasetsResponse> listPageAsync(ListDatasetsRequest request) {
    return Rpc.unary(async::listDatasets, request);
  }

  /**
   * Updates the fields of {@code dataset} named in {@code updateMask} ({@code display_name}, {@code description},
   * {@code user_labels}; an empty mask means all three). Send the etag you read back to detect lost updates.
   */
  public Dataset update(Dataset dataset, FieldMask updateMask) {
    return blocking.updateDataset(updateRequest(dataset, updateMask));
  }

  public CompletableFuture<Dataset> updateAsync(Dataset dataset, FieldMask updateMask) {
    return Rpc.unary(async::updateDataset, updateRequest(dataset, updateMask));
  }

  /** Deletes a dataset with its examples, cancelling imports into it first. */
  public OperationFuture<Empty> delete(String dataset) {
    return track(blocking.deleteDataset(deleteRequest(dataset)), Empty.class);
  }

  public CompletableFuture<OperationFuture<Empty>> deleteAsync(String dataset) {
    return Rpc.unary(async::deleteDataset, deleteRequest(dataset), operation -> track(operation, Empty.class));
  }

  /**
   * Imports labeled images from a CSV; rows the server rejects are counted in the response and listed in the
   * metadata's partial failures, they do not fail the operation.
   */
  public OperationFuture<ImportDataResponse> importData(String dataset, InputConfig inputConfig) {
    return track(blocking.importData(importRequest(dataset, inputConfig)), ImportDataResponse.class);
  }

  public CompletableFuture<OperationFuture<ImportDataResponse>> importDataAsync(
      String dataset, InputConfig inputConfig) {
    return Rpc.unary(async::importData, importRequest(dataset, inputConfig),
        operation -> track(operation, ImportDataResponse.class));
  }

  /**
   * Writes the dataset in AutoML Vision's export layout into a folder on the server (under its export roots, new
   * or empty): {@code images/<sha256>.<ext>} and {@code image_classification_1.csv}, whose relative URIs
   * {@link #importCsv} reads back as they are. The folder appears only once complete.
   *
   * @param outputUri a path or {@code file://} URI on the server
   */
  public OperationFuture<ExportDataResponse> exportData(String dataset, String outputUri) {
    return exportData(exportRequest(dataset, outputUri));
  }

  public CompletableFuture<OperationFuture<ExportDataResponse>> exportDataAsync(String dataset, String outputUri) {
    return exportDataAsync(exportRequest(dataset, outputUri));
  }

  /** ExportData as built, e.g. with an {@code image_uri_prefix} for the CSV's URIs. */
  public OperationFuture<ExportDataResponse> exportData(ExportDataRequest request) {
    requireNonNull(request, "request");
    return track(blocking.exportData(request), ExportDataResponse.class);
  }

  public CompletableFuture<OperationFuture<ExportDataResponse>> exportDataAsync(ExportDataRequest request) {
    requireNonNull(request, "request");
    return Rpc.unary(async::exportData, request, operation -> track(operation, ExportDataResponse.class));
  }

  /**
   * Imports a CSV file that the server reads from its own disk, under its allowed import roots. A relative path
   * is made absolute against this JVM's working directory, which is right when client and server share a disk.
   */
  public OperationFuture<ImportDataResponse> importCsv(String dataset, Path csvOnServer) {
    return importData(dataset, csvUriConfig(csvOnServer));
  }

  public CompletableFuture<OperationFuture<ImportDataResponse>> importCsvAsync(String dataset, Path csvOnServer) {
    return importDataAsync(dataset, csvUriConfig(csvOnServer));
  }

  /**
   * Imports a CSV sent in the request.
   *
   * @param baseUri the server folder that relative image URIs resolve against; {@code null} if every URI in the
   *     CSV is absolute
   */
  public OperationFuture<ImportDataResponse> importCsvContent(String dataset, byte[] csv, String baseUri) {
    return importData(dataset, csvContentConfig(csv, baseUri));
  }

  public CompletableFuture<OperationFuture<ImportDataResponse>> importCsvContentAsync(
      String dataset, byte[] csv, String baseUri) {
    return importDataAsync(dataset, csvContentConfig(csv, baseUri));
  }

  /**
   * Imports images from this machine: {@code source} is a CSV file ({@code [set,]uri,label}, URIs relative to its
   * folder), a folder with one sub-folder per label ({@code clouds/cirrus/a.jpg} is labelled {@code cirrus}), or a
   * zip of either. The images are hashed, only those the server lacks are sent (an interrupted upload resumes where
   * it stopped; a repeated one sends nothing), then ImportData reads them, validating each like any import. Blocks
   * until the upload is done; the returned import runs on.
   *
   * @param progress called from upload threads as images are hashed and sent
   * @throws io.grpc.StatusRuntimeException if a call fails (run it again to resume)
   * @throws UncheckedIOException if a local file cannot be read
   */
  public UploadResult upload(String dataset, Path source, Consumer<UploadProgress> progress) {
    requireNonNull(source, "source");
    requireNonNull(progress, "progress");
    String name = Names.dataset(dataset);
    try (LocalImages local = LocalImages.read(source)) {
      ImageUploader.Sent sent = new ImageUploader(blocking, name, progress).upload(local);
      InputConfig input = InputConfig.newBuilder().setCsvContent(ByteString.copyFrom(local.csv()))
          .putAllUploadedImages(sent.hashes()).build();
      List<String> unreadable = new ArrayList<>(local.unreadable());
      unreadable.addAll(sent.notSent());
      return new UploadResult(local.images().size(), sent.imagesSent(), sent.bytesSent(), unreadable,
          importData(dataset, input));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + source + ": " + e.getMessage(), e);
    }
  }

  /** Changes an example's labels and/or split ({@code update_mask} paths {@code labels}, {@code ml_use}). */
  public Example updateExample(Example example, FieldMask updateMask) {
    requireNonNull(example, "example");
    return blocking.updateExample(UpdateExampleRequest.newBuilder().setExample(example)
        .setUpdateMask(updateMask == null ? FieldMask.getDefaultInstance() : updateMask).build());
  }

  /** Label counts per split, with the warnings AutoML gives before training. */
  public DatasetStats stats(String dataset) {
    return blocking.getDatasetStats(statsRequest(dataset));
  }

  public CompletableFuture<DatasetStats> statsAsync(String dataset) {
    return Rpc.unary(async::getDatasetStats, statsRequest(dataset));
  }

  /** The labels of a dataset, ordered by label, fetched page by page as iteration reaches them. */
  public PagedIterable<AnnotationSpec> listAnnotationSpecs(String dataset) {
    return listAnnotationSpecs(
        ListAnnotationSpecsRequest.newBuilder().setParent(Names.dataset(dataset)).build());
  }

  /** Starts at {@code request}'s page token; its page size is kept for every page. */
  public PagedIterable<AnnotationSpec> listAnnotationSpecs(ListAnnotationSpecsRequest request) {
    return PagedIterable.of(request.getPageToken(),
        token -> blocking.listAnnotationSpecs(request.toBuilder().setPageToken(token).build()),
        ListAnnotationSpecsResponse::getAnnotationSpecsList, ListAnnotationSpecsResponse::getNextPageToken);
  }

  public ListAnnotationSpecsResponse listAnnotationSpecsPage(ListAnnotationSpecsRequest request) {
    return blocking.listAnnotationSpecs(request);
  }

  public CompletableFuture<ListAnnotationSpecsResponse> listAnnotationSpecsPageAsync(
      ListAnnotationSpecsRequest request) {
    return Rpc.unary(async::listAnnotationSpecs, request);
  }

  /** Every example of a dataset, in import order, fetched page by page as iteration reaches them. */
  public PagedIterable<Example> listExamples(String dataset) {
    return listExamples(dataset, "");
  }

  /**
   * The examples matching {@code filter}, e.g. {@code label = "cirrus" AND ml_use = TEST}; {@code ""} for all.
   */
  public PagedIterable<Example> listExamples(String dataset, String filter) {
    requireNonNull(filter, "filter");
    return listExamples(
        ListExamplesRequest.newBuilder().setParent(Names.dataset(dataset)).setFilter(filter).build());
  }

  /** Starts at {@code request}'s page token; its page size and filter are kept for every page. */
  public PagedIterable<Example> listExamples(ListExamplesRequest request) {
    return PagedIterable.of(request.getPageToken(),
        token -> blocking.listExamples(request.toBuilder().setPageToken(token).build()),
        ListExamplesResponse::getExamplesList, ListExamplesResponse::getNextPageToken);
  }

  /** One page, with {@code total_size}: the number of matching examples over all pages. */
  public ListExamplesResponse listExamplesPage(ListExamplesRequest request) {
    return blocking.listExamples(request);
  }

  public CompletableFuture<ListExamplesResponse> listExamplesPageAsync(ListExamplesRequest request) {
    return Rpc.unary(async::listExamples, request);
  }

  /** @param example {@code datasets/{dataset}/examples/{sha256}}; see {@link Names#example(String, String)} */
  public Example getExample(String example) {
    return blocking.getExample(getExampleRequest(example));
  }

  public CompletableFuture<Example> getExampleAsync(String example) {
    return Rpc.unary(async::getExample, getExampleRequest(example));
  }

  /** Removes one image from its dataset. */
  public void deleteExample(String example) {
    blocking.deleteExample(deleteExampleRequest(example));
  }

  public CompletableFuture<Void> deleteExampleAsync(String example) {
    return Rpc.unary(async::deleteExample, deleteExampleRequest(example), empty -> null);
  }

  /**
   * The image bytes of an example, assembled in memory from the server's chunks.
   *
   * @throws io.grpc.StatusRuntimeException {@code DATA_LOSS} if the bytes received differ in number from the
   *     size the server announced
   */
  public byte[] readImage(String example) {
    ByteArrayOutputStream[] buffer = new ByteArrayOutputStream[1];
    streamImage(example, size -> {
      if (size > Integer.MAX_VALUE - 8) {
        throw Status.FAILED_PRECONDITION
            .withDescription(example + " is " + size + " bytes, too large for a byte[]; read it into a stream")
            .asRuntimeException();
      }
      // Presized from the announced size, within a bound: that size is the server's word, not yet checked.
      buffer[0] = new ByteArrayOutputStream((int) Math.min(size, MAX_INITIAL_BUFFER));
      return buffer[0];
    });
    return buffer[0].toByteArray();
  }

  /**
   * Streams the image bytes of an example into {@code out}, which stays open.
   *
   * @throws io.grpc.StatusRuntimeException {@code DATA_LOSS} if the bytes received differ in number from the
   *     size the server announced; {@code out} then holds a partial image
   * @throws UncheckedIOException if writing to {@code out} fails
   */
  public ImageInfo readImage(String example, OutputStream out) {
    requireNonNull(out, "out");
    return streamImage(example, size -> out);
  }

  /** @param sinkForSize gives where to write, once the first chunk has announced the size */
  private ImageInfo streamImage(String example, LongFunction<OutputStream> sinkForSize) {
    ReadExampleImageRequest request = ReadExampleImageRequest.newBuilder().setName(Names.example(example)).build();
    // A cancellable context, so that stopping early (a size mismatch, a failed write) ends the call at once
    // instead of leaving it running until its deadline.
    Context.CancellableContext context = Context.current().withCancellation();
    Context previous = context.attach();
    try {
      Iterator<ReadExampleImageResponse> chunks = blocking.readExampleImage(request);
      if (!chunks.hasNext()) {
        throw dataLoss(example + ": the server sent no image data");
      }
      ReadExampleImageResponse first = chunks.next();
      long expected = first.getSizeBytes();
      if (expected < 0) {
        throw dataLoss(example + ": the server announced a size of " + expected + " bytes");
      }
      OutputStream out = sinkForSize.apply(expected);
      long received = write(first.getData(), out, 0, expected, example);
      while (chunks.hasNext()) {
        received = write(chunks.next().getData(), out, received, expected, example);
      }
      if (received != expected) {
        throw dataLoss(example + ": received " + received + " bytes of an image announced as " + expected);
      }
      return new ImageInfo(first.getMimeType(), received);
    } finally {
      context.detach(previous);
      context.cancel(null);
    }
  }

  private static long write(ByteString data, OutputStream out, long received, long expected, String example) {
    long total = received + data.size();
    if (total > expected) {
      throw dataLoss(example + ": received more than the " + expected + " bytes the image was announced as");
    }
    try {
      data.writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException("writing the image of " + example + " failed", e);
    }
    return total;
  }

  private static RuntimeException dataLoss(String message) {
    return Status.DATA_LOSS.withDescription(message).asRuntimeException();
  }

  private <R extends Message> OperationFuture<R> track(Operation operation, Class<R> type) {
    return poller.track(operation, type);
  }

  private static CreateDatasetRequest createRequest(String datasetId, ClassificationType type) {
    requireNonNull(datasetId, "datasetId");
    requireNonNull(type, "type");
    return CreateDatasetRequest.newBuilder()
        .setDatasetId(datasetId)
        .setDataset(Dataset.newBuilder().setClassificationType(type))
        .build();
  }

  private static GetDatasetRequest getRequest(String dataset) {
    return GetDatasetRequest.newBuilder().setName(Names.dataset(dataset)).build();
  }

  private static UpdateDatasetRequest updateRequest(Dataset dataset, FieldMask updateMask) {
    requireNonNull(dataset, "dataset");
    requireNonNull(updateMask, "updateMask");
    return UpdateDatasetRequest.newBuilder()
        .setDataset(dataset.toBuilder().setName(Names.dataset(dataset.getName())))
        .setUpdateMask(updateMask)
        .build();
  }

  private static DeleteDatasetRequest deleteRequest(String dataset) {
    return DeleteDatasetRequest.newBuilder().setName(Names.dataset(dataset)).build();
  }

  private static ImportDataRequest importRequest(String dataset, InputConfig inputConfig) {
    requireNonNull(inputConfig, "inputConfig");
    return ImportDataRequest.newBuilder().setName(Names.dataset(dataset)).setInputConfig(inputConfig).build();
  }

  private static ExportDataRequest exportRequest(String dataset, String outputUri) {
    requireNonNull(outputUri, "outputUri");
    return ExportDataRequest.newBuilder().setName(Names.dataset(dataset))
        .setOutputConfig(OutputConfig.newBuilder().setOutputUri(outputUri)).build();
  }

  private static InputConfig csvUriConfig(Path csvOnServer) {
    requireNonNull(csvOnServer, "csvOnServer");
    return InputConfig.newBuilder().setCsvUri(csvOnServer.toAbsolutePath().normalize().toString()).build();
  }

  private static InputConfig csvContentConfig(byte[] csv, String baseUri) {
    requireNonNull(csv, "csv");
    InputConfig.Builder config = InputConfig.newBuilder().setCsvContent(ByteString.copyFrom(csv));
    if (baseUri != null) {
      config.setBaseUri(baseUri);
    }
    return config.build();
  }

  private static GetDatasetStatsRequest statsRequest(String dataset) {
    return GetDatasetStatsRequest.newBuilder().setDataset(Names.dataset(dataset)).build();
  }

  private static GetExampleRequest getExampleRequest(String example) {
    return GetExampleRequest.newBuilder().setName(Names.example(example)).build();
  }

  private static DeleteExampleRequest deleteExampleRequest(String example) {
    return DeleteExampleRequest.newBuilder().setName(Names.example(example)).build();
  }
}
