package dev.nimbus.server.serving;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.Status;
import dev.nimbus.server.config.ServerConfig;
import dev.nimbus.server.dataset.DatasetStore;
import dev.nimbus.server.dataset.DatasetStore.ExampleRow;
import dev.nimbus.server.dataset.Datasets;
import dev.nimbus.server.dataset.ImportCsv;
import dev.nimbus.server.dataset.ImportDataHandler;
import dev.nimbus.server.dataset.ImportSources;
import dev.nimbus.server.dataset.RowFailure;
import dev.nimbus.server.model.ModelStore;
import dev.nimbus.server.operation.OperationContext;
import dev.nimbus.server.operation.OperationHandler;
import dev.nimbus.server.storage.BlobStore;
import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.v1.BatchPredictDetails;
import dev.nimbus.v1.BatchPredictRequest;
import dev.nimbus.v1.BatchPredictResponse;
import dev.nimbus.v1.ImageInput;
import dev.nimbus.v1.MlUse;
import dev.nimbus.v1.OperationMetadata;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Runs BatchPredict: reads the images (CSV rows with the import's rules, or a dataset split), runs them through
 * the deployed model's batch queue in chunks, and writes one JSON line per image (every label with its score, best
 * first, the labels at or above the threshold, or the error) to a temporary file that is fsynced and renamed to
 * the output path at the end, so the output is complete or absent. Rows that fail are reported like an import's.
 * Resumable: a restart writes the file again from the start.
 */
public final class BatchPredictHandler implements OperationHandler {
  private static final int CHUNK = 32;
  private static final Gson GSON = new Gson();

  private final Deployments deployments;
  private final ImagePreparer preparer;
  private final Datasets datasets;
  private final DatasetStore store;
  private final BlobStore blobs;
  private final ModelStore models;
  private final ServerConfig config;

  public BatchPredictHandler(Deployments deployments, ImagePreparer preparer, Datasets datasets, DatasetStore store,
      BlobStore blobs, ModelStore models, ServerConfig config) {
    this.deployments = deployments;
    this.preparer = preparer;
    this.datasets = datasets;
    this.store = store;
    this.blobs = blobs;
    this.models = models;
    this.config = config;
  }

  @Override
  public OperationMetadata.Kind kind() {
    return OperationMetadata.Kind.BATCH_PREDICT;
  }

  @Override
  public boolean resumable() {
    return true;
  }

  /** One image to predict: where it came from, and how to read it (or why it cannot be). */
  private record Item(long row, String uri, String example, byte[] bytes, RowFailure failure) {}

  @Override
  public void run(OperationContext ctx) throws Exception {
    BatchPredictRequest spec = BatchPredictRequest.parseFrom(ctx.spec());
    String modelId = ResourceNames.modelId("name", spec.getName());
    Path out = Path.of(spec.getOutputConfig().getOutputUri());
    Path temp = out.resolveSibling("." + out.getFileName() + ".partial-" + UUID.randomUUID());
    OperationMetadata.Builder m = ctx.metadata().toBuilder();
    BatchPredictDetails.Builder d = m.getBatchPredictDetails().toBuilder().setPredictedCount(0).setFailedCount(0);
    m.clearPartialFailures().setPartialFailureCount(0);
    long start = System.nanoTime();
    try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
         OutputStream os = Channels.newOutputStream(ch);
         BufferedWriter w = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8))) {
      Iterator<Item> items = items(spec);
      while (items.hasNext()) {
        if (ctx.cancelRequested()) {
          throw new Cancelled(d.getPredictedCount());
        }
        ctx.throwIfStopping();
        Deployments.Deployment dep = deployments.available(modelId);
        float threshold = Thresholds.threshold(spec.getParams(), dep.model());
        List<Item> chunk = new ArrayList<>(CHUNK);
        while (items.hasNext() && chunk.size() < CHUNK) {
          chunk.add(items.next());
        }
        List<byte[]> pixels = new ArrayList<>();
        RowFailure[] failures = new RowFailure[chunk.size()];
        for (int i = 0; i < chunk.size(); i++) {
          Item item = chunk.get(i);
          if (item.failure() != null) {
            failures[i] = item.failure();
            continue;
          }
          try {
            pixels.add(preparer.prepare(List.of(ImageInput.newBuilder()
                    .setImageBytes(com.google.protobuf.ByteString.copyFrom(item.bytes())).build()),
                dep.model().getInputSize(), dep.model().getInputChannels()).get(0).pixels());
          } catch (ApiException e) {
            failures[i] = new RowFailure(item.row(), item.uri() == null ? item.example() : item.uri(),
                RowFailure.Reason.CORRUPT_IMAGE, e.getMessage().replaceFirst("^images\\[0\\]: ", ""));
          }
        }
        List<Deployments.Scored> scored = pixels.isEmpty() ? List.of()
            : dep.queue().submit(pixels).get(10, TimeUnit.MINUTES);
        // Lines in input order: each image's prediction or its failure.
        int next = 0;
        for (int i = 0; i < chunk.size(); i++) {
          if (failures[i] != null) {
            fail(w, m, d, chunk.get(i), failures[i]);
          } else {
            write(w, chunk.get(i), scored.get(next++).scores(), dep.model().getLabelsList(), threshold);
          }
        }
        d.setPredictedCount(d.getPredictedCount() + scored.size());
        double seconds = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
        d.setImagesPerSecond(d.getPredictedCount() / seconds);
        long done = d.getPredictedCount() + d.getFailedCount();
        ctx.publish(m.setBatchPredictDetails(d).setProgressPercent(d.getTotalCount() == 0 ? 0
            : Math.min(99, 100.0 * done / d.getTotalCount())).setStatusMessage(done + " of " + d.getTotalCount()
            + " images: " + d.getPredictedCount() + " predicted, " + d.getFailedCount() + " failed").build());
      }
      w.flush();
      ch.force(true);
    } catch (Cancelled e) {
      Files.deleteIfExists(temp);
      String message = "cancelled after " + e.done + " images; nothing was written";
      models.database().write(c -> {
        ctx.finishWithError(c, m.setBatchPredictDetails(d).setStatusMessage(message).build(),
            OperationMetadata.State.CANCELLED, Status.newBuilder().setCode(Code.CANCELLED_VALUE).setMessage(message)
                .build());
        return null;
      });
      return;
    } catch (Exception | Error e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    Files.move(temp, out, StandardCopyOption.ATOMIC_MOVE);
    BatchPredictResponse response = BatchPredictResponse.newBuilder().setOutputUri(out.toString())
        .setPredictedCount(d.getPredictedCount()).setFailedCount(d.getFailedCount()).build();
    models.database().write(c -> {
      ctx.finish(c, m.setBatchPredictDetails(d).setStatusMessage("wrote " + d.getPredictedCount()
          + " predictions to " + out + (d.getFailedCount() > 0 ? " (" + d.getFailedCount() + " failed)" : ""))
          .build(), Any.pack(response));
      return null;
    });
    if (spec.getInputConfig().hasCsv()) {
      Files.deleteIfExists(Path.of(spec.getInputConfig().getCsv().getCsvUri()));
    }
  }

  private static final class Cancelled extends Exception {
    final long done;

    Cancelled(long done) {
      super(null, null, false, false);
      this.done = done;
    }
  }

  private Iterator<Item> items(BatchPredictRequest spec) {
    if (spec.getInputConfig().hasCsv()) {
      var in = spec.getInputConfig().getCsv();
      ImportCsv csv = ImportCsv.parse(datasets.readSnapshot(in));
      Path base = in.getBaseUri().isEmpty() ? null : Path.of(in.getBaseUri());
      ImportSources sources = new ImportSources(ImportDataHandler.rootsFor(config, base), config.httpImport(),
          config.limits().maxImageBytes());
      Iterator<ImportCsv.Row> rows = csv.rows(0);
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return rows.hasNext();
        }

        @Override
        public Item next() {
          ImportCsv.Row row = rows.next();
          List<String> f = row.fields();
          int at = !f.isEmpty() && ImportCsv.MlUseColumn.parse(f.get(0)) != null ? 1 : 0;
          String uri = at < f.size() ? f.get(at) : "";
          if (uri.isEmpty()) {
            return new Item(row.line(), uri, null, null, new RowFailure(row.line(), uri,
                RowFailure.Reason.INVALID_URI, "the row has no URI"));
          }
          try {
            return new Item(row.line(), uri, null, sources.read(uri, base), null);
          } catch (RowFailure.RowException e) {
            return new Item(row.line(), uri, null, null, new RowFailure(row.line(), uri, e.reason(), e.getMessage()));
          }
        }
      };
    }
    var split = spec.getInputConfig().getDatasetSplit();
    String datasetId = ResourceNames.datasetId("input_config.dataset_split.dataset", split.getDataset());
    MlUse use = split.getMlUse() == MlUse.ML_USE_UNSPECIFIED ? null : split.getMlUse();
    return new Iterator<>() {
      private long after = 0;
      private final List<ExampleRow> page = new ArrayList<>();
      private long index;

      @Override
      public boolean hasNext() {
        if (page.isEmpty()) {
          page.addAll(store.examples(datasetId, null, use, after, 256));
          if (!page.isEmpty()) {
            after = page.get(page.size() - 1).seq();
          }
        }
        return !page.isEmpty();
      }

      @Override
      public Item next() {
        ExampleRow e = page.remove(0);
        index++;
        return new Item(index, null, ResourceNames.example(datasetId, e.sha256()), blobs.read(e.sha256()), null);
      }
    };
  }

  private static void write(BufferedWriter w, Item item, float[] scores, List<String> labels, float threshold)
      throws IOException {
    JsonObject line = new JsonObject();
    if (item.uri() != null) {
      line.addProperty("uri", item.uri());
    }
    if (item.example() != null) {
      line.addProperty("example", item.example());
    }
    JsonArray all = new JsonArray();
    JsonArray predicted = new JsonArray();
    for (var ls : Thresholds.prediction(scores, labels, 0f, 0).getLabelsList()) {
      JsonObject o = new JsonObject();
      o.addProperty("label", ls.getLabel());
      o.addProperty("score", ls.getScore());
      all.add(o);
      if (ls.getScore() >= threshold) {
        predicted.add(ls.getLabel());
      }
    }
    line.add("scores", all);
    line.add("predicted", predicted);
    w.write(GSON.toJson(line));
    w.write('\n');
  }

  private static void fail(BufferedWriter w, OperationMetadata.Builder m, BatchPredictDetails.Builder d, Item item,
      RowFailure failure) throws IOException {
    JsonObject line = new JsonObject();
    if (item.uri() != null) {
      line.addProperty("uri", item.uri());
    }
    if (item.example() != null) {
      line.addProperty("example", item.example());
    }
    line.addProperty("error", failure.message());
    w.write(GSON.toJson(line));
    w.write('\n');
    d.setFailedCount(d.getFailedCount() + 1);
    m.setPartialFailureCount(m.getPartialFailureCount() + 1);
    if (m.getPartialFailuresCount() < 1000) {
      m.addPartialFailures(failure.toStatus());
    }
  }

}
