package dev.nimbus.server;

import dev.nimbus.server.config.ConfigLoader;
import dev.nimbus.server.config.ServerConfig;
import java.time.Clock;

/**
 * Runs the server from {@code --key=value} flags (the keys of {@link ConfigLoader#KEYS}). The {@code nimbus
 * server} command is the friendly front; this entry point is what tests start as a separate process. Prints
 * {@code NIMBUS_READY port=N} on stdout once serving.
 */
public final class NimbusServerMain {
  private NimbusServerMain() {}

  public static void main(String[] args) throws Exception {
    ServerConfig config;
    try {
      config = ConfigLoader.load(System.getenv(), ConfigLoader.parseFlags(args));
    } catch (IllegalArgumentException e) {
      System.err.println("nimbus server: " + e.getMessage());
      System.exit(2);
      return;
    }
    NimbusServer server = NimbusServer.netty(config, Clock.systemUTC()).start();
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "nimbus-shutdown"));
    System.out.println("NIMBUS_READY port=" + server.port());
    System.out.flush();
    server.blockUntilShutdown();
  }
}
