package dev.nimbus.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path tmp;

  @Test
  void defaults_areSafeForOneMachine() {
    ServerConfig c = ConfigLoader.defaults();
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isEqualTo(8470);
    assertThat(c.dataDir()).isEqualTo(Path.of("./nimbus-data"));
    assertThat(c.importRoots()).isEmpty();
    assertThat(c.httpImport().enabled()).isFalse();
    assertThat(c.limits().maxImageBytes()).isEqualTo(30L * 1024 * 1024);
    assertThat(c.apiKeys()).isEmpty();
    assertThat(c.tls()).isEmpty();
    assertThat(c.gcsBuckets()).isEmpty();
  }

  @Test
  void gcsBuckets_fromTheEnvironment_inOrder_withFoldersMadeAbsolute() throws Exception {
    Path b = Files.createDirectories(tmp.resolve("b"));
    Path a = Files.createDirectories(tmp.resolve("a"));
    ServerConfig c = ConfigLoader.load(Map.of("NIMBUS_GCS_BUCKETS", " zeta.bucket_1 = " + b + ", alpha-2=" + a + "/./"),
        Map.of());
    assertThat(c.gcsBuckets()).containsExactly(Map.entry("zeta.bucket_1", b), Map.entry("alpha-2", a));
    assertThatThrownBy(() -> c.gcsBuckets().put("x", a)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void gcsBuckets_badEntries_nameTheSettingAndWhatToFix() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("bucket"));
    Path file = Files.writeString(tmp.resolve("file.txt"), "x");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of(), Map.of("gcs-buckets", "clouds")))
        .hasMessage("gcs-buckets: 'clouds' (expected: NAME=FOLDER, e.g. my-bucket=/srv/buckets/my-bucket)");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of(), Map.of("gcs-buckets", "=" + dir)))
        .hasMessageStartingWith("gcs-buckets: '=");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of(), Map.of("gcs-buckets", "ab=" + dir)))
        .hasMessage("gcs-buckets: 'ab' is not a valid bucket name: it has 2 characters (expected: 3-63 characters"
            + " of lowercase letters, digits, '-', '_' and '.', starting and ending with a letter or digit)");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of(), Map.of("gcs-buckets", "x".repeat(64) + "=" + dir)))
        .hasMessageContaining("it has 64 characters");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of(), Map.of("gcs-buckets", "-clouds=" + dir)))
        .hasMessageContaining("it starts with '-'");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of(), Map.of("gcs-buckets", "clouds.=" + dir)))
        .hasMessageContaining("it ends with '.'");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of(), Map.of("gcs-buckets", "my bucket=" + dir)))
        .hasMessageContaining("it has the character ' '");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of(), Map.of("gcs-buckets", "clouds=" + dir + ",clouds=" + tmp)))
        .hasMessage("gcs-buckets: bucket 'clouds' is mapped twice (to " + dir + " and " + tmp + "); map each bucket"
            + " once");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of(), Map.of("gcs-buckets", "one=" + dir + ",two=" + dir)))
        .hasMessage("gcs-buckets: buckets 'one' and 'two' both map to " + dir + "; a folder is the root of one"
            + " bucket");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of(), Map.of("gcs-buckets", "clouds=" + tmp.resolve("gone"))))
        .hasMessage("gcs-buckets: the folder " + tmp.resolve("gone") + " of bucket 'clouds' does not exist (copy the"
            + " bucket first: gsutil -m cp -r gs://clouds DIR puts it in DIR/clouds, then map clouds=DIR/clouds)");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of(), Map.of("gcs-buckets", "clouds=" + file)))
        .hasMessage("gcs-buckets: " + file + " (bucket 'clouds') is not a folder");
  }

  @Test
  void load_laterSourcesWin_fileThenEnvThenFlags() throws Exception {
    Path file = Files.writeString(tmp.resolve("nimbus.properties"), "port=9000\nhost=0.0.0.0\nimport-roots=/a, /b\n");
    ServerConfig c = ConfigLoader.load(Map.of("NIMBUS_CONFIG", file.toString(), "NIMBUS_PORT", "9001"),
        Map.of("host", "127.0.0.2"));
    assertThat(c.port()).isEqualTo(9001);
    assertThat(c.host()).isEqualTo("127.0.0.2");
    assertThat(c.importRoots()).containsExactly(Path.of("/a"), Path.of("/b"));
  }

  @Test
  void load_badValuesSayWhatWasGivenAndWhatIsExpected() {
    assertThatThrownBy(() -> ConfigLoader.load(Map.of(), Map.of("port", "70000")))
        .hasMessage("port: 70000 (expected: 0..65535)");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of(), Map.of("port", "eighty")))
        .hasMessage("port: 'eighty' (expected: a whole number)");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of(), Map.of("prot", "80")))
        .hasMessageStartingWith("unknown setting 'prot'");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of(), Map.of("http-import-enabled", "yes")))
        .hasMessageContaining("expected: true or false");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of(), Map.of("http-import-enabled", "true")))
        .hasMessageContaining("http-import-allowed-hosts");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of(), Map.of("tls-cert", "/x.pem")))
        .hasMessageContaining("only one given");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of(), Map.of("http-import-timeout", "5s")))
        .hasMessageContaining("ISO-8601");
  }

  @Test
  void serving_defaultsDependOnTheDevice_andBadDevicesAreRefused() {
    ServerConfig.Serving cpu = ConfigLoader.defaults().serving();
    assertThat(cpu.device()).isEqualTo("cpu");
    assertThat(cpu.maxBatchSize()).isEqualTo(8);
    assertThat(cpu.maxBatchDelay()).isEqualTo(Duration.ofMillis(2));
    assertThat(cpu.maxQueuedImages()).isEqualTo(4 * 8 * 2);
    assertThat(cpu.metricsPort()).isEmpty();
    ServerConfig.Serving gpu = ConfigLoader.load(Map.of(), Map.of("device", "gpu:0")).serving();
    assertThat(gpu.maxBatchSize()).isEqualTo(64);
    assertThat(gpu.maxBatchDelay()).isEqualTo(Duration.ofMillis(5));
    assertThat(ConfigLoader.load(Map.of(), Map.of("max-batch-size", "16", "max-batch-delay", "PT0.01S",
        "metrics-port", "9100")).serving()).satisfies(s -> {
          assertThat(s.maxBatchSize()).isEqualTo(16);
          assertThat(s.maxBatchDelay()).isEqualTo(Duration.ofMillis(10));
          assertThat(s.metricsPort()).contains(9100);
        });
    assertThatThrownBy(() -> ConfigLoader.load(Map.of(), Map.of("device", "tpu"))).hasMessageContaining("cpu or gpu:N");
  }

  @Test
  void apiKeysFile_readsKeysAndRoles_andRejectsShortKeysOrUnknownRoles() throws Exception {
    Path keys = Files.writeString(tmp.resolve("keys"), "# admins\nadmin-key-0123456789 admin\n\nreader-key-0123456789 READER\n");
    ServerConfig c = ConfigLoader.load(Map.of(), Map.of("api-keys-file", keys.toString()));
    assertThat(c.apiKeys()).containsEntry("admin-key-0123456789", ServerConfig.Role.ADMIN)
        .containsEntry("reader-key-0123456789", ServerConfig.Role.READER);
    Path bad = Files.writeString(tmp.resolve("bad"), "short admin\n");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of(), Map.of("api-keys-file", bad.toString())))
        .hasMessageContaining("at least 16");
    Path role = Files.writeString(tmp.resolve("role"), "admin-key-0123456789 superuser\n");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of(), Map.of("api-keys-file", role.toString())))
        .hasMessageContaining("role 'superuser'");
  }
}
