package dev.nimbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nimbus.server.NimbusServer;
import dev.nimbus.server.config.ConfigLoader;
import dev.nimbus.server.config.ServerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code nimbus server} run in this JVM: it starts, announces itself, serves the other commands, and stops. */
class ServerCommandTest {
  @TempDir
  Path tmp;

  /** A server command running on its own thread, as the {@code nimbus server} process would. */
  private record Running(ServerCommand command, CompletableFuture<Integer> exitCode, StringWriter out,
      StringWriter err, Cli.RecordingHooks hooks) {}

  private static Running startInBackground(String... args) {
    Cli.RecordingHooks hooks = new Cli.RecordingHooks();
    CliContext context = new CliContext(Map.of(), false, System.err, 0, hooks);
    CommandLine commandLine = Main.newCommandLine(context);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    ServerCommand command = commandLine.getSubcommands().get("server").getCommand();
    CompletableFuture<Integer> exitCode = CompletableFuture.supplyAsync(() -> commandLine.execute(args));
    return new Running(command, exitCode, out, err, hooks);
  }

  @Test
  void server_startsOnAFreePort_servesTheCli_andStopsGracefully() throws Exception {
    Path data = tmp.resolve("nimbus-data");
    Running server = startInBackground("server", "--port", "0", "--http-port", "0", "--data-dir", data.toString());
    NimbusServer started = server.command().awaitReady(Duration.ofSeconds(30));
    int port = started.port();

    assertThat(server.out().toString()).matches("Nimbus listening on 127\\.0\\.0\\.1:" + port + " \\(data: "
        + Pattern.quote(data.toAbsolutePath().toString())
        + "\\); ready in \\d+ ms \\(\\d+ ms after the command started\\)\n"
        + "Console and REST API: http://127\\.0\\.0\\.1:" + started.httpPort() + "/\n");
    assertThat(started.httpPort()).isPositive().isNotEqualTo(port);
    assertThat(server.hooks().hooks).as("a shutdown hook closes the server on Ctrl-C").hasSize(1);

    String target = "127.0.0.1:" + port;
    Cli.succeeded(Cli.run("datasets", "create", "clouds", "--target", target));
    assertThat(Cli.succeeded(Cli.run("datasets", "list", "--target", target)).out()).contains("datasets/clouds");

    // Ctrl-C: the JVM runs the shutdown hook, which closes the server; the command then returns.
    server.hooks().hooks.get(0).run();
    assertThat(server.exitCode().get(30, TimeUnit.SECONDS)).isZero();
    assertThat(server.hooks().hooks).as("the hook is removed once the server stopped").isEmpty();
    Cli.Result after = Cli.run("datasets", "list", "--target", target);
    assertThat(after.exitCode()).isEqualTo(1);
    assertThat(after.err()).startsWith("nimbus: cannot reach the Nimbus server at " + target);

    // The data outlives the server: a new one on the same folder has the dataset.
    Running again = startInBackground("server", "--port", "0", "--http-port", "0", "--data-dir", data.toString());
    int newPort = again.command().awaitReady(Duration.ofSeconds(30)).port();
    try {
      assertThat(Cli.succeeded(Cli.run("datasets", "get", "clouds", "--target", "127.0.0.1:" + newPort)).out())
          .contains("datasets/clouds");
    } finally {
      again.command().stop();
      assertThat(again.exitCode().get(30, TimeUnit.SECONDS)).isZero();
    }
  }

  @Test
  void server_optionsBecomeSettings() throws Exception {
    Path images = Files.createDirectories(tmp.resolve("images"));
    Path more = Files.createDirectories(tmp.resolve("more"));
    Path clouds = Files.createDirectories(tmp.resolve("buckets/clouds-2024"));
    Path other = Files.createDirectories(tmp.resolve("buckets/other"));
    Path properties = tmp.resolve("nimbus.properties");
    Files.writeString(properties, "max-image-side=1234\nconcurrent-operations=5\n");
    Running server = startInBackground("server", "--port", "0", "--http-port", "0", "--data-dir", tmp.resolve("data").toString(),
        "--config", properties.toString(),
        "--import-root", images.toString(), "--import-root", more.toString(),
        "--http-import-allowed-host", "images.internal", "--http-import-allowed-host", "127.0.0.1:9000",
        "--gcs-bucket", "clouds-2024=" + clouds, "--gcs-bucket", "other=" + other,
        "--max-image-bytes", "1000000",
        "--set", "concurrent-operations=3", "--set", "handler-threads=6", "--handler-threads", "7",
        "--format", "json");
    try {
      ServerConfig config = server.command().awaitReady(Duration.ofSeconds(30)).config();
      assertThat(config.importRoots()).containsExactly(images, more);
      assertThat(config.httpImport().enabled()).as("naming an allowed host enables http imports").isTrue();
      assertThat(config.httpImport().allowedHosts()).containsExactly("images.internal", "127.0.0.1:9000");
      assertThat(config.gcsBuckets()).as("in the order given").containsExactly(Map.entry("clouds-2024", clouds),
          Map.entry("other", other));
      assertThat(config.limits().maxImageBytes()).isEqualTo(1_000_000);
      assertThat(config.limits().maxImageSide()).as("from the --config file").isEqualTo(1234);
      assertThat(config.threads().concurrentOperations()).as("--set wins over the file").isEqualTo(3);
      assertThat(config.threads().handlerThreads()).as("an option wins over --set").isEqualTo(7);
      // JSON mode: the announcement is a JSON object too.
      assertThat(server.out().toString()).contains("\"address\": \"127.0.0.1:").contains("\"data_dir\": ");
    } finally {
      server.command().stop();
      assertThat(server.exitCode().get(30, TimeUnit.SECONDS)).isZero();
    }
  }

  @Test
  void server_badSettings_exit2_withTheLoadersMessage() {
    Cli.Result port = Cli.run("server", "--port", "99999", "--data-dir", tmp.resolve("d").toString());
    assertThat(port.exitCode()).isEqualTo(2);
    assertThat(port.err()).isEqualTo("nimbus server: port: 99999 (expected: 0..65535) (see 'nimbus server --help')\n");

    Cli.Result unknown = Cli.run("server", "--set", "colour=blue");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err()).startsWith("nimbus server: unknown setting 'colour' (expected one of: ");

    Cli.Result config = Cli.run("server", "--config", tmp.resolve("missing.properties").toString());
    assertThat(config.exitCode()).isEqualTo(2);
    assertThat(config.err()).startsWith("nimbus server: config: cannot read ");

    Cli.Result tls = Cli.run("server", "--tls-cert", tmp.resolve("cert.pem").toString());
    assertThat(tls.exitCode()).isEqualTo(2);
    assertThat(tls.err()).contains("tls-cert and tls-key: only one given");

    Cli.Result bucket = Cli.run("server", "--gcs-bucket", "My_Bucket=" + tmp);
    assertThat(bucket.exitCode()).isEqualTo(2);
    assertThat(bucket.err()).isEqualTo("nimbus server: gcs-buckets: 'My_Bucket' is not a valid bucket name: it has an"
        + " uppercase letter (expected: 3-63 characters of lowercase letters, digits, '-', '_' and '.', starting and"
        + " ending with a letter or digit) (see 'nimbus server --help')\n");
    Cli.Result comma = Cli.run("server", "--gcs-bucket", "a-b=/x,y");
    assertThat(comma.exitCode()).isEqualTo(2);
    assertThat(comma.err()).contains("--gcs-bucket: 'a-b=/x,y' contains a comma");
    assertThat(List.of(port.out(), unknown.out(), config.out(), tls.out(), bucket.out())).allMatch(String::isEmpty);
  }

  @Test
  void server_onALockedDataDirectory_exits1() throws Exception {
    Path data = tmp.resolve("shared");
    Running first = startInBackground("server", "--port", "0", "--http-port", "0", "--data-dir", data.toString());
    first.command().awaitReady(Duration.ofSeconds(30));
    try {
      Cli.Result second = Cli.run("server", "--port", "0", "--http-port", "0", "--data-dir", data.toString());
      assertThat(second.exitCode()).isEqualTo(1);
      assertThat(second.err()).startsWith("nimbus: cannot start the server: ").contains(data.toString());
      assertThat(second.err().lines()).hasSize(1);
    } finally {
      first.command().stop();
      first.exitCode().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void serverHelp_hasAnOptionForEverySetting() {
    Cli.Result help = Cli.succeeded(Cli.run("server", "--help"));
    for (String key : ConfigLoader.KEYS.keySet()) {
      String option = switch (key) {
        case "import-roots" -> "--import-root=DIR";
        case "http-import-allowed-hosts" -> "--http-import-allowed-host=HOST[:PORT]";
        case "gcs-buckets" -> "--gcs-bucket=NAME=FOLDER";
        default -> "--" + key + "=";
      };
      assertThat(help.out()).as(key).contains(option);
    }
    assertThat(help.out()).contains("gRPC port; 0 picks a free one (default: 8470).")
        .contains("--http-port=N").contains("turns it off (default: 8471).")
        .contains("--set=KEY=VALUE").contains("Examples:");
  }
}
