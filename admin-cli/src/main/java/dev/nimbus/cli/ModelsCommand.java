package dev.nimbus.cli;

import com.google.protobuf.Duration;
import dev.nimbus.client.NimbusClient;
import dev.nimbus.client.OperationFuture;
import dev.nimbus.v1.BatchingConfig;
import dev.nimbus.v1.CreateModelRequest;
import dev.nimbus.v1.DeploymentConfig;
import dev.nimbus.v1.ExportModelRequest;
import dev.nimbus.v1.ExportModelResponse;
import dev.nimbus.v1.ListModelsRequest;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.OperatingPoint;
import dev.nimbus.v1.OutputConfig;
import dev.nimbus.v1.TrainingParams;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nimbus models ...}: train, inspect, evaluate, export and delete models. */
@Command(name = "models",
    description = "Train image classifiers, read their evaluation, export and delete them.",
    subcommands = {ModelsCommand.Train.class, ModelsCommand.ListModels.class, ModelsCommand.Get.class,
        ModelEvaluate.class, ModelReport.class, ModelsCommand.Deploy.class, ModelsCommand.Undeploy.class, ModelsCommand.Export.class,
        ModelsCommand.Delete.class},
    footerHeading = "%nExamples:%n",
    footer = {
        "  nimbus models train --dataset clouds --model clouds_v1",
        "  nimbus models evaluate clouds_v1",
        "  nimbus models export clouds_v1 --out /tmp/clouds_v1.zip --zip"})
final class ModelsCommand {
  static final String MODEL_DESCRIPTION = "The model: an id like clouds_v1, or models/clouds_v1.";

  private ModelsCommand() {}

  static String modelId(String model) {
    return model.startsWith("models/") ? model.substring("models/".length()) : model;
  }

  /** Follows a deploy or undeploy operation: the model's state at the end, or the failure. */
  static int finish(NimbusCommand command, NimbusClient client, OperationFuture<Model> future, boolean noWait,
      String task, String done) {
    return Waiting.follow(command, client, future, noWait, task, op -> {
      Model m = client.models().get(OperationView.metadata(op).getTarget());
      command.out().println(done + " " + m.getName() + ": " + Text.name(m.getDeploymentState())
          + (m.getDeploymentState() == Model.DeploymentState.AVAILABLE ? " on " + m.getDeploymentConfig().getDevice()
          + " (batches up to " + m.getDeploymentConfig().getBatching().getMaxBatchSize() + ")" : ""));
    });
  }

  static void printModel(PrintWriter out, Model m) {
    List<String[]> lines = new ArrayList<>();
    lines.add(new String[] {"name", m.getName()});
    lines.add(new String[] {"display name", m.getDisplayName()});
    lines.add(new String[] {"dataset", m.getDataset()});
    lines.add(new String[] {"base model", m.getBaseModel()});
    if (!m.getTrainingParams().getInitialModel().isEmpty()) {
      lines.add(new String[] {"started from", m.getTrainingParams().getInitialModel()});
    }
    lines.add(new String[] {"type", Text.name(m.getClassificationType())});
    lines.add(new String[] {"training", Text.name(m.getTrainingState())
        + (m.getStopReason().getNumber() > 0 ? " (stopped: " + Text.name(m.getStopReason()) + ")" : "")});
    lines.add(new String[] {"deployment", Text.name(m.getDeploymentState())});
    if (m.getLabelsCount() > 0) {
      lines.add(new String[] {"labels", String.join(", ", m.getLabelsList())});
    }
    if (m.getInputSize() > 0) {
      lines.add(new String[] {"input", m.getInputSize() + "x" + m.getInputSize() + "x" + m.getInputChannels()});
    }
    if (m.hasTrainingSummary()) {
      var s = m.getTrainingSummary();
      lines.add(new String[] {"trained on", s.getLabelCountsList().stream()
          .mapToLong(c -> c.getTrain()).sum() + " TRAIN, " + s.getValidationExampleCount() + " VALIDATION, "
          + s.getTestExampleCount() + " TEST images"});
      lines.add(new String[] {"epochs", Integer.toString(s.getCurveCount())});
      lines.add(new String[] {"training time", s.getTrainingDuration().getSeconds() + " s"});
      if (s.getServingImagesPerSecond() > 0) {
        lines.add(new String[] {"serving speed", String.format(Locale.ROOT, "%.0f images/s (the exported model on decoded"
            + " images, measured after training)", s.getServingImagesPerSecond())});
      }
    }
    for (OperatingPoint p : m.getOperatingPointsList()) {
      lines.add(new String[] {"threshold " + p.getName(), String.format(Locale.ROOT,
          "%.3f (precision %.3f, recall %.3f)", p.getScoreThreshold(), p.getPrecision(), p.getRecall())});
    }
    lines.add(new String[] {"created", Text.time(m.getCreateTime())});
    for (String w : m.getWarningsList()) {
      lines.add(new String[] {"warning", w});
    }
    Table.keyValues(out, lines);
  }

  @Command(name = "train",
      description = {"Train a model on a dataset (CreateModel), with a progress bar; then print its evaluation.",
          "Base models: mobilenet_v2 (default; a pretrained ImageNet MobileNetV2, frozen, with a trained head),"
              + " scratch_cnn (a small CNN trained from scratch, for small or unusual images), saved_model:PATH (a"
              + " TF-Hub style image feature-vector SavedModel on the server)."},
      footerHeading = "%nExamples:%n",
      footer = {"  nimbus models train --dataset clouds --model clouds_v1",
          "  nimbus models train --dataset fashion --model fashion_cnn \\",
          "      --base-model scratch_cnn --budget-seconds 600"})
  static final class Train extends NimbusCommand.WithClient {
    @Option(names = "--dataset", required = true, paramLabel = "DATASET", description = DatasetsCommand.DATASET_DESCRIPTION)
    String dataset;

    @Option(names = "--model", required = true, paramLabel = "ID",
        description = "The new model's id (lowercase letters, digits, '-' and '_'); becomes models/ID.")
    String model;

    @Option(names = "--base-model", paramLabel = "NAME", description = "mobilenet_v2 (default), scratch_cnn or"
        + " saved_model:PATH.")
    String baseModel;

    @Option(names = "--budget-seconds", paramLabel = "N", description = "Wall-clock training budget (default: the"
        + " server's).")
    long budgetSeconds;

    @Option(names = "--max-epochs", paramLabel = "N", description = "At most this many epochs (default: the server's).")
    int maxEpochs;

    @Option(names = "--cut-layer", paramLabel = "LAYER[,LAYER...]", description = "For mobilenet_v2: the layer(s)"
        + " whose pooled features the head learns from (default block_10_project_BN).")
    String cutLayer;

    @Option(names = "--initial-model", paramLabel = "MODEL", description = "Start from this trained model's head"
        + " (same base model and cut layer; labels matched by name, new labels start fresh).")
    String initialModel;

    @Option(names = "--display-name", paramLabel = "TEXT", description = "A name for people (default: the id).")
    String displayName;

    @Option(names = "--no-wait", description = "Print the operation and return at once.")
    boolean noWait;

    @Override
    protected int run(NimbusClient client) {
      if (budgetSeconds < 0 || maxEpochs < 0) {
        throw new UsageException("--budget-seconds and --max-epochs must be >= 0");
      }
      Model.Builder m = Model.newBuilder()
          .setDataset(dataset.startsWith("datasets/") ? dataset : "datasets/" + dataset)
          .setTrainingParams(TrainingParams.newBuilder().setTrainBudgetSeconds(budgetSeconds)
              .setMaxEpochs(maxEpochs).setCutLayer(cutLayer == null ? "" : cutLayer)
              .setInitialModel(initialModel == null ? "" : "models/" + modelId(initialModel)));
      if (baseModel != null) {
        m.setBaseModel(baseModel);
      }
      if (displayName != null) {
        m.setDisplayName(displayName);
      }
      OperationFuture<Model> future = client.models().create(CreateModelRequest.newBuilder()
          .setModelId(modelId(model)).setModel(m).build());
      return Waiting.follow(this, client, future, noWait, "Training", done -> {
        Model trained = client.models().get(modelId(model));
        printModel(out(), trained);
        out().println();
        ModelEvaluate.printSummary(out(), client.models().getEvaluation(trained.getName() + "/modelEvaluations/overall"));
        out().println();
        out().println("More: nimbus models evaluate " + modelId(model));
      });
    }
  }

  @Command(name = "list", description = "List the models, by id.",
      footerHeading = "%nExamples:%n", footer = {"  nimbus models list", "  nimbus models list --dataset clouds"})
  static final class ListModels extends NimbusCommand.WithClient {
    @Option(names = "--dataset", paramLabel = "DATASET", description = "Only models trained on this dataset.")
    String dataset;

    @Override
    protected int run(NimbusClient client) {
      ListModelsRequest.Builder req = ListModelsRequest.newBuilder();
      if (dataset != null) {
        req.setFilter("dataset = \"" + (dataset.startsWith("datasets/") ? dataset : "datasets/" + dataset) + "\"");
      }
      List<Model> models = client.models().list(req.build()).stream().toList();
      if (json()) {
        out().println(Json.list("models", models));
        return OK;
      }
      if (models.isEmpty()) {
        out().println("No models yet; train one with: nimbus models train --dataset D --model M");
        return OK;
      }
      Table table = new Table("NAME", "DATASET", "BASE MODEL", "TRAINING", "DEPLOYMENT", "LABELS", "CREATED");
      for (Model m : models) {
        table.row(m.getName(), m.getDataset(), m.getBaseModel(), Text.name(m.getTrainingState()),
            Text.name(m.getDeploymentState()), m.getLabelsCount(), Text.time(m.getCreateTime()));
      }
      table.print(out());
      return OK;
    }
  }

  @Command(name = "get", description = "Show one model: state, labels, training summary, operating points.",
      footerHeading = "%nExamples:%n", footer = {"  nimbus models get clouds_v1"})
  static final class Get extends NimbusCommand.WithClient {
    @Parameters(paramLabel = "MODEL", description = MODEL_DESCRIPTION)
    String model;

    @Override
    protected int run(NimbusClient client) {
      Model m = client.models().get(modelId(model));
      if (json()) {
        out().println(Json.print(m));
      } else {
        printModel(out(), m);
      }
      return OK;
    }
  }

  @Command(name = "deploy",
      description = {"Load a trained model for Predict (waits until it is AVAILABLE: loaded and warmed up).",
          "Batching defaults come from the server (on CPU small batches and a short delay)."},
      footerHeading = "%nExamples:%n",
      footer = {"  nimbus models deploy clouds_v1", "  nimbus models deploy clouds_v1 --max-batch-size 32 \\",
          "      --max-batch-delay-ms 5 --result-cache"})
  static final class Deploy extends NimbusCommand.WithClient {
    @Parameters(paramLabel = "MODEL", description = MODEL_DESCRIPTION)
    String model;

    @Option(names = "--device", paramLabel = "cpu|gpu:N", description = "Where it runs (default: the server's).")
    String device;

    @Option(names = "--max-batch-size", paramLabel = "N", description = "Largest batch per engine call.")
    int maxBatchSize;

    @Option(names = "--max-batch-delay-ms", paramLabel = "MS", description = "Longest wait for a batch to fill.")
    Integer maxBatchDelayMs;

    @Option(names = "--max-queued-images", paramLabel = "N", description = "Images waiting before RESOURCE_EXHAUSTED.")
    int maxQueued;

    @Option(names = "--result-cache", description = "Cache results by image content, for callers that repeat images.")
    boolean resultCache;

    @Option(names = "--no-wait", description = "Print the operation and return at once.")
    boolean noWait;

    @Override
    protected int run(NimbusClient client) {
      if (maxBatchSize < 0 || maxQueued < 0 || (maxBatchDelayMs != null && maxBatchDelayMs < 0)) {
        throw new UsageException("--max-batch-size, --max-batch-delay-ms and --max-queued-images must be >= 0");
      }
      BatchingConfig.Builder batching = BatchingConfig.newBuilder().setMaxBatchSize(maxBatchSize)
          .setMaxQueuedImages(maxQueued);
      if (maxBatchDelayMs != null) {
        batching.setMaxBatchDelay(Duration.newBuilder()
            .setNanos((maxBatchDelayMs % 1000) * 1_000_000).setSeconds(maxBatchDelayMs / 1000));
      }
      DeploymentConfig.Builder config = DeploymentConfig.newBuilder().setBatching(batching)
          .setResultCacheEnabled(resultCache);
      if (device != null) {
        config.setDevice(device);
      }
      OperationFuture<Model> future = client.models().deploy("models/" + modelId(model), config.build());
      return finish(this, client, future, noWait, "Deploying", "Deployed");
    }
  }

  @Command(name = "undeploy", description = "Stop serving a model: waiting requests fail, running batches finish.",
      footerHeading = "%nExamples:%n", footer = {"  nimbus models undeploy clouds_v1"})
  static final class Undeploy extends NimbusCommand.WithClient {
    @Parameters(paramLabel = "MODEL", description = MODEL_DESCRIPTION)
    String model;

    @Option(names = "--no-wait", description = "Print the operation and return at once.")
    boolean noWait;

    @Override
    protected int run(NimbusClient client) {
      return finish(this, client, client.models().undeploy("models/" + modelId(model)), noWait, "Undeploying",
          "Undeployed");
    }
  }

  @Command(name = "export",
      description = {"Write a trained model (TF SavedModel, labels.txt, model_card.json) to a folder or a zip on the"
          + " server, for use outside Nimbus."},
      footerHeading = "%nExamples:%n",
      footer = {"  nimbus models export clouds_v1 --out /tmp/clouds_v1",
          "  nimbus models export clouds_v1 --out /tmp/clouds_v1.zip --zip"})
  static final class Export extends NimbusCommand.WithClient {
    @Parameters(paramLabel = "MODEL", description = MODEL_DESCRIPTION)
    String model;

    @Option(names = "--out", required = true, paramLabel = "PATH",
        description = "A new folder (or an empty one), or a new .zip with --zip; relative paths are made absolute here.")
    Path out;

    @Option(names = "--zip", description = "Write one zip file instead of a folder.")
    boolean zip;

    @Option(names = "--no-wait", description = "Print the operation and return at once.")
    boolean noWait;

    @Override
    protected int run(NimbusClient client) {
      OperationFuture<ExportModelResponse> future = client.models().export(ExportModelRequest.newBuilder()
          .setName("models/" + modelId(model))
          .setOutputConfig(OutputConfig.newBuilder().setOutputUri(out.toAbsolutePath().normalize().toString()))
          .setFormat(zip ? ExportModelRequest.Format.SAVED_MODEL_ZIP : ExportModelRequest.Format.SAVED_MODEL_DIRECTORY)
          .build());
      return Waiting.follow(this, client, future, noWait, "Exporting",
          done -> out().println("Exported models/" + modelId(model) + " to " + out.toAbsolutePath().normalize()));
    }
  }

  @Command(name = "delete", description = "Delete a model and its files (a running training is cancelled first).",
      footerHeading = "%nExamples:%n", footer = {"  nimbus models delete clouds_v1"})
  static final class Delete extends NimbusCommand.WithClient {
    @Parameters(paramLabel = "MODEL", description = MODEL_DESCRIPTION)
    String model;

    @Option(names = "--no-wait", description = "Print the operation and return at once.")
    boolean noWait;

    @Override
    protected int run(NimbusClient client) {
      return Waiting.follow(this, client, client.models().delete(modelId(model)), noWait, "Deleting",
          done -> out().println("Deleted models/" + modelId(model)));
    }
  }
}
