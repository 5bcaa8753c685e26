package dev.nimbus.server.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.rpc.Code;
import dev.nimbus.server.config.ConfigLoader;
import dev.nimbus.server.config.ServerConfig;
import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.storage.BucketMapping;
import dev.nimbus.server.storage.FolderBuckets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where outputs may be written, gs:// URIs of mapped buckets included. */
class OutputPathsTest {
  private static final String FIELD = "output_config.output_uri";

  @TempDir Path tmp;
  Path bucket;
  BucketMapping buckets;

  @BeforeEach
  void setUp() throws Exception {
    bucket = Files.createDirectories(tmp.resolve("buckets/results"));
    buckets = new FolderBuckets(Map.of("results", bucket));
  }

  private ServerConfig config(Map<String, String> settings) {
    return ConfigLoader.load(Map.of(), settings);
  }

  @Test
  void gsOutput_isInItsBucketsFolder_evenOutsideTheExportRoots_andOnAServerOthersReach() throws Exception {
    for (ServerConfig c : new ServerConfig[] {config(Map.of("export-roots", tmp.resolve("exports").toString())),
        config(Map.of("host", "0.0.0.0"))}) {
      OutputPaths.Output out = OutputPaths.check(c, buckets, FIELD, "gs://results/runs/1/out.jsonl", false);
      assertThat(out.path()).isEqualTo(bucket.resolve("runs/1/out.jsonl"));
      assertThat(out.uri()).as("reported as the caller wrote it").isEqualTo("gs://results/runs/1/out.jsonl");
      // A local path inside the bucket's folder is allowed too, and reported as the path.
      OutputPaths.Output local = OutputPaths.check(c, buckets, FIELD, bucket.resolve("b.jsonl").toString(), false);
      assertThat(local.uri()).isEqualTo(bucket.resolve("b.jsonl").toString());
    }
    assertFails(Code.FAILED_PRECONDITION, "export-roots (or map a bucket with gcs-buckets)", () -> OutputPaths.check(
        config(Map.of("host", "0.0.0.0")), buckets, FIELD, tmp.resolve("x.jsonl").toString(), false));
  }

  @Test
  void prepare_makesTheFoldersABucketImplies_andResolvesPathsAsGiven() throws Exception {
    Path p = OutputPaths.prepare(buckets, "gs://results/runs/2/out.jsonl");
    assertThat(p).isEqualTo(bucket.resolve("runs/2/out.jsonl"));
    assertThat(p.getParent()).isDirectory();
    assertThat(p).doesNotExist();
    assertThat(OutputPaths.prepare(buckets, tmp.resolve("a.jsonl").toString())).isEqualTo(tmp.resolve("a.jsonl"));
    assertThatThrownBy(() -> OutputPaths.prepare(BucketMapping.NONE, "gs://results/x")).isInstanceOfSatisfying(
        ApiException.class, e -> assertThat(e.getMessage()).contains("bucket 'results' is not mapped"));
  }

  @Test
  void gsOutput_badUris_unmappedBuckets_existingObjects_andEscapes_areRefused() throws Exception {
    ServerConfig c = config(Map.of());
    assertFails(Code.INVALID_ARGUMENT, FIELD + ": bucket 'other' is not mapped on this server: copy it",
        () -> OutputPaths.check(c, buckets, FIELD, "gs://other/out.jsonl", false));
    assertFails(Code.INVALID_ARGUMENT, "'..' segment", () -> OutputPaths.check(c, buckets, FIELD,
        "gs://results/../escape.jsonl", false));
    assertFails(Code.INVALID_ARGUMENT, "names a bucket, not an object", () -> OutputPaths.check(c, buckets, FIELD,
        "gs://results/", false));
    assertFails(Code.INVALID_ARGUMENT, "is a whole bucket", () -> OutputPaths.check(c, buckets, FIELD,
        "gs://results/", true));
    Files.writeString(bucket.resolve("taken.jsonl"), "x");
    assertFails(Code.ALREADY_EXISTS, FIELD + ": gs://results/taken.jsonl already exists; the server never"
        + " overwrites", () -> OutputPaths.check(c, buckets, FIELD, "gs://results/taken.jsonl", false));
    Files.createDirectories(bucket.resolve("empty"));
    assertThat(OutputPaths.check(c, buckets, FIELD, "gs://results/empty/", true).uri())
        .as("an empty folder, for a folder export").isEqualTo("gs://results/empty");
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.createSymbolicLink(bucket.resolve("link"), outside);
    assertFails(Code.INVALID_ARGUMENT, "through a symbolic link, outside the folder of bucket 'results'",
        () -> OutputPaths.check(c, buckets, FIELD, "gs://results/link/new/out.jsonl", false));
  }

  private static void assertFails(Code code, String fragment, Runnable call) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(ApiException.class, e -> {
      assertThat(e.getMessage()).contains(fragment);
      assertThat(e.code()).isEqualTo(code);
    });
  }
}
