package dev.nimbus.cli;

import ch.qos.logback.classic.Level;
import dev.nimbus.cli.sample.CloudSampleWriter;
import dev.nimbus.client.NimbusClient;
import dev.nimbus.client.NimbusErrors;
import dev.nimbus.client.OperationFuture;
import dev.nimbus.server.NimbusServer;
import dev.nimbus.server.config.ConfigLoader;
import dev.nimbus.server.config.ServerConfig;
import dev.nimbus.v1.CreateModelRequest;
import dev.nimbus.v1.Dataset;
import dev.nimbus.v1.Model;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nimbus quickstart}: the AutoML Vision lab in one command. It starts a server of its own on a free
 * loopback port, then runs the very commands a person would (printing each one): sample data, dataset, import,
 * label statistics, training, evaluation, deploy, predictions, report. A second run reuses the sample data, the
 * dataset, the trained model and its deployment.
 */
@Command(name = "quickstart",
    description = {"Run the whole lab on this machine: write sample cloud images, start a server of its own (a free"
        + " loopback port, data in DIR/data), create the dataset 'clouds', import the CSV, show the label"
        + " statistics, train 'clouds_v1', evaluate it, deploy it, predict held-out images, and write the"
        + " evaluation report.",
        "Each step prints the command that does it, to try next against './nimbus server --data-dir DIR/data'."
            + " A second run reuses what the first one made."},
    footerHeading = "%nExamples:%n",
    footer = {"  nimbus quickstart", "  nimbus quickstart --dir /tmp/lab --per-label 300",
        "  nimbus quickstart --keep-serving      # then try the printed commands in another terminal"})
final class QuickstartCommand extends NimbusCommand {
  static final String DATASET = "clouds";
  static final String MODEL = "clouds_v1";
  private static final String MOBILENET_V2 = "mobilenet_v2";
  private static final String SCRATCH_CNN = "scratch_cnn";
  private static final String BASE_MODEL_MISSING = "BASE_MODEL_MISSING";
  private static final Duration WAIT = Duration.ofMinutes(30);

  @Option(names = "--dir", paramLabel = "DIR", defaultValue = "nimbus-quickstart",
      description = "Where the sample data, the server's data and the report go (default: ./${DEFAULT-VALUE}).")
  Path dir;

  @Option(names = "--per-label", paramLabel = "N", defaultValue = "" + SampleDataCommand.DEFAULT_PER_LABEL,
      description = "Sample images per label (default: ${DEFAULT-VALUE}).")
  int perLabel;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed of the sample images"
      + " (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--base-model", paramLabel = "NAME",
      description = "Base model to train from (default: mobilenet_v2, or scratch_cnn when the build could not fetch"
          + " the pretrained weights).")
  String baseModel;

  @Option(names = "--keep-serving", description = "Keep the server running at the end, until Ctrl-C.")
  boolean keepServing;

  private String target;

  @Override
  public Integer call() throws Exception {
    if (perLabel < 10 || perLabel > 100_000) {
      throw new UsageException("--per-label " + perLabel + " (expected: 10..100000)");
    }
    long start = System.nanoTime();
    PrintWriter out = out();
    Path root = dir.toAbsolutePath().normalize();
    Path samples = root.resolve("clouds");
    Path data = root.resolve("data");
    Path report = root.resolve("report");

    out.println("Nimbus quickstart: the AutoML Vision lab, on this machine, in " + display(root));
    heading(1, "Sample data: the lab's three cloud types, drawn here");
    double baseline = sampleData(samples);

    heading(2, "A Nimbus server of this command's own");
    if (!globals().verbose()) {
      quietServerLogs();
    }
    // The console only while --keep-serving keeps the server up; otherwise the closing lines say how to open it.
    ServerConfig config = ConfigLoader.load(context().env(), Map.of("host", "127.0.0.1", "port", "0",
        "http-port", keepServing ? "0" : "-1", "data-dir", data.toString(), "metrics-port", ""));
    NimbusServer server;
    try {
      server = NimbusServer.netty(config, Clock.systemUTC()).start();
    } catch (IOException | RuntimeException e) {
      throw new CommandFailedException("cannot start the quickstart's server on " + data + ": "
          + ServerCommand.messageWithCauses(e) + " (is another 'nimbus server' or quickstart using that folder?"
          + " --dir picks another)");
    }
    Thread hook = new Thread(server::close, "nimbus-quickstart-shutdown");
    context().shutdownHooks().add(hook);
    try {
      target = "127.0.0.1:" + server.port();
      out.println("Serving on " + target + ", data in " + display(data));
      try (NimbusClient client = NimbusClient.builder().target(target).plaintext()
          .defaultDeadline(Duration.ofMinutes(2)).build()) {
        lab(client, samples, report, baseline);
      }
      out.println();
      out.printf(Locale.ROOT, "Done in %.0f s.%n", (System.nanoTime() - start) / 1e9);
      whereThingsAre(root, samples, data, report);
      if (keepServing) {
        out.println();
        out.println("The server keeps running on " + target + " (Ctrl-C stops it). Open the console at "
            + ServerCommand.consoleUrl(config, server) + "#/models/" + MODEL + "/evaluate or try, in another"
            + " terminal:");
        out.println("  ./nimbus --target " + target + " predict " + MODEL + " " + display(samples.resolve(
            CloudSampleWriter.HOLDOUT)));
        out.flush();
        server.blockUntilShutdown();
      }
    } finally {
      context().shutdownHooks().remove(hook);
      server.close();
    }
    return OK;
  }

  /**
   * mobilenet_v2 when the server has its weights (the build fetches them with npm), else scratch_cnn: asked of the
   * server with a CreateModel that only validates.
   */
  private String defaultBaseModel(NimbusClient client) {
    CreateModelRequest probe = CreateModelRequest.newBuilder().setModelId(MODEL).setModel(Model.newBuilder()
        .setDataset("datasets/" + DATASET).setBaseModel(MOBILENET_V2)).build();
    try {
      client.models().validate(probe);
    } catch (StatusRuntimeException e) {
      if (BASE_MODEL_MISSING.equals(NimbusErrors.reason(e))) {
        note("the pretrained MobileNetV2 weights are not in this build (it fetches them with npm); training a small"
            + " CNN from scratch instead, which is less accurate");
        return SCRATCH_CNN;
      }
      // Anything else (the model exists from an earlier run, say) is for the training step to handle.
    }
    return MOBILENET_V2;
  }

  private void lab(NimbusClient client, Path samples, Path report, double baseline) {
    heading(3, "Create the dataset");
    if (orNullIfMissing(() -> client.datasets().get(DATASET)) != null) {
      note("the dataset '" + DATASET + "' exists from an earlier run; keeping it");
    } else {
      run("datasets", "create", DATASET);
    }

    heading(4, "Import the labeled images (the CSV names TRAIN, VALIDATION and TEST for most rows)");
    Dataset dataset = client.datasets().get(DATASET);
    long rows = csvRows(samples.resolve(CloudSampleWriter.CSV));
    if (dataset.getExampleCount() >= rows) {
      note("the dataset already holds " + dataset.getExampleCount() + " images; skipping the import");
    } else {
      run("datasets", "import", DATASET, display(samples.resolve(CloudSampleWriter.CSV)));
    }

    heading(5, "Label statistics");
    run("datasets", "stats", DATASET);

    if (baseModel == null) {
      baseModel = defaultBaseModel(client);
    }
    heading(6, "Train " + MODEL + " (" + baseModel + ")");
    Model model = orNullIfMissing(() -> client.models().get(MODEL));
    if (model != null && model.getTrainingState() == Model.TrainingState.TRAINED
        && model.getBaseModel().equals(baseModel)) {
      note("models/" + MODEL + " was trained by an earlier run; reusing it ('nimbus models delete " + MODEL
          + "' to start over)");
    } else {
      if (model != null) {
        note("models/" + MODEL + " exists but is " + Text.name(model.getTrainingState()) + " (base model "
            + model.getBaseModel() + "); deleting it to train again");
        await(client.models().delete("models/" + MODEL));
      }
      run("models", "train", "--dataset", DATASET, "--model", MODEL, "--base-model", baseModel);
    }

    heading(7, "Evaluate on the TEST images");
    run("models", "evaluate", MODEL, "--misclassified", "5");
    float accuracy = client.models().getEvaluation("models/" + MODEL + "/modelEvaluations/overall")
        .getClassificationEvaluationMetrics().getAccuracy();
    out().printf(Locale.ROOT, "%nThe model's TEST accuracy is %.1f%%; a logistic regression on mean colour alone gets"
        + " %.1f%% (the images differ in shape and texture, not in colour).%n", 100 * accuracy, 100 * baseline);

    heading(8, "Deploy (load and warm up) and predict the held-out images");
    Model current = settled(client);
    if (current.getDeploymentState() == Model.DeploymentState.AVAILABLE) {
      note("models/" + MODEL + " is deployed already (deployed models come back when the server starts)");
    } else {
      run("models", "deploy", MODEL);
    }
    run("predict", MODEL, display(samples.resolve(CloudSampleWriter.HOLDOUT)), "--top-k", "3");

    heading(9, "The evaluation report");
    run("models", "report", MODEL, "--out", display(report));
  }

  private double sampleData(Path samples) {
    Path marker = samples.resolve(SAMPLE_INFO);
    Double reused = reusableBaseline(marker);
    if (reused != null) {
      note("reusing the sample images in " + display(samples) + " (same --per-label and --seed)");
      return reused;
    }
    out().println("$ nimbus sample-data clouds --out " + display(samples) + " --per-label " + perLabel
        + " --seed " + seed);
    CloudSampleWriter.Written written = SampleDataCommand.write(samples, perLabel, seed);
    SampleDataCommand.print(out(), written);
    try {
      Files.writeString(marker, String.format(Locale.ROOT, "per_label=%d%nseed=%d%nmean_colour_baseline=%.6f%n",
          perLabel, seed, written.meanColourAccuracy()), StandardCharsets.UTF_8);
    } catch (IOException e) {
      note("cannot write " + marker + " (" + e.getMessage() + "); the next run draws the images again");
    }
    return written.meanColourAccuracy();
  }

  static final String SAMPLE_INFO = "sample-data.properties";
  private static final Pattern BASELINE = Pattern.compile("mean_colour_baseline=([0-9.]+)");

  /** The recorded baseline if the sample folder holds images of the same size and seed, else null. */
  private Double reusableBaseline(Path marker) {
    try {
      if (!Files.isRegularFile(marker) || !Files.isRegularFile(marker.resolveSibling(CloudSampleWriter.CSV))) {
        return null;
      }
      String info = Files.readString(marker, StandardCharsets.UTF_8);
      Matcher m = BASELINE.matcher(info);
      if (!info.contains("per_label=" + perLabel + "\n") || !info.contains("seed=" + seed + "\n") || !m.find()) {
        return null;
      }
      return Double.parseDouble(m.group(1));
    } catch (IOException | NumberFormatException e) {
      return null;
    }
  }

  /** Runs {@code nimbus ARGS} against the quickstart's server, printing the command as a person would type it. */
  private void run(String... args) {
    out().println("$ nimbus " + String.join(" ", quoted(args)));
    out().flush();
    List<String> full = new ArrayList<>(List.of("--target", target));
    full.addAll(List.of(args));
    CommandLine commandLine = Main.newCommandLine(context());
    commandLine.setOut(out());
    commandLine.setErr(err());
    int code = commandLine.execute(full.toArray(String[]::new));
    out().flush();
    if (code != OK) {
      throw new CommandFailedException("quickstart stopped: 'nimbus " + String.join(" ", args) + "' failed (exit "
          + code + ")");
    }
  }

  private void heading(int step, String title) {
    PrintWriter out = out();
    out.println();
    out.println("== " + step + "/9 " + title);
    out.flush();
  }

  private void note(String text) {
    out().println("(" + text + ")");
    out().flush();
  }

  private void whereThingsAre(Path root, Path samples, Path data, Path report) {
    PrintWriter out = out();
    Table.keyValues(out, List.of(
        new String[] {"sample images and CSV", display(samples)},
        new String[] {"held-out images", display(samples.resolve(CloudSampleWriter.HOLDOUT))},
        new String[] {"server data", display(data)},
        new String[] {"evaluation report", display(report.resolve(EvaluationReport.INDEX)) + "  (open in a browser)"}));
    if (!keepServing) {
      out.println();
      out.println("Next, serve that data, open the console and try the commands above yourself:");
      out.println("  ./nimbus server --data-dir " + display(data) + "         # in one terminal");
      out.println("  then open http://127.0.0.1:8471/#/models/" + MODEL + "/evaluate in a browser (the console)");
      out.println("  ./nimbus predict " + MODEL + " " + display(samples.resolve(CloudSampleWriter.HOLDOUT))
          + " --format json");
      out.println("  ./nimbus models evaluate " + MODEL + " --threshold 0.8");
      out.println("  ./nimbus models train --dataset " + DATASET + " --model clouds_v2 --base-model scratch_cnn");
      out.println("  ./nimbus --help");
    }
    out.flush();
  }

  /** The model once it is neither LOADING nor UNLOADING (a restarted server redeploys in the background). */
  private Model settled(NimbusClient client) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      Model m = client.models().get(MODEL);
      Model.DeploymentState s = m.getDeploymentState();
      if ((s != Model.DeploymentState.LOADING && s != Model.DeploymentState.UNLOADING)
          || System.nanoTime() > deadline) {
        return m;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CommandFailedException("interrupted while models/" + MODEL + " was loading");
      }
    }
  }

  /** What {@code get} returns, or null when the server says NOT_FOUND. */
  private static <T> T orNullIfMissing(Supplier<T> get) {
    try {
      return get.get();
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return null;
      }
      throw e;
    }
  }

  private static void await(OperationFuture<?> future) {
    try {
      future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new CommandFailedException("quickstart stopped: " + e.getMessage());
    }
  }

  private static long csvRows(Path csv) {
    try (var lines = Files.lines(csv, StandardCharsets.UTF_8)) {
      return lines.filter(l -> !l.isBlank()).count();
    } catch (IOException e) {
      throw new CommandFailedException("cannot read " + csv + ": " + e.getMessage());
    }
  }

  /** A path as short as it can be: relative to the working folder when it lies under it. */
  static String display(Path path) {
    Path cwd = Path.of("").toAbsolutePath();
    Path p = path.toAbsolutePath().normalize();
    return p.startsWith(cwd) && !p.equals(cwd) ? cwd.relativize(p).toString() : p.toString();
  }

  private static List<String> quoted(String... args) {
    List<String> out = new ArrayList<>();
    for (String a : args) {
      out.add(a.matches("[A-Za-z0-9_./:=@%+,-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
    }
    return out;
  }

  /** The embedded server's INFO lines would drown the lab's output; warnings and errors still show. */
  private static void quietServerLogs() {
    Logger root = LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    if (root instanceof ch.qos.logback.classic.Logger logback) {
      logback.setLevel(Level.WARN);
    }
  }
}
