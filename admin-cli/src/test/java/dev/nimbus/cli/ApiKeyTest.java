package dev.nimbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API key travels with every call, from --api-key or $NIMBUS_API_KEY; without one the error says how. */
class ApiKeyTest {
  private static final String ADMIN_KEY = "admin-key-0123456789";
  private static final String READER_KEY = "reader-key-0123456789";

  @TempDir
  Path tmp;

  @Test
  void apiKey_fromTheOptionOrTheEnvironment() throws Exception {
    Path keys = tmp.resolve("keys.txt");
    Files.writeString(keys, ADMIN_KEY + " admin\n" + READER_KEY + " reader\n");
    try (TestServer server = TestServer.start(tmp.resolve("data"), Map.of("api-keys-file", keys.toString()))) {
      Cli.Result anonymous = Cli.run("datasets", "list", "--target", server.target());
      assertThat(anonymous.exitCode()).isEqualTo(1);
      assertThat(anonymous.err()).startsWith("nimbus: UNAUTHENTICATED: ")
          .endsWith("(give a key with --api-key or $NIMBUS_API_KEY)\n");

      Cli.succeeded(Cli.run("datasets", "create", "keyed", "--target", server.target(), "--api-key", ADMIN_KEY));

      CliContext withReaderKey = new CliContext(Map.of(GlobalOptions.API_KEY_ENV, READER_KEY), false, System.err,
          0, new Cli.RecordingHooks());
      assertThat(Cli.succeeded(Cli.run(withReaderKey, "datasets", "list", "--target", server.target())).out())
          .contains("datasets/keyed");
      Cli.Result denied = Cli.run(withReaderKey, "datasets", "create", "nope", "--target", server.target());
      assertThat(denied.exitCode()).isEqualTo(1);
      assertThat(denied.err()).startsWith("nimbus: PERMISSION_DENIED: the API key has role reader");

      Cli.Result wrong = Cli.run("datasets", "list", "--target", server.target(), "--api-key", "not-a-valid-key-at-all");
      assertThat(wrong.exitCode()).isEqualTo(1);
      assertThat(wrong.err()).startsWith("nimbus: UNAUTHENTICATED: the API key is not valid on this server")
          .doesNotContain("--api-key or");

      Cli.Result blank = Cli.run("datasets", "list", "--target", server.target(), "--api-key", "two words");
      assertThat(blank.exitCode()).isEqualTo(2);
      assertThat(blank.err()).startsWith("nimbus datasets list: --api-key: ").doesNotContain("two words");
    }
  }
}
