package dev.nimbus.server.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** An HTTP server on loopback serving byte arrays by path; a path can be made to block until released. */
public final class LoopbackHttp implements AutoCloseable {
  private final HttpServer server;
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();
  private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
  private final Map<String, Integer> statuses = new ConcurrentHashMap<>();
  private final CountDownLatch anyGateReached = new CountDownLatch(1);

  public LoopbackHttp() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      CountDownLatch gate = gates.get(path);
      if (gate != null) {
        anyGateReached.countDown();
        try {
          gate.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      Integer status = statuses.get(path);
      byte[] body = files.get(path);
      if (status != null) {
        if (status / 100 == 3) {
          exchange.getResponseHeaders().add("Location", "http://example.com/elsewhere.jpg");
        }
        exchange.sendResponseHeaders(status, -1);
      } else if (body == null) {
        exchange.sendResponseHeaders(404, -1);
      } else {
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
      exchange.close();
    });
    server.start();
  }

  public String hostPort() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  public String url(String path) {
    return "http://" + hostPort() + path;
  }

  public void serve(String path, byte[] body) {
    files.put(path, body);
  }

  public void status(String path, int status) {
    statuses.put(path, status);
  }

  /** Requests for {@code path} wait until {@link #release} is called. */
  public void block(String path) {
    gates.put(path, new CountDownLatch(1));
  }

  public boolean awaitBlockedRequest(long seconds) throws InterruptedException {
    return anyGateReached.await(seconds, TimeUnit.SECONDS);
  }

  public void release(String path) {
    gates.get(path).countDown();
  }

  @Override
  public void close() {
    gates.values().forEach(CountDownLatch::countDown);
    server.stop(0);
  }
}
