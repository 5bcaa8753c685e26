package dev.nimbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * What a person sees when something goes wrong: one line on stderr, nothing on stdout, and an exit code that
 * says whose fault it was (1 the server's answer, 2 the command line's).
 */
class ErrorsTest {
  @TempDir
  static Path tmp;

  private static TestServer server;

  @BeforeAll
  static void start() throws IOException {
    server = TestServer.start(tmp.resolve("data"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static Cli.Result nimbus(String... args) {
    return Cli.run(Stream.concat(Stream.of(args), Stream.of("--target", server.target())).toArray(String[]::new));
  }

  private static void assertOneLineError(Cli.Result result, int exitCode, String start) {
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(exitCode);
    assertThat(result.out()).as(result.toString()).isEmpty();
    assertThat(result.err()).as(result.toString()).startsWith(start).endsWith("\n");
    assertThat(result.err().lines()).as(result.toString()).hasSize(1);
  }

  @Test
  void unknownDataset_exits1_withTheServersNotFoundLine() {
    for (String verb : new String[] {"get", "stats", "examples", "delete"}) {
      assertOneLineError(nimbus("datasets", verb, "nope"), 1,
          "nimbus: NOT_FOUND: dataset datasets/nope does not exist");
    }
    assertOneLineError(nimbus("datasets", "get", "nope", "--format", "json"), 1,
        "nimbus: NOT_FOUND: dataset datasets/nope does not exist");
  }

  @Test
  void importIntoUnknownDataset_exits1() {
    Path csv = tmp.resolve("any.csv");
    assertOneLineError(nimbus("datasets", "import", "nope", csv.toString()), 1, "nimbus: ");
  }

  @Test
  void duplicateCreate_exits1_alreadyExists() {
    assertThat(nimbus("datasets", "create", "twin").exitCode()).isZero();
    assertOneLineError(nimbus("datasets", "create", "datasets/twin"), 1,
        "nimbus: ALREADY_EXISTS: dataset datasets/twin already exists");
  }

  @Test
  void invalidId_exits1_invalidArgument() {
    Cli.Result result = nimbus("datasets", "create", "Clouds!");
    assertOneLineError(result, 1, "nimbus: INVALID_ARGUMENT: dataset_id: 'Clouds!'");
    assertThat(result.err()).contains("lowercase letters");
  }

  @Test
  void csvPathTheServerCannotFind_exits1_theServerJudges() {
    Path missing = tmp.resolve("not-here.csv");
    assertThat(nimbus("datasets", "create", "judged").exitCode()).isZero();
    Cli.Result result = nimbus("datasets", "import", "judged", missing.toString());
    assertOneLineError(result, 1, "nimbus: INVALID_ARGUMENT: input_config.csv_uri: ");
    assertThat(result.err()).contains(missing.toString());
  }

  @Test
  void usageErrors_exit2_withTheCommandAndWhereToLook() {
    assertOneLineError(nimbus("datasets", "list", "--bogus"), 2,
        "nimbus datasets list: Unknown option: '--bogus'");
    assertThat(nimbus("datasets", "list", "--bogus").err()).contains("(see 'nimbus datasets list --help')");
    assertOneLineError(nimbus("datasets", "get"), 2,
        "nimbus datasets get: Missing required parameter: 'DATASET'");
    assertOneLineError(nimbus("datasets", "import", "clouds"), 2,
        "nimbus datasets import: Missing required parameter: 'SOURCE'");
    assertOneLineError(nimbus("datasets", "list", "--format", "xml"), 2,
        "nimbus datasets list: Invalid value for option '--format'");
    assertOneLineError(nimbus("datasets", "list", "--deadline", "0"), 2,
        "nimbus datasets list: Invalid value for option '--deadline'");
    assertOneLineError(nimbus("datasets", "examples", "clouds", "--split", "HOLDOUT"), 2,
        "nimbus datasets examples: Invalid value for option '--split'");
    assertOneLineError(nimbus("datasets", "examples", "clouds", "--limit", "0"), 2,
        "nimbus datasets examples: --limit: 0 (expected: a number > 0)");
    assertOneLineError(nimbus("operations", "list", "--kind", "TRAINING"), 2,
        "nimbus operations list: Invalid value for option '--kind'");
    assertThat(nimbus("operations", "list", "--kind", "TRAINING").err()).contains("IMPORT_DATA");
    assertOneLineError(nimbus("datasets", "image", "clouds/abc", "--out", tmp.resolve("x.jpg").toString()), 2,
        "nimbus datasets image: example: 'clouds/abc' (expected: a name like");
    assertOneLineError(nimbus("datasets", "creat", "clouds"), 2, "nimbus datasets: Unmatched argument");
    assertThat(nimbus("datasets", "creat", "clouds").err()).contains("did you mean create");
  }

  @Test
  void uploadOfAMissingLocalFile_exits2_beforeAnyCall() {
    Path missing = tmp.resolve("nowhere/labels.csv");
    assertOneLineError(nimbus("datasets", "import", "clouds", missing.toString(), "--upload"), 2,
        "nimbus datasets import: SOURCE " + missing + ": no such file or folder");
  }

  @Test
  void baseUriWithoutUpload_exits2() {
    assertOneLineError(nimbus("datasets", "import", "clouds", "x.csv", "--base-uri", "/srv"), 2,
        "nimbus datasets import: --base-uri needs --upload");
  }

  @Test
  void missingTlsCaFile_exits2() {
    assertOneLineError(nimbus("datasets", "list", "--tls-ca", tmp.resolve("ca.pem").toString()), 2,
        "nimbus datasets list: --tls-ca: ");
  }

  @Test
  void groupWithoutAVerb_exits2_andShowsItsCommands() {
    Cli.Result result = nimbus("datasets");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).contains("Usage: nimbus datasets").contains("import").contains("stats");
  }

  @Test
  void serverNotRunning_exits1_cannotReach() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    String target = "127.0.0.1:" + closedPort;
    Cli.Result result = Cli.run("datasets", "list", "--target", target);
    assertOneLineError(result, 1, "nimbus: cannot reach the Nimbus server at " + target + " (");
    assertThat(result.err()).endsWith("); is `nimbus server` running?\n");

    // With -v the same line, then the stack trace.
    Cli.Result verbose = Cli.run("datasets", "list", "--target", target, "-v");
    assertThat(verbose.exitCode()).isEqualTo(1);
    assertThat(verbose.err()).startsWith("nimbus: cannot reach the Nimbus server at " + target)
        .contains("io.grpc.StatusRuntimeException: UNAVAILABLE").contains("\tat ");
  }

  @Test
  void targetFromTheEnvironment_isUsedWithoutAnOption() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    CliContext context = new CliContext(Map.of(GlobalOptions.TARGET_ENV, "127.0.0.1:" + closedPort),
        false, System.err, 0, new Cli.RecordingHooks());
    Cli.Result result = Cli.run(context, "datasets", "list");
    assertOneLineError(result, 1, "nimbus: cannot reach the Nimbus server at 127.0.0.1:" + closedPort + " (");

    CliContext pointingAtTheServer = new CliContext(Map.of(GlobalOptions.TARGET_ENV, server.target()),
        false, System.err, 0, new Cli.RecordingHooks());
    assertThat(Cli.run(pointingAtTheServer, "datasets", "list").exitCode()).isZero();
  }

  @Test
  void unexpectedIllegalArgumentException_exits1_withTheTraceOnlyWithVerbose() {
    for (boolean verbose : new boolean[] {false, true}) {
      CommandLine commandLine = Main.newCommandLine(Cli.quiet());
      StringWriter err = new StringWriter();
      commandLine.setErr(new PrintWriter(err, true));
      commandLine.setOut(new PrintWriter(new StringWriter(), true));
      ParseResult parsed = verbose ? commandLine.parseArgs("-v", "datasets", "list")
          : commandLine.parseArgs("datasets", "list");
      CommandLine list = parsed.subcommand().subcommand().commandSpec().commandLine();

      int exit = new ErrorReporter(Cli.quiet()).handleExecutionException(
          new IllegalArgumentException("a bug, not the user's input"), list, parsed);

      assertThat(exit).as("a bug is not a usage error").isEqualTo(1);
      assertThat(err.toString()).startsWith("nimbus: unexpected error: java.lang.IllegalArgumentException: a bug");
      if (verbose) {
        assertThat(err.toString()).contains("\tat ");
      } else {
        assertThat(err.toString()).contains("(run with -v for the stack trace)").doesNotContain("\tat ");
      }
    }
  }
}
