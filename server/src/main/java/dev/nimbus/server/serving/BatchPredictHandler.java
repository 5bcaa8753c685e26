package dev.nimbus.server.serving;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.Status;
import dev.nimbus.server.batching.Ticker;
import dev.nimbus.server.dataset.Datasets;
import dev.nimbus.server.dataset.NamedImage;
import dev.nimbus.server.operation.OperationContext;
import dev.nimbus.server.operation.OperationHandler;
import dev.nimbus.server.storage.BucketMapping;
import dev.nimbus.server.storage.Database;
import dev.nimbus.server.util.OutputPaths;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.v1.BatchPredictDetails;
import dev.nimbus.v1.BatchPredictRequest;
import dev.nimbus.v1.BatchPredictResponse;
import dev.nimbus.v1.DatasetSplit;
import dev.nimbus.v1.OperationMetadata;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs BatchPredict: reads the images (CSV rows with the import's rules, or a dataset split), runs them through
 * the deployed model's batch queue in chunks, and hands each image's scores or failure, in input order, to the
 * {@link BatchPredictionWriter} of the request's output format (Nimbus's JSON Lines file or AutoML's folder),
 * which writes under a temporary name and renames at the end, so the output is complete or absent. Rows that fail
 * are reported like an import's. Resumable: a restart writes the output again from the start.
 */
public final class BatchPredictHandler implements OperationHandler {
  private static final int CHUNK = 32;

  private final Deployments deployments;
  private final ImagePreparer preparer;
  private final Datasets datasets;
  private final Database db;
  private final Ticker ticker;
  private final BucketMapping buckets;

  public BatchPredictHandler(Deployments deployments, ImagePreparer preparer, Datasets datasets, Database db,
      Ticker ticker, BucketMapping buckets) {
    this.buckets = buckets;
    this.ticker = ticker;
    this.deployments = deployments;
    this.preparer = preparer;
    this.datasets = datasets;
    this.db = db;
  }

  @Override
  public OperationMetadata.Kind kind() {
    return OperationMetadata.Kind.BATCH_PREDICT;
  }

  @Override
  public boolean resumable() {
    return true;
  }

  @Override
  public void run(OperationContext ctx) throws Exception {
    BatchPredictRequest spec = BatchPredictRequest.parseFrom(ctx.spec());
    String modelId = ResourceNames.modelId("name", spec.getName());
    String uri = spec.getOutputConfig().getOutputUri(); // as the caller gave it (gs:// or a path), so reported
    Path out = OutputPaths.prepare(buckets, uri);
    OperationMetadata.Builder m = ctx.metadata().toBuilder();
    BatchPredictDetails.Builder d = m.getBatchPredictDetails().toBuilder().setPredictedCount(0).setFailedCount(0);
    m.clearPartialFailures().setPartialFailureCount(0);
    long start = ticker.nanos();
    try (BatchPredictionWriter w = BatchPredictionWriter.open(spec.getOutputFormat(), out,
        Thresholds.maxPredictions(spec.getParams()))) {
      Iterator<NamedImage> items = items(spec);
      while (items.hasNext()) {
        if (ctx.cancelRequested()) {
          throw new Cancelled(d.getPredictedCount());
        }
        ctx.throwIfStopping();
        DeployedModel dep = deployments.available(modelId);
        float threshold = Thresholds.threshold(spec.getParams(), dep.model());
        List<NamedImage> chunk = new ArrayList<>(CHUNK);
        while (items.hasNext() && chunk.size() < CHUNK) {
          chunk.add(items.next());
        }
        List<byte[]> pixels = new ArrayList<>();
        Status[] failures = new Status[chunk.size()];
        for (int i = 0; i < chunk.size(); i++) {
          NamedImage item = chunk.get(i);
          if (item.failure() != null) {
            failures[i] = item.failure();
            continue;
          }
          try {
            pixels.add(preparer.decodeOne(item.bytes(), dep.model().getInputSize(), dep.model().getInputChannels()));
          } catch (ImagePreparer.Rejected e) {
            failures[i] = item.undecodable(e.getMessage());
          }
        }
        List<DeployedModel.Scored> scored = pixels.isEmpty() ? List.of()
            : dep.submit(pixels).get(10, TimeUnit.MINUTES);
        // In input order: each image's prediction or its failure.
        int next = 0;
        for (int i = 0; i < chunk.size(); i++) {
          if (failures[i] != null) {
            w.failure(chunk.get(i), failures[i]);
            countFailure(m, d, failures[i]);
          } else {
            w.prediction(chunk.get(i), scored.get(next++).scores(), dep.model().getLabelsList(), threshold);
          }
        }
        d.setPredictedCount(d.getPredictedCount() + scored.size());
        double seconds = Math.max(1e-9, (ticker.nanos() - start) / 1e9);
        d.setImagesPerSecond(d.getPredictedCount() / seconds);
        long done = d.getPredictedCount() + d.getFailedCount();
        ctx.publish(m.setBatchPredictDetails(d).setProgressPercent(d.getTotalCount() == 0 ? 0
            : Math.min(99, 100.0 * done / d.getTotalCount())).setStatusMessage(done + " of " + d.getTotalCount()
            + " images: " + d.getPredictedCount() + " predicted, " + d.getFailedCount() + " failed").build());
      }
      w.commit();
    } catch (Cancelled e) {
      String message = "cancelled after " + e.done + " images; nothing was written";
      db.write(c -> {
        ctx.finishWithError(c, m.setBatchPredictDetails(d).setStatusMessage(message).build(),
            OperationMetadata.State.CANCELLED, Status.newBuilder().setCode(Code.CANCELLED_VALUE).setMessage(message)
                .build());
        return null;
      });
      return;
    }
    BatchPredictResponse response = BatchPredictResponse.newBuilder().setOutputUri(uri)
        .setPredictedCount(d.getPredictedCount()).setFailedCount(d.getFailedCount()).build();
    db.write(c -> {
      ctx.finish(c, m.setBatchPredictDetails(d).setStatusMessage("wrote " + d.getPredictedCount()
          + " predictions to " + uri + (d.getFailedCount() > 0 ? " (" + d.getFailedCount() + " failed)" : ""))
          .build(), Any.pack(response));
      return null;
    });
    if (spec.getInputConfig().hasCsv()) {
      datasets.releaseCsv(spec.getInputConfig().getCsv());
    }
  }

  private static final class Cancelled extends Exception {
    final long done;

    Cancelled(long done) {
      super(null, null, false, false);
      this.done = done;
    }
  }

  private Iterator<NamedImage> items(BatchPredictRequest spec) {
    if (spec.getInputConfig().hasCsv()) {
      return datasets.csvImages(spec.getInputConfig().getCsv());
    }
    DatasetSplit split = spec.getInputConfig().getDatasetSplit();
    return datasets.exampleImages(split.getDataset(), split.getMlUse());
  }

  private static void countFailure(OperationMetadata.Builder m, BatchPredictDetails.Builder d, Status failure) {
    d.setFailedCount(d.getFailedCount() + 1);
    m.setPartialFailureCount(m.getPartialFailureCount() + 1);
    if (m.getPartialFailuresCount() < 1000) {
      m.addPartialFailures(failure);
    }
  }
}
