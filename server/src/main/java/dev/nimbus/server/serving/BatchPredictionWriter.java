package dev.nimbus.server.serving;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.rpc.Status;
import dev.nimbus.server.dataset.NamedImage;
import dev.nimbus.server.storage.BlobStore;
import dev.nimbus.server.util.OutputPaths;
import dev.nimbus.server.util.ServerPaths;
import dev.nimbus.v1.BatchPredictRequest.OutputFormat;
import dev.nimbus.v1.LabelScore;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;

/**
 * Where BatchPredict's results go, in one of the request's {@link OutputFormat}s. The handler's loop calls
 * {@link #prediction} or {@link #failure} once per image in input order, then {@link #commit}; everything is
 * written under a hidden temporary name beside the output, fsynced and renamed into place by the commit, so the
 * output is complete or absent. {@link #close} without a commit removes what was written.
 */
abstract sealed class BatchPredictionWriter implements Closeable {
  /** AutoML's file names inside an {@link OutputFormat#AUTOML_JSONL} folder. */
  static final String AUTOML_PREDICTIONS = "image_classification_1.jsonl";
  static final String AUTOML_ERRORS = "errors_1.jsonl";
  private static final Gson GSON = new Gson();

  protected final Path out;
  protected final Path temp;
  private boolean committed;

  private BatchPredictionWriter(Path out) {
    this.out = out;
    this.temp = out.resolveSibling("." + out.getFileName() + ".partial-" + UUID.randomUUID());
  }

  static BatchPredictionWriter open(OutputFormat format, Path out, int maxPredictions) throws IOException {
    return switch (format) {
      case AUTOML_JSONL -> new AutoMlFolder(out, maxPredictions);
      default -> new NimbusLines(out);
    };
  }

  /** An image's scores (in the model's label order) and the threshold it is judged by. */
  abstract void prediction(NamedImage item, float[] scores, List<String> labels, float threshold) throws IOException;

  abstract void failure(NamedImage item, Status failure) throws IOException;

  /** Flushes and fsyncs what was written and moves it to the output path. */
  final void commit() throws IOException {
    flushAndSync();
    closeFiles();
    OutputPaths.moveIntoPlace(temp, out);
    committed = true;
    BlobStore.fsyncDirectory(out.getParent());
  }

  abstract void flushAndSync() throws IOException;

  /** Closes the open files; called again after a commit, so closing twice must be harmless. */
  abstract void closeFiles() throws IOException;

  @Override
  public final void close() throws IOException {
    try {
      closeFiles();
    } finally {
      if (!committed) {
        ServerPaths.deleteTree(temp);
      }
    }
  }

  /** The id AutoML's lines carry: the URI as the CSV wrote it, or the example's resource name. */
  static String id(NamedImage item) {
    return item.uri() != null ? item.uri() : item.example();
  }

  /** One fsynced UTF-8 file written line by line. */
  private static final class LineFile {
    final FileChannel channel;
    final BufferedWriter writer;

    LineFile(Path path) throws IOException {
      channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      writer = new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(channel), StandardCharsets.UTF_8));
    }

    void write(JsonObject line) throws IOException {
      writer.write(GSON.toJson(line));
      writer.write('\n');
    }

    void sync() throws IOException {
      writer.flush();
      channel.force(true);
    }

    void close() throws IOException {
      writer.close();
    }
  }

  /**
   * {@link OutputFormat#OUTPUT_FORMAT_UNSPECIFIED}: one file, one line per image with {@code uri} or
   * {@code example}, every label's score best first and the labels at or above the threshold, or the error.
   */
  private static final class NimbusLines extends BatchPredictionWriter {
    private final LineFile file;

    NimbusLines(Path out) throws IOException {
      super(out);
      file = new LineFile(temp);
    }

    @Override
    void prediction(NamedImage item, float[] scores, List<String> labels, float threshold) throws IOException {
      JsonObject line = source(item);
      JsonArray all = new JsonArray();
      JsonArray predicted = new JsonArray();
      for (LabelScore ls : Thresholds.prediction(scores, labels, 0f, 0).getLabelsList()) {
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
      file.write(line);
    }

    @Override
    void failure(NamedImage item, Status failure) throws IOException {
      JsonObject line = source(item);
      line.addProperty("error", failure.getMessage());
      file.write(line);
    }

    private static JsonObject source(NamedImage item) {
      JsonObject line = new JsonObject();
      if (item.uri() != null) {
        line.addProperty("uri", item.uri());
      }
      if (item.example() != null) {
        line.addProperty("example", item.example());
      }
      return line;
    }

    @Override
    void flushAndSync() throws IOException {
      file.sync();
    }

    @Override
    void closeFiles() throws IOException {
      file.close();
    }
  }

  /**
   * {@link OutputFormat#AUTOML_JSONL}: AutoML Vision's batch prediction folder, predictions in
   * {@value #AUTOML_PREDICTIONS}, and failures, only if there are any, in {@value #AUTOML_ERRORS}.
   */
  private static final class AutoMlFolder extends BatchPredictionWriter {
    private final int maxPredictions;
    private final LineFile predictions;
    private LineFile errors;

    AutoMlFolder(Path out, int maxPredictions) throws IOException {
      super(out);
      this.maxPredictions = maxPredictions;
      Files.createDirectory(temp);
      predictions = new LineFile(temp.resolve(AUTOML_PREDICTIONS));
    }

    @Override
    void prediction(NamedImage item, float[] scores, List<String> labels, float threshold) throws IOException {
      JsonArray annotations = new JsonArray();
      for (LabelScore ls : Thresholds.prediction(scores, labels, threshold, maxPredictions).getLabelsList()) {
        JsonObject classification = new JsonObject();
        classification.addProperty("score", ls.getScore());
        JsonObject a = new JsonObject();
        // Nimbus names labels by their text, so the spec id and the display name are the same.
        a.addProperty("annotation_spec_id", ls.getLabel());
        a.addProperty("display_name", ls.getLabel());
        a.add("classification", classification);
        annotations.add(a);
      }
      JsonObject line = new JsonObject();
      line.addProperty("ID", id(item));
      line.add("annotations", annotations);
      predictions.write(line);
    }

    @Override
    void failure(NamedImage item, Status failure) throws IOException {
      if (errors == null) {
        errors = new LineFile(temp.resolve(AUTOML_ERRORS));
      }
      JsonObject error = new JsonObject();
      error.addProperty("code", failure.getCode());
      error.addProperty("message", failure.getMessage());
      JsonObject line = new JsonObject();
      line.addProperty("ID", id(item));
      line.add("errors", error);
      errors.write(line);
    }

    @Override
    void flushAndSync() throws IOException {
      predictions.sync();
      if (errors != null) {
        errors.sync();
      }
      BlobStore.fsyncDirectory(temp);
    }

    @Override
    void closeFiles() throws IOException {
      try {
        predictions.close();
      } finally {
        if (errors != null) {
          errors.close();
        }
      }
    }
  }
}
