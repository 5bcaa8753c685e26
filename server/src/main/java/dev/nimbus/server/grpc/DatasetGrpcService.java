package dev.nimbus.server.grpc;

import com.google.longrunning.Operation;
import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import dev.nimbus.server.dataset.Datasets;
import dev.nimbus.server.dataset.Datasets.ExampleImage;
import dev.nimbus.server.storage.StorageException;
import dev.nimbus.v1.CreateDatasetRequest;
import dev.nimbus.v1.Dataset;
import dev.nimbus.v1.DatasetServiceGrpc;
import dev.nimbus.v1.DatasetStats;
import dev.nimbus.v1.DeleteDatasetRequest;
import dev.nimbus.v1.DeleteExampleRequest;
import dev.nimbus.v1.Example;
import dev.nimbus.v1.FindMissingImagesRequest;
import dev.nimbus.v1.FindMissingImagesResponse;
import dev.nimbus.v1.GetDatasetRequest;
import dev.nimbus.v1.ExportDataRequest;
import dev.nimbus.v1.GetDatasetStatsRequest;
import dev.nimbus.v1.GetExampleRequest;
import dev.nimbus.v1.ImportDataRequest;
import dev.nimbus.v1.ListAnnotationSpecsRequest;
import dev.nimbus.v1.ListAnnotationSpecsResponse;
import dev.nimbus.v1.ListDatasetsRequest;
import dev.nimbus.v1.ListDatasetsResponse;
import dev.nimbus.v1.ListExamplesRequest;
import dev.nimbus.v1.ListExamplesResponse;
import dev.nimbus.v1.ReadExampleImageRequest;
import dev.nimbus.v1.ReadExampleImageResponse;
import dev.nimbus.v1.UpdateDatasetRequest;
import dev.nimbus.v1.UpdateExampleRequest;
import dev.nimbus.v1.UploadImagesRequest;
import dev.nimbus.v1.UploadImagesResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicBoolean;

/** DatasetService over gRPC: converts, delegates to {@link Datasets}, nothing else. */
public final class DatasetGrpcService extends DatasetServiceGrpc.DatasetServiceImplBase {
  static final int CHUNK_BYTES = 1024 * 1024;

  private final Datasets datasets;

  public DatasetGrpcService(Datasets datasets) {
    this.datasets = datasets;
  }

  @Override
  public void createDataset(CreateDatasetRequest request, StreamObserver<Dataset> response) {
    Unary.reply(response, datasets.create(request));
  }

  @Override
  public void getDataset(GetDatasetRequest request, StreamObserver<Dataset> response) {
    Unary.reply(response, datasets.get(request.getName()));
  }

  @Override
  public void listDatasets(ListDatasetsRequest request, StreamObserver<ListDatasetsResponse> response) {
    Unary.reply(response, datasets.list(request));
  }

  @Override
  public void updateDataset(UpdateDatasetRequest request, StreamObserver<Dataset> response) {
    Unary.reply(response, datasets.update(request));
  }

  @Override
  public void deleteDataset(DeleteDatasetRequest request, StreamObserver<Operation> response) {
    Unary.reply(response, datasets.delete(request));
  }

  @Override
  public void importData(ImportDataRequest request, StreamObserver<Operation> response) {
    Unary.reply(response, datasets.importData(request));
  }

  @Override
  public void exportData(ExportDataRequest request, StreamObserver<Operation> response) {
    Unary.reply(response, datasets.exportData(request));
  }

  @Override
  public void getDatasetStats(GetDatasetStatsRequest request, StreamObserver<DatasetStats> response) {
    Unary.reply(response, datasets.stats(request.getDataset()));
  }

  @Override
  public void listAnnotationSpecs(ListAnnotationSpecsRequest request,
      StreamObserver<ListAnnotationSpecsResponse> response) {
    Unary.reply(response, datasets.listAnnotationSpecs(request));
  }

  @Override
  public void listExamples(ListExamplesRequest request, StreamObserver<ListExamplesResponse> response) {
    Unary.reply(response, datasets.listExamples(request));
  }

  @Override
  public void getExample(GetExampleRequest request, StreamObserver<Example> response) {
    Unary.reply(response, datasets.getExample(request.getName()));
  }

  @Override
  public void updateExample(UpdateExampleRequest request, StreamObserver<Example> response) {
    Unary.reply(response, datasets.updateExample(request));
  }

  @Override
  public void findMissingImages(FindMissingImagesRequest request,
      StreamObserver<FindMissingImagesResponse> response) {
    Unary.reply(response, datasets.findMissingImages(request));
  }

  @Override
  public void uploadImages(UploadImagesRequest request, StreamObserver<UploadImagesResponse> response) {
    Unary.reply(response, datasets.uploadImages(request));
  }

  @Override
  public void deleteExample(DeleteExampleRequest request, StreamObserver<Empty> response) {
    datasets.deleteExample(request.getName());
    Unary.reply(response, Empty.getDefaultInstance());
  }

  /**
   * Streams the image in chunks as the client's flow control allows, so a slow reader of a 30 MB image holds
   * one chunk in memory, not thirty.
   */
  @Override
  public void readExampleImage(ReadExampleImageRequest request, StreamObserver<ReadExampleImageResponse> response) {
    ExampleImage image = datasets.image(request.getName(), request.getThumbnailSize());
    InputStream in;
    if (image.preview() != null) {
      in = new ByteArrayInputStream(image.preview());
    } else {
      try {
        in = datasets.blobs().open(image.sha256());
      } catch (IOException e) {
        throw new StorageException("the image of " + request.getName()
            + " is missing from the blob store: " + e.getMessage(), e);
      }
    }
    ServerCallStreamObserver<ReadExampleImageResponse> out =
        (ServerCallStreamObserver<ReadExampleImageResponse>) response;
    AtomicBoolean first = new AtomicBoolean(true);
    AtomicBoolean finished = new AtomicBoolean();
    Runnable close = () -> {
      try {
        in.close();
      } catch (IOException ignored) {
        // nothing to do
      }
    };
    out.setOnCancelHandler(() -> {
      finished.set(true);
      close.run();
    });
    out.setOnReadyHandler(() -> {
      try {
        while (out.isReady() && !finished.get()) {
          byte[] chunk = in.readNBytes(CHUNK_BYTES);
          boolean isFirst = first.getAndSet(false);
          if (chunk.length == 0 && !isFirst) {
            finished.set(true);
            close.run();
            out.onCompleted();
            return;
          }
          ReadExampleImageResponse.Builder b = ReadExampleImageResponse.newBuilder().setData(ByteString.copyFrom(chunk));
          if (isFirst) {
            b.setMimeType(image.mimeType()).setSizeBytes(image.sizeBytes()).setEtag(image.tag());
          }
          out.onNext(b.build());
        }
      } catch (IOException e) {
        finished.set(true);
        close.run();
        out.onError(StatusMapping.toStatus(new StorageException(
            "reading the image of " + request.getName() + " failed: " + e.getMessage(), e)));
      }
    });
  }
}
