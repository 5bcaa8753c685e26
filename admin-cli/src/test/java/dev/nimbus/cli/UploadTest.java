package dev.nimbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.rpc.ErrorInfo;
import dev.nimbus.client.NimbusClient;
import dev.nimbus.client.UploadResult;
import dev.nimbus.v1.ClassificationType;
import dev.nimbus.v1.DatasetStats;
import dev.nimbus.v1.ImportDataResponse;
import dev.nimbus.v1.OperationMetadata;
import io.grpc.StatusRuntimeException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images sent from the client's disk (SDK {@code datasets().upload}, CLI {@code import --upload}) to a real server
 * over loopback: only what the server lacks is sent, a cut connection resumes where it stopped, hostile files fail
 * only their rows, and folder and zip layouts give the labels of their folders.
 */
class UploadTest {
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

  private static NimbusClient client(String target) {
    return NimbusClient.builder().target(target).plaintext().defaultDeadline(Duration.ofMinutes(1)).build();
  }

  private static Path folder(String name, int perLabel, int size) throws IOException {
    Path root = tmp.resolve(name);
    Random random = new Random(name.hashCode());
    for (String label : List.of("cirrus", "cumulus")) {
      Files.createDirectories(root.resolve(label));
      for (int i = 0; i < perLabel; i++) {
        Files.write(root.resolve(label).resolve(i + ".jpg"), jpeg(size, size, random));
      }
    }
    return root;
  }

  private static byte[] jpeg(int w, int h, Random random) throws IOException {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, random.nextInt(0xFFFFFF));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "jpg", out);
    return out.toByteArray();
  }

  private static long bytesUnder(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  @Test
  void folder_uploadsOncePerImage_aSecondUploadSendsNoImageBytes() throws Exception {
    Path clouds = folder("clouds", 12, 64);
    try (NimbusClient nimbus = client(server.target())) {
      nimbus.datasets().create("clouds", ClassificationType.MULTICLASS);
      UploadResult first = nimbus.datasets().upload("clouds", clouds, p -> {});
      assertThat(first.images()).isEqualTo(24);
      assertThat(first.imagesSent()).isEqualTo(24);
      assertThat(first.bytesSent()).isEqualTo(bytesUnder(clouds));
      ImportDataResponse imported = first.operation().get();
      assertThat(imported.getImportedCount()).isEqualTo(24);
      DatasetStats stats = nimbus.datasets().stats("clouds");
      assertThat(stats.getLabelsList()).extracting(l -> l.getDisplayName() + "=" + l.getExampleCount())
          .containsExactlyInAnyOrder("cirrus=12", "cumulus=12");

      UploadResult again = nimbus.datasets().upload("clouds", clouds, p -> {});
      assertThat(again.imagesSent()).isZero();
      assertThat(again.bytesSent()).isZero();
      assertThat(again.operation().get().getDuplicateCount()).isEqualTo(24);

      // Another dataset with the same images: the server holds their bytes already.
      nimbus.datasets().create("clouds_copy", ClassificationType.MULTICLASS);
      UploadResult copy = nimbus.datasets().upload("clouds_copy", clouds, p -> {});
      assertThat(copy.bytesSent()).isZero();
      assertThat(copy.operation().get().getImportedCount()).isEqualTo(24);
    }
  }

  @Test
  void aConnectionCutMidway_resumesWithoutResendingWhatArrived() throws Exception {
    // An 11 MB image goes in three consecutive 4 MiB chunks: cut after half of it, the first chunk has arrived.
    Path big = tmp.resolve("big");
    Files.createDirectories(big.resolve("noise"));
    Files.write(big.resolve("noise").resolve("0.bmp"), bmp(2000, 1900, new Random(7)));
    long total = bytesUnder(big);
    try (NimbusClient nimbus = client(server.target())) {
      nimbus.datasets().create("big", ClassificationType.MULTICLASS);
    }
    try (CuttingProxy proxy = new CuttingProxy(server.port(), total / 2)) {
      try (NimbusClient viaProxy = client("127.0.0.1:" + proxy.port())) {
        assertThatThrownBy(() -> viaProxy.datasets().upload("big", big, p -> {}))
            .isInstanceOf(StatusRuntimeException.class);
      }
    }
    try (NimbusClient nimbus = client(server.target())) {
      UploadResult resumed = nimbus.datasets().upload("big", big, p -> {});
      assertThat(resumed.bytesSent()).isPositive().isLessThanOrEqualTo(total - 4L * 1024 * 1024);
      assertThat(resumed.operation().get().getImportedCount()).isEqualTo(1);
      assertThat(nimbus.datasets().upload("big", big, p -> {}).bytesSent()).isZero();
    }
  }

  @Test
  void hostileFiles_failOnlyTheirRows_andNonImagesNeverLeaveTheClient() throws Exception {
    Path mixed = folder("mixed", 3, 32);
    Files.writeString(mixed.resolve("cirrus/notes.jpg"), "not an image, and not to be sent");
    byte[] good = Files.readAllBytes(mixed.resolve("cumulus/0.jpg"));
    Files.write(mixed.resolve("cumulus/cut.jpg"), java.util.Arrays.copyOf(good, good.length / 2));
    Files.write(mixed.resolve("cumulus/empty.png"), new byte[0]);
    Files.writeString(mixed.resolve("cumulus/.hidden.jpg"), "skipped");
    try (NimbusClient nimbus = client(server.target())) {
      nimbus.datasets().create("mixed", ClassificationType.MULTICLASS);
      UploadResult result = nimbus.datasets().upload("mixed", mixed, p -> {});
      assertThat(result.images()).isEqualTo(9);
      assertThat(result.unreadable()).containsExactlyInAnyOrder("cirrus/notes.jpg", "cumulus/empty.png");
      assertThat(result.imagesSent()).isEqualTo(7);
      ImportDataResponse imported = result.operation().get();
      assertThat(imported.getImportedCount()).isEqualTo(6);
      assertThat(imported.getFailedCount()).isEqualTo(3);
      OperationMetadata metadata = result.operation().metadata().orElseThrow();
      List<String> failures = new ArrayList<>();
      for (com.google.rpc.Status s : metadata.getPartialFailuresList()) {
        ErrorInfo info = s.getDetails(0).unpack(ErrorInfo.class);
        failures.add(info.getMetadataOrThrow("uri") + " " + info.getReason());
      }
      assertThat(failures).containsExactlyInAnyOrder("cirrus/notes.jpg UPLOAD_MISSING",
          "cumulus/cut.jpg CORRUPT_IMAGE", "cumulus/empty.png UPLOAD_MISSING");
    }
  }

  @Test
  void zips_ofAFolderOrOfACsvWithImages() throws Exception {
    Path clouds = folder("zipped", 4, 40);
    Path folderZip = tmp.resolve("folder.zip");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(folderZip));
        Stream<Path> files = Files.walk(clouds)) {
      for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
        zip.putNextEntry(new ZipEntry("zipped/" + clouds.relativize(p).toString().replace('\\', '/')));
        zip.write(Files.readAllBytes(p));
      }
      zip.putNextEntry(new ZipEntry("__MACOSX/zipped/._0.jpg"));
      zip.write(new byte[] {1, 2, 3});
    }
    Path csvZip = tmp.resolve("csv.zip");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(csvZip))) {
      zip.putNextEntry(new ZipEntry("set/labels.csv"));
      zip.write("TEST,img/a.jpg,storm\nTRAIN,\"img/b, c.jpg\",calm\nTRAIN,img/missing.jpg,calm\n".getBytes());
      zip.putNextEntry(new ZipEntry("set/img/a.jpg"));
      zip.write(Files.readAllBytes(clouds.resolve("cirrus/0.jpg")));
      zip.putNextEntry(new ZipEntry("set/img/b, c.jpg"));
      zip.write(Files.readAllBytes(clouds.resolve("cirrus/1.jpg")));
    }
    try (NimbusClient nimbus = client(server.target())) {
      nimbus.datasets().create("zip_folder", ClassificationType.MULTICLASS);
      ImportDataResponse fromFolder = nimbus.datasets().upload("zip_folder", folderZip, p -> {}).operation().get();
      assertThat(fromFolder.getImportedCount()).isEqualTo(8);
      assertThat(nimbus.datasets().stats("zip_folder").getLabelsList()).extracting(l -> l.getDisplayName())
          .containsExactlyInAnyOrder("cirrus", "cumulus");

      nimbus.datasets().create("zip_csv", ClassificationType.MULTICLASS);
      UploadResult fromCsv = nimbus.datasets().upload("zip_csv", csvZip, p -> {});
      assertThat(fromCsv.unreadable()).containsExactly("img/missing.jpg");
      ImportDataResponse imported = fromCsv.operation().get();
      assertThat(imported.getImportedCount()).isEqualTo(2);
      assertThat(imported.getFailedCount()).isEqualTo(1);
      assertThat(nimbus.datasets().stats("zip_csv").getLabelsList()).extracting(l -> l.getDisplayName())
          .containsExactlyInAnyOrder("storm", "calm");
    }
  }

  @Test
  void cli_importUpload_ofAFolder_reportsWhatWasSent() throws Exception {
    Path clouds = folder("cli", 5, 48);
    Cli.succeeded(Cli.run("datasets", "create", "cli", "--target", server.target()));
    Cli.Result first = Cli.run("datasets", "import", "cli", clouds.toString(), "--upload", "--target",
        server.target());
    assertThat(first.exitCode()).as(first.toString()).isZero();
    assertThat(first.out()).containsPattern("uploaded: +10 of 10 images sent").containsPattern("(?m)^imported:\\s+10$");
    Cli.Result again = Cli.run("datasets", "import", "cli", clouds.toString(), "--upload", "--target",
        server.target());
    assertThat(again.out())
        .containsPattern("uploaded: +0 of 10 images sent \\(0 B\\); the server had the other 10 already")
        .containsPattern("(?m)^duplicates:\\s+10$");
    Cli.Result missing = Cli.run("datasets", "import", "cli", tmp.resolve("nowhere").toString(), "--upload",
        "--target", server.target());
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("no such file or folder");
  }

  /** An uncompressed 24-bit BMP of noise: large, and valid. */
  private static byte[] bmp(int w, int h, Random random) throws IOException {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    byte[] raster = ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData();
    random.nextBytes(raster);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "bmp", out);
    return out.toByteArray();
  }

  /** A loopback TCP proxy that cuts both directions once {@code limit} bytes went from client to server. */
  private static final class CuttingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final List<Socket> sockets = new ArrayList<>();
    private final AtomicLong forwarded = new AtomicLong();

    CuttingProxy(int target, long limit) throws IOException {
      listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread accept = new Thread(() -> {
        try {
          while (true) {
            Socket client = listener.accept();
            Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
            synchronized (sockets) {
              sockets.add(client);
              sockets.add(upstream);
            }
            pump(client, upstream, limit);
            pump(upstream, client, Long.MAX_VALUE);
          }
        } catch (IOException closed) {
          // the proxy was closed
        }
      }, "cutting-proxy");
      accept.setDaemon(true);
      accept.start();
    }

    int port() {
      return listener.getLocalPort();
    }

    private void pump(Socket from, Socket to, long limit) {
      Thread t = new Thread(() -> {
        byte[] buf = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
          int n;
          while ((n = in.read(buf)) > 0) {
            if (limit != Long.MAX_VALUE && forwarded.addAndGet(n) > limit) {
              closeAll();
              return;
            }
            out.write(buf, 0, n);
          }
        } catch (IOException e) {
          closeAll();
        }
      }, "cutting-proxy-pump");
      t.setDaemon(true);
      t.start();
    }

    private void closeAll() {
      synchronized (sockets) {
        for (Socket s : sockets) {
          try {
            s.close();
          } catch (IOException ignored) {
            // closing anyway
          }
        }
      }
    }

    @Override
    public void close() throws IOException {
      listener.close();
      closeAll();
    }
  }
}
