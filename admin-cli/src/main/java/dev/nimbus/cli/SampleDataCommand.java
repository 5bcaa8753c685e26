package dev.nimbus.cli;

import com.google.gson.JsonObject;
import dev.nimbus.cli.sample.CloudSampleWriter;
import dev.nimbus.cli.sample.CloudScenes;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nimbus sample-data clouds}: the lab's labeled images, drawn on this machine. */
@Command(name = "sample-data",
    description = {"Write a labeled image set for trying Nimbus out, generated here (no downloads).",
        "clouds: the lab's three cloud types (cirrus, cumulus, cumulonimbus) as JPEGs of varied size, framing,"
            + " sky, lighting and noise, with DIR/labels.csv in the lab's format ([set,]uri,label; 70%% of rows"
            + " name TRAIN, VALIDATION or TEST, 30%% leave the split to the server) and DIR/holdout/ with images"
            + " outside the CSV, for predictions. The same --seed gives the same images."},
    footerHeading = "%nExamples:%n",
    footer = {"  nimbus sample-data clouds --out ./clouds",
        "  nimbus sample-data clouds --out ./clouds --per-label 300 --seed 7",
        "  nimbus datasets import clouds ./clouds/labels.csv"})
final class SampleDataCommand extends NimbusCommand {
  static final int DEFAULT_PER_LABEL = 150;
  static final int HOLDOUT_PER_LABEL = 4;

  @Parameters(paramLabel = "SET", description = "Which set: clouds.")
  String set;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write (created if missing).")
  Path out;

  @Option(names = "--per-label", paramLabel = "N", defaultValue = "" + DEFAULT_PER_LABEL,
      description = "Images per label in the CSV, at least 10 (default: ${DEFAULT-VALUE}).")
  int perLabel;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() {
    if (!"clouds".equals(set)) {
      throw new UsageException("unknown sample set '" + set + "' (expected: clouds)");
    }
    if (perLabel < 10 || perLabel > 100_000) {
      throw new UsageException("--per-label " + perLabel + " (expected: 10..100000)");
    }
    CloudSampleWriter.Written written = write(out, perLabel, seed);
    if (json()) {
      JsonObject doc = new JsonObject();
      doc.addProperty("csv", written.csv().toAbsolutePath().toString());
      doc.addProperty("holdout", written.holdout().toAbsolutePath().toString());
      doc.addProperty("images", written.images());
      doc.addProperty("holdout_images", written.holdoutImages());
      doc.addProperty("mean_colour_baseline_accuracy",
          Math.round(written.meanColourAccuracy() * 10_000) / 10_000.0);
      out().println(Json.write(doc));
    } else {
      print(out(), written);
    }
    return OK;
  }

  static CloudSampleWriter.Written write(Path out, int perLabel, long seed) {
    try {
      return CloudSampleWriter.write(out, perLabel, HOLDOUT_PER_LABEL, seed);
    } catch (IOException | UncheckedIOException e) {
      throw new CommandFailedException("cannot write the sample data to " + out + ": " + e.getMessage());
    }
  }

  static void print(PrintWriter out, CloudSampleWriter.Written written) {
    out.println("Wrote " + written.images() + " labeled images and " + written.csv().toAbsolutePath() + ", and "
        + written.holdoutImages() + " held-out images in " + written.holdout().toAbsolutePath());
    Table table = new Table("LABEL", "TRAIN", "VALIDATION", "TEST", "NO SET");
    for (String label : CloudScenes.LABELS) {
      Map<String, Integer> c = written.counts().get(label);
      table.row(label, c.getOrDefault("TRAIN", 0), c.getOrDefault("VALIDATION", 0), c.getOrDefault("TEST", 0),
          c.getOrDefault("", 0));
    }
    table.print(out);
    out.println(String.format(Locale.ROOT, "Trivial-cue check: a logistic regression on each image's mean colour"
        + " gets %.1f%% (5-fold cross-validation; chance is %.1f%%).", 100 * written.meanColourAccuracy(),
        100.0 / CloudScenes.LABELS.size()));
  }
}
