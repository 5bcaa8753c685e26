package dev.nimbus.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gs:// URIs parsed in one place, and the folder-backed mapping both ways. */
class BucketMappingTest {
  @TempDir Path tmp;

  @Test
  void parse_splitsBucketAndObject_asWritten() {
    assertThat(GcsUri.parse("gs://clouds/cirrus/1.jpg")).isEqualTo(new GcsUri("clouds", "cirrus/1.jpg"));
    assertThat(GcsUri.parse("  GS://my.bucket_1/a b/%20.jpg ")).as("scheme in any case; no percent-decoding")
        .isEqualTo(new GcsUri("my.bucket_1", "a b/%20.jpg"));
    assertThat(GcsUri.parse("gs://clouds/a.jpg").toString()).isEqualTo("gs://clouds/a.jpg");
    assertThat(GcsUri.isGcs("gs://x")).isTrue();
    assertThat(GcsUri.isGcs("/data/gs://x")).isFalse();
  }

  @Test
  void parse_refusesBadBucketsAndObjectsThatAreNotSafeRelativePaths() {
    assertThatThrownBy(() -> GcsUri.parse("gs://clouds")).hasMessage("'gs://clouds' names a bucket, not an object"
        + " (expected: gs://clouds/path/to/object)");
    assertThatThrownBy(() -> GcsUri.parse("gs://clouds/")).hasMessageContaining("names a bucket, not an object");
    assertThatThrownBy(() -> GcsUri.parse("gs://clouds/a/../../etc/passwd"))
        .hasMessage("the object name 'a/../../etc/passwd' has a '..' segment, which could lead outside the bucket");
    assertThatThrownBy(() -> GcsUri.parse("gs://clouds/./a.jpg")).hasMessageContaining("has a '.' segment");
    assertThatThrownBy(() -> GcsUri.parse("gs://clouds/a//b.jpg")).hasMessageContaining("has an empty segment");
    assertThatThrownBy(() -> GcsUri.parse("gs://clouds/dir/")).hasMessageContaining("has an empty segment");
    assertThatThrownBy(() -> GcsUri.parse("gs://clouds/a\nb.jpg")).hasMessageContaining("NUL, CR or LF");
    assertThatThrownBy(() -> GcsUri.parse("gs://clouds/" + "x".repeat(1025))).hasMessageContaining("1024 bytes");
    assertThatThrownBy(() -> GcsUri.parse("gs://UPPER/a.jpg")).hasMessage("'UPPER' is not a valid bucket name: it"
        + " has an uppercase letter (expected: 3-63 characters of lowercase letters, digits, '-', '_' and '.',"
        + " starting and ending with a letter or digit)");
    assertThatThrownBy(() -> GcsUri.parse("gs:///a.jpg")).hasMessageContaining("'' is not a valid bucket name");
    assertThatThrownBy(() -> GcsUri.parse("s3://clouds/a.jpg")).hasMessageContaining("is not a gs:// URI");
  }

  @Test
  void parseFolder_acceptsABucketOrAPrefix_withOrWithoutTheFinalSlash() {
    assertThat(GcsUri.parseFolder("gs://clouds")).isEqualTo(new GcsUri("clouds", ""));
    assertThat(GcsUri.parseFolder("gs://clouds/")).isEqualTo(new GcsUri("clouds", ""));
    assertThat(GcsUri.parseFolder("gs://clouds/exports/m1/")).isEqualTo(new GcsUri("clouds", "exports/m1"));
    assertThat(GcsUri.parseFolder("gs://clouds").toString()).isEqualTo("gs://clouds/");
    assertThatThrownBy(() -> GcsUri.parseFolder("gs://clouds/../x")).hasMessageContaining("'..' segment");
  }

  @Test
  void folderBuckets_theFolderIsTheBucketsRoot_bothWays() throws Exception {
    Path clouds = Files.createDirectories(tmp.resolve("clouds"));
    Path nested = Files.createDirectories(tmp.resolve("clouds/archive"));
    Map<String, Path> folders = new LinkedHashMap<>();
    folders.put("clouds", clouds);
    folders.put("archive", nested);
    FolderBuckets b = new FolderBuckets(folders);
    assertThat(b.resolve(GcsUri.parse("gs://clouds/cirrus/1.jpg"))).isEqualTo(clouds.resolve("cirrus/1.jpg"));
    assertThat(b.resolve(GcsUri.parseFolder("gs://clouds/"))).isEqualTo(clouds);
    assertThat(b.uriOf(clouds.resolve("cirrus/1.jpg"))).hasValue(new GcsUri("clouds", "cirrus/1.jpg"));
    assertThat(b.uriOf(clouds.resolve("cirrus/./x/../1.jpg")).map(GcsUri::toString)).hasValue("gs://clouds/cirrus/1.jpg");
    assertThat(b.uriOf(clouds).map(GcsUri::toString)).hasValue("gs://clouds/");
    assertThat(b.uriOf(nested.resolve("a.jpg")).map(GcsUri::toString)).as("the deepest folder wins")
        .hasValue("gs://archive/a.jpg");
    assertThat(b.uriOf(tmp.resolve("elsewhere/a.jpg"))).isEmpty();
    assertThat(b.uriOf(tmp.resolve("clouds-2/a.jpg"))).as("a sibling folder with the same prefix").isEmpty();
    assertThat(b.folders()).containsExactly(clouds, nested);
  }

  @Test
  void folderBuckets_aPathThroughTheFoldersRealPath_mapsBackToo() throws Exception {
    Path real = Files.createDirectories(tmp.resolve("disk/clouds"));
    Path link = Files.createSymbolicLink(tmp.resolve("clouds"), real);
    FolderBuckets b = new FolderBuckets(Map.of("clouds", link));
    assertThat(b.uriOf(real.resolve("a/b.jpg"))).hasValue(new GcsUri("clouds", "a/b.jpg"));
    assertThat(b.uriOf(link.resolve("a/b.jpg"))).hasValue(new GcsUri("clouds", "a/b.jpg"));
  }

  @Test
  void unmappedBucket_saysHowToMapIt() {
    assertThatThrownBy(() -> BucketMapping.NONE.resolve(GcsUri.parse("gs://foo/a.jpg")))
        .isInstanceOf(UnmappedBucketException.class)
        .hasMessage("bucket 'foo' is not mapped on this server: copy it to the server (gsutil -m cp -r gs://foo DIR"
            + " puts it in DIR/foo) and start the server with --gcs-bucket foo=DIR/foo (setting gcs-buckets); no"
            + " bucket is mapped now");
    assertThat(BucketMapping.NONE.uriOf(Path.of("/a"))).isEqualTo(Optional.empty());
  }
}
