package dev.nimbus.server.serving;

import com.google.longrunning.Operation;
import dev.nimbus.server.config.ServerConfig;
import dev.nimbus.server.dataset.Datasets;
import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.operation.OperationManager;
import dev.nimbus.server.storage.BucketMapping;
import dev.nimbus.server.util.OutputPaths;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.v1.BatchPredictDetails;
import dev.nimbus.v1.BatchPredictInputConfig;
import dev.nimbus.v1.BatchPredictRequest;
import dev.nimbus.v1.DatasetSplit;
import dev.nimbus.v1.InputConfig;
import dev.nimbus.v1.MlUse;
import dev.nimbus.v1.OperationMetadata;

/**
 * Starts BatchPredict: checks the model is deployed, the input (a CSV, read with the import's rules, or a dataset
 * split) and the output path (a new file inside the export roots or a mapped bucket, or for AUTOML_JSONL a new or
 * empty folder), then runs it as an operation.
 */
public final class BatchPredictions {
  private final Deployments deployments;
  private final Datasets datasets;
  private final OperationManager operations;
  private final ServerConfig config;
  private final BucketMapping buckets;

  public BatchPredictions(Deployments deployments, Datasets datasets, OperationManager operations,
      ServerConfig config, BucketMapping buckets) {
    this.buckets = buckets;
    this.deployments = deployments;
    this.datasets = datasets;
    this.operations = operations;
    this.config = config;
  }

  public Operation start(BatchPredictRequest req) {
    String modelId = ResourceNames.modelId("name", req.getName());
    DeployedModel d = deployments.available(modelId);
    Thresholds.threshold(req.getParams(), d.model());
    Thresholds.maxPredictions(req.getParams());
    BatchPredictInputConfig in = req.getInputConfig();
    BatchPredictRequest.Builder spec = req.toBuilder().setName(ResourceNames.model(modelId));
    boolean folder = switch (req.getOutputFormat()) {
      case OUTPUT_FORMAT_UNSPECIFIED -> false;
      case AUTOML_JSONL -> true;
      default -> throw ApiException.invalidArgument("output_format", "output_format: " + req.getOutputFormatValue()
          + " (expected: OUTPUT_FORMAT_UNSPECIFIED for one JSON Lines file, or AUTOML_JSONL for AutoML's folder)");
    };
    // Checked first, so a bad output path leaves no CSV snapshot behind. AutoML's layout is a folder, which may
    // exist if it is empty; the JSON Lines file must be new.
    spec.setOutputConfig(req.getOutputConfig().toBuilder().setOutputUri(OutputPaths.check(config, buckets,
        "output_config.output_uri", req.getOutputConfig().getOutputUri(), folder).uri()));
    long total;
    switch (in.getSourceCase()) {
      case CSV -> {
        // The import's checks and snapshot: the CSV is read and kept now, relative to its folder.
        InputConfig snapshot = datasets.takeCsv(in.getCsv());
        total = datasets.csvRowCount(snapshot);
        spec.setInputConfig(BatchPredictInputConfig.newBuilder().setCsv(snapshot));
      }
      case DATASET_SPLIT -> {
        DatasetSplit split = in.getDatasetSplit();
        datasets.get(split.getDataset());
        if (split.getMlUse() == MlUse.UNRECOGNIZED) {
          throw ApiException.invalidArgument("input_config.dataset_split.ml_use", "ml_use: unknown value");
        }
        total = datasets.count(split.getDataset(), split.getMlUse());
      }
      default -> throw ApiException.invalidArgument("input_config", "input_config needs csv (image URIs) or"
          + " dataset_split");
    }
    try {
      return operations.start(OperationMetadata.Kind.BATCH_PREDICT, ResourceNames.model(modelId), spec.build(),
          BatchPredictDetails.newBuilder().setTotalCount(total).build(), null);
    } catch (RuntimeException e) {
      if (spec.getInputConfig().hasCsv()) {
        datasets.releaseCsv(spec.getInputConfig().getCsv());
      }
      throw e;
    }
  }
}
