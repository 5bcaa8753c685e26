package dev.nimbus.server.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nimbus.server.config.ServerConfig.HttpImport;
import dev.nimbus.server.dataset.RowFailure.Reason;
import dev.nimbus.server.dataset.RowFailure.RowException;
import dev.nimbus.server.storage.FolderBuckets;
import dev.nimbus.server.testing.LoopbackHttp;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportSourcesTest {
  static final HttpImport NO_HTTP = new HttpImport(false, List.of(), Duration.ofSeconds(5));
  static final long MAX = 1024;

  @TempDir Path tmp;
  Path root;
  ImportSources sources;

  @BeforeEach
  void setUp() throws Exception {
    root = Files.createDirectories(tmp.resolve("root"));
    Files.write(root.resolve("a.jpg"), new byte[] {1, 2, 3});
    Files.createDirectories(root.resolve("sub"));
    Files.write(root.resolve("sub/b.jpg"), new byte[] {4});
    Files.createDirectories(tmp.resolve("outside"));
    Files.write(tmp.resolve("outside/secret.jpg"), new byte[] {9});
    sources = new ImportSources(List.of(root), NO_HTTP, MAX);
  }

  @Test
  void read_relativeAbsoluteAndFileUri() throws Exception {
    assertThat(sources.read("a.jpg", root)).containsExactly(1, 2, 3);
    assertThat(sources.read("sub/../sub/b.jpg", root)).containsExactly(4);
    assertThat(sources.read(root.resolve("a.jpg").toString(), null)).containsExactly(1, 2, 3);
    assertThat(sources.read(root.resolve("a.jpg").toUri().toString(), null)).containsExactly(1, 2, 3);
    assertThat(sources.read("FILE://" + root.resolve("sub/b.jpg"), null)).containsExactly(4);
  }

  @Test
  void read_refusesPathsOutsideTheRoots_withoutRevealingWhetherTheyExist() {
    assertReason(Reason.OUTSIDE_IMPORT_ROOTS, "../outside/secret.jpg", root);
    assertReason(Reason.OUTSIDE_IMPORT_ROOTS, "../../../../etc/passwd", root);
    assertReason(Reason.OUTSIDE_IMPORT_ROOTS, "/etc/passwd", root);
    assertReason(Reason.OUTSIDE_IMPORT_ROOTS, "/etc/does-not-exist", root);
    assertReason(Reason.OUTSIDE_IMPORT_ROOTS, "file:///etc/passwd", root);
  }

  @Test
  void read_refusesSymlinksThatEscape_butFollowsOnesThatStayInside() throws Exception {
    Files.createSymbolicLink(root.resolve("escape.jpg"), tmp.resolve("outside/secret.jpg"));
    Files.createSymbolicLink(root.resolve("escape-dir"), tmp.resolve("outside"));
    Files.createSymbolicLink(root.resolve("inside.jpg"), root.resolve("a.jpg"));
    assertReason(Reason.OUTSIDE_IMPORT_ROOTS, "escape.jpg", root);
    assertReason(Reason.OUTSIDE_IMPORT_ROOTS, "escape-dir/secret.jpg", root);
    assertThat(sources.read("inside.jpg", root)).containsExactly(1, 2, 3);
  }

  @Test
  void read_missingFolderAndTooLarge() throws Exception {
    assertReason(Reason.FILE_NOT_FOUND, "nope.jpg", root);
    assertReason(Reason.NOT_A_FILE, "sub", root);
    try (RandomAccessFile f = new RandomAccessFile(root.resolve("big.jpg").toFile(), "rw")) {
      f.setLength(MAX + 1);
    }
    assertReason(Reason.FILE_TOO_LARGE, "big.jpg", root);
  }

  @Test
  void read_schemesThatAreNotSupported() {
    assertReason(Reason.BUCKET_NOT_MAPPED, "gs://bucket/a.jpg", root);
    assertReason(Reason.UNSUPPORTED_URI, "s3://bucket/a.jpg", root);
    assertReason(Reason.UNSUPPORTED_URI, "ftp://host/a.jpg", root);
    assertReason(Reason.HTTP_DISABLED, "https://example.com/a.jpg", root);
    assertReason(Reason.INVALID_URI, "file://otherhost/a.jpg", root);
    assertReason(Reason.INVALID_URI, "relative.jpg", null);
  }

  @Test
  void read_noRootsMeansNoLocalFiles() {
    ImportSources none = new ImportSources(List.of(), NO_HTTP, MAX);
    assertThatThrownBy(() -> none.read(root.resolve("a.jpg").toString(), null))
        .isInstanceOfSatisfying(RowException.class, e -> assertThat(e.reason()).isEqualTo(Reason.OUTSIDE_IMPORT_ROOTS));
  }

  @Test
  void read_httpFromAllowedHostsOnly_withoutFollowingRedirects() throws Exception {
    try (LoopbackHttp http = new LoopbackHttp()) {
      http.serve("/a.jpg", new byte[] {7, 7});
      http.serve("/big.jpg", new byte[(int) MAX + 1]);
      http.status("/moved.jpg", 302);
      http.status("/broken.jpg", 500);
      ImportSources web = new ImportSources(List.of(root),
          new HttpImport(true, List.of(http.hostPort()), Duration.ofSeconds(5)), MAX);
      assertThat(web.read(http.url("/a.jpg"), root)).containsExactly(7, 7);
      assertThatThrownBy(() -> web.read(http.url("/nope.jpg"), root)).hasMessageContaining("404");
      assertThatThrownBy(() -> web.read(http.url("/moved.jpg"), root)).hasMessageContaining("redirect not followed");
      assertThatThrownBy(() -> web.read(http.url("/broken.jpg"), root)).hasMessageContaining("HTTP 500");
      assertThatThrownBy(() -> web.read(http.url("/big.jpg"), root))
          .isInstanceOfSatisfying(RowException.class, e -> assertThat(e.reason()).isEqualTo(Reason.FILE_TOO_LARGE));
      assertThatThrownBy(() -> web.read("http://localhost:1/a.jpg", root))
          .isInstanceOfSatisfying(RowException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.HTTP_DISABLED);
            assertThat(e.getMessage()).contains("not in the server's http-import-allowed-hosts");
          });
    }
  }

  @Test
  void read_gsUrisOfAMappedBucket_readItsFolder_whichIsARootOfItsOwn() throws Exception {
    Path bucket = Files.createDirectories(tmp.resolve("buckets/clouds"));
    Files.createDirectories(bucket.resolve("cirrus"));
    Files.write(bucket.resolve("cirrus/1.jpg"), new byte[] {5, 6});
    ImportSources gs = withBucket(bucket);
    assertThat(gs.read("gs://clouds/cirrus/1.jpg", null)).containsExactly(5, 6);
    assertThat(gs.read("GS://clouds/cirrus/1.jpg", root)).as("the scheme in any case").containsExactly(5, 6);
    assertThat(gs.read(bucket.resolve("cirrus/1.jpg").toString(), null)).as("a mapped folder is an import root")
        .containsExactly(5, 6);
    assertThat(gs.read("a.jpg", root)).as("the other roots still hold").containsExactly(1, 2, 3);
  }

  @Test
  void read_gsUrisThatCouldEscapeOrNameNoObject_areInvalid() throws Exception {
    Path bucket = Files.createDirectories(tmp.resolve("buckets/clouds"));
    ImportSources gs = withBucket(bucket);
    for (String uri : List.of("gs://clouds/../outside/secret.jpg", "gs://clouds/a/../../x.jpg", "gs://clouds/./a.jpg",
        "gs://clouds/", "gs://clouds", "gs://clouds//a.jpg", "gs://Clouds/a.jpg", "gs:///a.jpg")) {
      assertThatThrownBy(() -> gs.read(uri, null)).as(uri).isInstanceOfSatisfying(RowException.class,
          e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.INVALID_URI));
    }
    assertThatThrownBy(() -> gs.read("gs://clouds/../outside/secret.jpg", null))
        .hasMessageContaining("has a '..' segment, which could lead outside the bucket");
  }

  @Test
  void read_gsObjectThatIsASymlinkOutOfTheBucket_isRefused() throws Exception {
    Path bucket = Files.createDirectories(tmp.resolve("buckets/clouds"));
    Files.createSymbolicLink(bucket.resolve("escape.jpg"), tmp.resolve("outside/secret.jpg"));
    assertThatThrownBy(() -> withBucket(bucket).read("gs://clouds/escape.jpg", null))
        .isInstanceOfSatisfying(RowException.class, e -> assertThat(e.reason()).isEqualTo(Reason.OUTSIDE_IMPORT_ROOTS));
  }

  @Test
  void read_gsUriOfAnUnmappedBucket_saysHowToMapIt() throws Exception {
    ImportSources gs = withBucket(Files.createDirectories(tmp.resolve("buckets/clouds")));
    assertThatThrownBy(() -> gs.read("gs://foo/a.jpg", null)).isInstanceOfSatisfying(RowException.class, e -> {
      assertThat(e.reason()).isEqualTo(Reason.BUCKET_NOT_MAPPED);
      assertThat(e.getMessage()).isEqualTo("bucket 'foo' is not mapped on this server: copy it to the server (gsutil"
          + " -m cp -r gs://foo DIR puts it in DIR/foo) and start the server with --gcs-bucket foo=DIR/foo (setting"
          + " gcs-buckets); mapped now: clouds");
    });
  }

  @Test
  void read_bucketCopiedIntoAFolderOfItsName_saysWhichFolderToMap() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("buckets"));
    Files.createDirectories(dir.resolve("clouds/cirrus"));
    Files.write(dir.resolve("clouds/cirrus/1.jpg"), new byte[] {1});
    ImportSources gs = withBucket("clouds", dir); // mapped to the folder gsutil copied the bucket into
    assertThatThrownBy(() -> gs.read("gs://clouds/cirrus/1.jpg", null)).isInstanceOfSatisfying(RowException.class,
        e -> {
          assertThat(e.reason()).isEqualTo(Reason.FILE_NOT_FOUND);
          assertThat(e.getMessage()).endsWith("was the bucket copied into a folder of its name? then map clouds="
              + dir.resolve("clouds") + " (gcs-buckets)");
        });
  }

  private ImportSources withBucket(Path folder) {
    return withBucket("clouds", folder);
  }

  private ImportSources withBucket(String name, Path folder) {
    return new ImportSources(List.of(root), NO_HTTP, MAX, null, Map.of(), new FolderBuckets(Map.of(name, folder)));
  }

  private void assertReason(Reason reason, String uri, Path base) {
    assertThatThrownBy(() -> sources.read(uri, base)).as(uri)
        .isInstanceOfSatisfying(RowException.class, e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason));
  }
}
