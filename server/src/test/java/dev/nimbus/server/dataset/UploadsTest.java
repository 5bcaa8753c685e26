package dev.nimbus.server.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.nimbus.server.dataset.RowFailure.RowException;
import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.storage.BlobStore;
import dev.nimbus.v1.FindMissingImagesResponse.MissingImage;
import dev.nimbus.v1.ImageChunk;
import dev.nimbus.v1.UploadImagesResponse.ImageProgress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server side of uploads: offsets, retries, hashes, limits, what counts as held, and expiry. */
class UploadsTest {
  @TempDir
  Path tmp;

  BlobStore blobs;
  Uploads uploads;
  final byte[] image = new byte[1000];
  String sha;

  @BeforeEach
  void setUp() {
    Arrays.fill(image, (byte) 7);
    image[0] = 1;
    sha = BlobStore.sha256Hex(image);
    blobs = new BlobStore(tmp.resolve("blobs")).open();
    uploads = new Uploads(tmp.resolve("uploads"), blobs, 5000, Clock.fixed(Instant.parse("2026-12-08T00:00:00Z"),
        ZoneOffset.UTC)).open();
  }

  private ImageChunk chunk(int from, int to) {
    return ImageChunk.newBuilder().setSha256(sha).setOffset(from).setTotalBytes(image.length)
        .setData(ByteString.copyFrom(image, from, to - from)).build();
  }

  @Test
  void chunksAppendAtTheirOffset_retriesAreSkipped_gapsAreRefusedWithWhereToResume() throws Exception {
    assertThat(uploads.missing(List.of(sha))).containsExactly(MissingImage.newBuilder().setSha256(sha).build());
    ImageProgress half = uploads.receive(List.of(chunk(0, 400))).get(0);
    assertThat(half.getReceivedBytes()).isEqualTo(400);
    assertThat(half.getComplete()).isFalse();
    assertThat(uploads.missing(List.of(sha)).get(0).getReceivedBytes()).isEqualTo(400);
    // The same chunk again (a retry after a lost answer) changes nothing.
    assertThat(uploads.receive(List.of(chunk(0, 400))).get(0).getReceivedBytes()).isEqualTo(400);
    assertThatThrownBy(() -> uploads.receive(List.of(chunk(600, 1000))))
        .isInstanceOf(ApiException.class).hasMessageContaining("is at byte 400, not 600; send from byte 400");
    // Overlapping: only the new part is written.
    ImageProgress done = uploads.receive(List.of(chunk(200, 1000))).get(0);
    assertThat(done.getComplete()).isTrue();
    assertThat(uploads.missing(List.of(sha))).isEmpty();
    assertThat(uploads.read(sha)).isEqualTo(image);
    // Complete: more chunks are answered as complete and ignored.
    assertThat(uploads.receive(List.of(chunk(0, 10))).get(0).getComplete()).isTrue();
  }

  @Test
  void bytesThatDoNotHashToTheAnnouncedSha_areDiscarded() {
    byte[] other = image.clone();
    other[5] = 9;
    ImageChunk lie = ImageChunk.newBuilder().setSha256(sha).setTotalBytes(other.length)
        .setData(ByteString.copyFrom(other)).build();
    assertThatThrownBy(() -> uploads.receive(List.of(lie))).isInstanceOf(ApiException.class)
        .hasMessageContaining("hash to " + BlobStore.sha256Hex(other)).hasMessageContaining("from byte 0");
    assertThat(uploads.missing(List.of(sha)).get(0).getReceivedBytes()).isZero();
  }

  @Test
  void limitsAndMalformedChunks_areInvalidArguments_namingTheField() {
    assertThatThrownBy(() -> uploads.receive(List.of(chunk(0, 10).toBuilder().setTotalBytes(6000).build())))
        .hasMessageContaining("chunks[0].total_bytes: 6000 (expected: 1..5000");
    assertThatThrownBy(() -> uploads.receive(List.of(chunk(0, 10).toBuilder().setSha256("../../etc").build())))
        .hasMessageContaining("chunks[0].sha256");
    assertThatThrownBy(() -> uploads.receive(List.of(chunk(0, 10).toBuilder().setOffset(995).build())))
        .hasMessageContaining("outside the image's 1000 bytes");
    assertThatThrownBy(() -> uploads.missing(List.of("xyz"))).hasMessageContaining("sha256[0]");
  }

  @Test
  void aBlobTheServerHolds_isNeverMissing_andReadsFromTheBlobStore() throws Exception {
    blobs.put(sha, image);
    assertThat(uploads.missing(List.of(sha, sha))).isEmpty();
    assertThat(uploads.read(sha)).isEqualTo(image);
    String unknown = "ab".repeat(32);
    assertThat(uploads.missing(List.of(unknown, unknown))).hasSize(1);
    assertThatThrownBy(() -> uploads.read(unknown)).isInstanceOf(RowException.class)
        .hasMessageContaining("was not uploaded");
  }

  @Test
  void uploadsUntouchedFor24Hours_areSwept() throws Exception {
    uploads.receive(List.of(chunk(0, 1000)));
    uploads.receive(List.of(ImageChunk.newBuilder().setSha256("cd".repeat(32)).setTotalBytes(10)
        .setData(ByteString.copyFrom(new byte[4])).build()));
    Path dir = tmp.resolve("uploads");
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.setLastModifiedTime(f, FileTime.from(Instant.parse("2026-12-08T00:00:00Z")
            .minus(Uploads.TTL).minus(Duration.ofMinutes(1))));
      }
    }
    assertThat(uploads.sweep()).isEqualTo(2);
    assertThat(uploads.missing(List.of(sha))).hasSize(1);
  }
}
