package dev.nimbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nimbus quickstart} and {@code nimbus sample-data} end to end: the whole lab against the command's own
 * Netty server on a free loopback port (real training of mobilenet_v2's head on the generated clouds), then a
 * second run that reuses everything.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QuickstartCommandTest {
  @TempDir
  static Path tmp;

  @Test
  @Order(1)
  void quickstart_runsTheWholeLab() throws Exception {
    Path dir = tmp.resolve("lab");
    Cli.Result r = Cli.succeeded(Cli.run("quickstart", "--dir", dir.toString(), "--per-label", "14"));
    String out = r.out();
    for (int step = 1; step <= 9; step++) {
      assertThat(out).contains("== " + step + "/9 ");
    }
    assertThat(out).contains("$ nimbus sample-data clouds").contains("$ nimbus datasets create clouds")
        .contains("$ nimbus datasets import clouds").contains("$ nimbus datasets stats clouds")
        .contains("$ nimbus models train --dataset clouds --model clouds_v1 --base-model mobilenet_v2")
        .contains("AuPRC").contains("precision at 0.50").contains("recall at 0.50").contains("TRUE \\ PREDICTED")
        .contains("Deployed models/clouds_v1: AVAILABLE")
        .contains("evaluation report:");
    // Every held-out image got a prediction: 4 per label.
    long predicted = out.lines().filter(l -> l.matches(".*holdout/(cirrus|cumulus|cumulonimbus)-00\\d\\.jpg\\s+\\S+.*"))
        .count();
    assertThat(predicted).as(out).isEqualTo(12);
    Matcher m = Pattern.compile("TEST accuracy is ([0-9.]+)%; a logistic regression on mean colour alone gets"
        + " ([0-9.]+)%").matcher(out);
    assertThat(m.find()).as(out).isTrue();
    assertThat(Double.parseDouble(m.group(2))).isLessThan(Double.parseDouble(m.group(1)) + 0.001);
    assertThat(out).contains("http://127.0.0.1:8471/#/models/clouds_v1/evaluate");
    assertThat(dir.resolve("report/index.html")).exists();
    assertThat(dir.resolve("report/charts/confusion-matrix.png")).exists();
    assertThat(Files.readString(dir.resolve("report/index.html"))).contains("models/clouds_v1");
    assertThat(dir.resolve("clouds/labels.csv")).exists();
  }

  @Test
  @Order(2)
  void quickstart_secondRunReusesWhatTheFirstMade() {
    Path dir = tmp.resolve("lab");
    Cli.Result r = Cli.succeeded(Cli.run("quickstart", "--dir", dir.toString(), "--per-label", "14"));
    assertThat(r.out()).contains("reusing the sample images").contains("exists from an earlier run")
        .contains("skipping the import").contains("trained by an earlier run; reusing it")
        .contains("is deployed already").doesNotContain("$ nimbus models train")
        .contains("$ nimbus predict clouds_v1").contains("$ nimbus models report clouds_v1");
  }

  @Test
  void quickstart_badOptions() {
    Cli.Result r = Cli.run("quickstart", "--dir", tmp.resolve("x").toString(), "--per-label", "3");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--per-label 3 (expected: 10..100000)");
    assertThat(tmp.resolve("x")).doesNotExist();
  }

  @Test
  void sampleData_writesTheSetAndSaysWhatTheColourBaselineGets() throws Exception {
    Path out = tmp.resolve("samples");
    Cli.Result table = Cli.succeeded(Cli.run("sample-data", "clouds", "--out", out.toString(), "--per-label", "10"));
    assertThat(table.out()).contains("Wrote 30 labeled images").contains("cumulonimbus")
        .contains("Trivial-cue check: a logistic regression on each image's mean colour gets");
    Cli.Result json = Cli.succeeded(Cli.run("--format", "json", "sample-data", "clouds", "--out", out.toString(),
        "--per-label", "10", "--seed", "2"));
    Struct.Builder parsed = Struct.newBuilder();
    JsonFormat.parser().merge(json.out(), parsed);
    assertThat(parsed.getFieldsMap().get("images").getNumberValue()).isEqualTo(30);
    assertThat(parsed.getFieldsMap().get("csv").getStringValue()).endsWith("labels.csv");
    assertThat(parsed.getFieldsMap().get("mean_colour_baseline_accuracy").getNumberValue()).isBetween(0.0, 1.0);

    Cli.Result unknown = Cli.run("sample-data", "stratus", "--out", out.toString());
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err()).contains("unknown sample set 'stratus' (expected: clouds)");
    Cli.Result tooFew = Cli.run("sample-data", "clouds", "--out", out.toString(), "--per-label", "5");
    assertThat(tooFew.exitCode()).isEqualTo(2);
    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    Cli.Result notADir = Cli.run("sample-data", "clouds", "--out", file.toString(), "--per-label", "10");
    assertThat(notADir.exitCode()).isEqualTo(1);
    assertThat(notADir.err()).contains("cannot write the sample data to");
  }
}
