package dev.nimbus.server.grpc.automl;

import com.google.cloud.automl.v1.AnnotationPayload;
import com.google.cloud.automl.v1.BatchPredictRequest;
import com.google.cloud.automl.v1.ClassificationAnnotation;
import com.google.cloud.automl.v1.ExamplePayload;
import com.google.cloud.automl.v1.PredictRequest;
import com.google.cloud.automl.v1.PredictResponse;
import com.google.cloud.automl.v1.PredictionServiceGrpc;
import com.google.longrunning.Operation;
import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.grpc.Unary;
import dev.nimbus.server.model.Models;
import dev.nimbus.server.serving.BatchPredictions;
import dev.nimbus.server.serving.Predictions;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.v1.BatchPredictInputConfig;
import dev.nimbus.v1.ImageInput;
import dev.nimbus.v1.InputConfig;
import dev.nimbus.v1.LabelScore;
import dev.nimbus.v1.OutputConfig;
import dev.nimbus.v1.PredictParams;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Cloud AutoML's {@code PredictionService} for image classification, over the native Predict and BatchPredict:
 * the same admission, batching, deadlines and errors. {@code score_threshold} (default 0.5, as AutoML's) filters
 * the labels returned; {@code max_bounding_box_count} is accepted and ignored (it is for object detection).
 */
public final class AutoMlPredictionService extends PredictionServiceGrpc.PredictionServiceImplBase {
  private static final Set<String> PARAMS = Set.of("score_threshold", "max_bounding_box_count");
  private static final float DEFAULT_THRESHOLD = 0.5f;

  private final Predictions predictions;
  private final BatchPredictions batchPredictions;
  private final Models models;
  private final Clock clock;

  public AutoMlPredictionService(Predictions predictions, BatchPredictions batchPredictions, Models models,
      Clock clock) {
    this.predictions = predictions;
    this.batchPredictions = batchPredictions;
    this.models = models;
    this.clock = clock;
  }

  @Override
  public void predict(PredictRequest request, StreamObserver<PredictResponse> response) {
    AutoMlNames.Parsed p = AutoMlNames.model("name", request.getName());
    ExamplePayload payload = request.getPayload();
    if (payload.getPayloadCase() != ExamplePayload.PayloadCase.IMAGE) {
      throw ApiException.invalidArgument("payload.image", payload.getPayloadCase()
          == ExamplePayload.PayloadCase.PAYLOAD_NOT_SET ? "payload.image.image_bytes is required (the image's bytes)"
          : "payload." + AutoMlService.fieldName(payload.getPayloadCase()) + ": not supported;"
              + " this server classifies images: send payload.image.image_bytes");
    }
    if (payload.getImage().getImageBytes().isEmpty()) {
      throw ApiException.invalidArgument("payload.image.image_bytes", "payload.image.image_bytes is required (the"
          + " image's bytes; image URIs are not read by Predict)");
    }
    PredictParams params = PredictParams.newBuilder().setScoreThreshold(threshold(request.getParamsMap())).build();
    dev.nimbus.v1.PredictRequest n = dev.nimbus.v1.PredictRequest.newBuilder()
        .setName(ResourceNames.model(p.id()))
        .addImages(ImageInput.newBuilder().setImageBytes(payload.getImage().getImageBytes()))
        .setParams(params)
        .build();
    Context context = Context.current();
    Deadline deadline = context.getDeadline();
    long timeoutNanos = deadline == null ? Long.MAX_VALUE : deadline.timeRemaining(TimeUnit.NANOSECONDS);
    Unary.replyLater(response, predictions.predict(n, timeoutNanos, context::isCancelled).thenApply(r -> {
      PredictResponse.Builder b = PredictResponse.newBuilder();
      for (LabelScore ls : r.getPredictions(0).getLabelsList()) {
        b.addPayload(AnnotationPayload.newBuilder().setAnnotationSpecId(ls.getLabel()).setDisplayName(ls.getLabel())
            .setClassification(ClassificationAnnotation.newBuilder().setScore(ls.getScore())));
      }
      return b.build();
    }));
  }

  /**
   * Reads one CSV (or text file) of image URIs, one per line, and writes
   * {@code prediction-{model display name}-{time}/image_classification_1.jsonl} (and {@code errors_1.jsonl} when
   * images failed) under the destination, AutoML's layout.
   */
  @Override
  public void batchPredict(BatchPredictRequest request, StreamObserver<Operation> response) {
    AutoMlNames.Parsed p = AutoMlNames.model("name", request.getName());
    List<String> uris = request.getInputConfig().getGcsSource().getInputUrisList();
    if (uris.size() != 1) {
      throw ApiException.invalidArgument("input_config.gcs_source.input_uris", "input_config.gcs_source.input_uris"
          + " has " + uris.size() + " files; this server reads one CSV of image URIs per BatchPredict call");
    }
    float threshold = threshold(request.getParamsMap());
    dev.nimbus.v1.Model m = models.get(ResourceNames.model(p.id()));
    String prefix = AutoMlService.destination("output_config.gcs_destination.output_uri_prefix",
        request.getOutputConfig().getGcsDestination().getOutputUriPrefix());
    String out = AutoMlService.outputFolder(prefix, "prediction-", m.getDisplayName(), clock);
    Unary.reply(response, AutoMlOperations.view(p.location(), batchPredictions.start(
        dev.nimbus.v1.BatchPredictRequest.newBuilder().setName(m.getName())
            .setInputConfig(BatchPredictInputConfig.newBuilder()
                .setCsv(InputConfig.newBuilder().setCsvUri(uris.get(0))))
            .setOutputConfig(OutputConfig.newBuilder().setOutputUri(out))
            .setOutputFormat(dev.nimbus.v1.BatchPredictRequest.OutputFormat.AUTOML_JSONL)
            .setParams(PredictParams.newBuilder().setScoreThreshold(threshold))
            .build())));
  }

  private static float threshold(Map<String, String> params) {
    for (String k : params.keySet()) {
      if (!PARAMS.contains(k)) {
        throw ApiException.invalidArgument("params", "params: '" + ResourceNames.abbreviate(k) + "' is not a"
            + " parameter of image classification (expected: " + String.join(", ", new TreeSet<>(PARAMS)) + ")");
      }
    }
    String t = params.get("score_threshold");
    if (t == null) {
      return DEFAULT_THRESHOLD;
    }
    try {
      float v = Float.parseFloat(t.strip());
      if (v >= 0 && v <= 1) {
        return v;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    throw ApiException.invalidArgument("params.score_threshold", "params.score_threshold: '"
        + ResourceNames.abbreviate(t) + "' (expected: a number from 0 to 1, e.g. \"0.8\")");
  }
}
