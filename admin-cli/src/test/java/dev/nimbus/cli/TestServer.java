package dev.nimbus.cli;

import dev.nimbus.server.NimbusServer;
import dev.nimbus.server.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/** A real Nimbus server on Netty, on a free loopback port, with its data in a test's folder. */
final class TestServer implements AutoCloseable {
  private final NimbusServer server;

  private TestServer(NimbusServer server) {
    this.server = server;
  }

  static TestServer start(Path dataDir) throws IOException {
    return start(dataDir, Map.of());
  }

  /** @param settings more server settings by key, e.g. {@code http-import-enabled} */
  static TestServer start(Path dataDir, Map<String, String> settings) throws IOException {
    Map<String, String> explicit = new LinkedHashMap<>(settings);
    explicit.put("port", "0");
    explicit.putIfAbsent("http-port", "0");
    explicit.put("data-dir", dataDir.toString());
    return new TestServer(NimbusServer.netty(ConfigLoader.load(Map.of(), explicit), Clock.systemUTC()).start());
  }

  int port() {
    return server.port();
  }

  /** What {@code --target} takes. */
  String target() {
    return "127.0.0.1:" + server.port();
  }

  @Override
  public void close() {
    server.close();
  }
}
