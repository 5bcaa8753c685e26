package dev.nimbus.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.PredictRequest;
import dev.nimbus.v1.PredictResponse;
import io.grpc.Status;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Predict over the HTTP port's REST/JSON API ({@code POST /v1/models/{m}:predict}, the proto3 JSON mapping of the
 * request without its {@code name}, which is in the path), sent by the JDK's {@link HttpClient} as a plain REST
 * client would. Each request's body, base64 images included, is encoded once in {@link #prepare}; responses are
 * parsed back into {@link PredictResponse} with {@link JsonFormat} on every call, since a real client must read
 * them, so that cost is measured.
 *
 * <p>{@link Options#clients} HttpClients share the calls round-robin. Over HTTP/1.1 each client opens one
 * connection per call in flight and keeps them alive (the JDK pool is unbounded), so C clients use C connections;
 * over HTTP/2 (cleartext, upgraded from HTTP/1.1 on the first call) each client multiplexes its calls on one
 * connection, as a gRPC channel does.
 *
 * <p>Each call is a blocking {@link HttpClient#send} on a cached pool of threads named {@code nimbus-loadgen-http-*}
 * (so their CPU is reported with the generator's): one thread per call in flight, reused, which also reads the
 * answer and sends a closed-loop client's next call. Not {@code sendAsync}: the JDK completes its future through
 * {@code CompletableFuture}'s default executor, which with fewer than 3 cores (common pool parallelism below 2) is a
 * new thread per task, so every answer cost a thread start, uncounted, on the cores the server needs (seen in a JFR
 * profile of the first runs: REST at 0.6-0.8x gRPC).
 */
final class RestTransport implements PredictTransport {

  /**
   * @param clients HttpClient instances (each with its own connection pool and selector thread)
   * @param version HTTP/1.1 or HTTP/2
   * @param apiKey sent as {@code x-api-key}, or null
   */
  record Options(int clients, HttpClient.Version version, String apiKey) {
    Options {
      if (clients < 1) {
        throw new IllegalArgumentException("clients: " + clients + " (expected: >= 1)");
      }
    }

    /** {@code 1.1} or {@code 2}, as on the command line. */
    static HttpClient.Version version(String v) {
      return switch (v.strip()) {
        case "1.1" -> HttpClient.Version.HTTP_1_1;
        case "2" -> HttpClient.Version.HTTP_2;
        default -> throw new IllegalArgumentException("REST HTTP version '" + v + "' (expected: 1.1 or 2)");
      };
    }
  }

  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
  /** Unknown fields ignored: a newer server may answer with more than this build knows. */
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

  private final URI base;
  private final Options options;
  private final ExecutorService executor;
  private final List<HttpClient> clients = new ArrayList<>();
  /** The last payload prepared: a run's scenarios reuse one payload, so it is encoded once. */
  private PredictPayload preparedPayload;
  private Prepared prepared;

  private RestTransport(URI base, Options options) {
    this.base = base;
    this.options = options;
    AtomicInteger n = new AtomicInteger();
    this.executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, CpuMeter.THREAD_PREFIX + "-http-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    for (int i = 0; i < options.clients(); i++) {
      clients.add(HttpClient.newBuilder().version(options.version()).executor(executor)
          .connectTimeout(Duration.ofSeconds(5)).build());
    }
  }

  /** To the HTTP port at {@code baseUrl}, e.g. {@code http://127.0.0.1:8471}; closed by {@link #close}. */
  static RestTransport connect(String baseUrl, Options options) {
    return new RestTransport(URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/"), options);
  }

  @Override
  public synchronized Prepared prepare(PredictPayload payload) {
    if (payload != preparedPayload) {
      prepared = encode(payload);
      preparedPayload = payload;
    }
    return prepared;
  }

  private Prepared encode(PredictPayload payload) {
    int n = payload.size();
    URI[] uris = new URI[n];
    byte[][] bodies = new byte[n][];
    for (int i = 0; i < n; i++) {
      PredictRequest r = payload.request(i);
      uris[i] = base.resolve("v1/" + r.getName() + ":predict");
      bodies[i] = json(r.toBuilder().clearName().build()).getBytes(StandardCharsets.UTF_8);
    }
    return (index, connection, deadlineNanos, answer) -> {
      int i = Math.floorMod(index, n);
      HttpRequest req = withKey(HttpRequest.newBuilder(uris[i]).timeout(Duration.ofNanos(deadlineNanos))
          .header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(bodies[i]))).build();
      HttpClient client = client(connection);
      executor.execute(() -> {
        HttpResponse<byte[]> response;
        try {
          response = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
          answer.answered(status(e), null);
          return;
        } catch (InterruptedException e) {
          answer.answered(Status.CANCELLED.withDescription("the generator closed"), null);
          return;
        }
        if (response.statusCode() == 200) {
          answer.answered(Status.OK, predictResponse(response.body()));
        } else {
          answer.answered(status(response.statusCode(), response.body()), null);
        }
      });
    };
  }

  @Override
  public Model getModel(String name, Duration deadline) {
    HttpRequest req = withKey(HttpRequest.newBuilder(base.resolve("v1/" + name)).timeout(deadline).GET()).build();
    HttpResponse<byte[]> response;
    try {
      response = client(0).send(req, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw status(e).asRuntimeException();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Status.CANCELLED.withCause(e).asRuntimeException();
    }
    if (response.statusCode() != 200) {
      throw status(response.statusCode(), response.body()).asRuntimeException();
    }
    Model.Builder m = Model.newBuilder();
    try {
      PARSER.merge(new String(response.body(), StandardCharsets.UTF_8), m);
    } catch (InvalidProtocolBufferException e) {
      throw Status.INTERNAL.withDescription("GetModel answered JSON that is not a Model: " + e.getMessage())
          .asRuntimeException();
    }
    return m.build();
  }

  @Override
  public String describe() {
    return "REST " + (options.version() == HttpClient.Version.HTTP_2 ? "HTTP/2" : "HTTP/1.1");
  }

  @Override
  public void close() {
    // HttpClient has no close() before Java 21: its connections and selector thread go when it is unreachable.
    clients.clear();
    executor.shutdownNow();
  }

  private HttpClient client(int connection) {
    return clients.get(Math.floorMod(connection, clients.size()));
  }

  private HttpRequest.Builder withKey(HttpRequest.Builder b) {
    return options.apiKey() == null || options.apiKey().isEmpty() ? b : b.header("x-api-key", options.apiKey());
  }

  private static String json(PredictRequest r) {
    try {
      return PRINTER.print(r);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a PredictRequest does not print as JSON", e);
    }
  }

  /** The response, or null if the body is not a PredictResponse (the generator counts a {@code bad-response}). */
  private static PredictResponse predictResponse(byte[] body) {
    PredictResponse.Builder b = PredictResponse.newBuilder();
    try {
      PARSER.merge(new String(body, StandardCharsets.UTF_8), b);
      return b.build();
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      return null;
    }
  }

  /**
   * An error answer: the server's body is a {@code google.rpc.Status} in JSON, whose code is the gRPC one (read
   * with Gson: its details are {@code Any}s this client need not know). Without one, UNKNOWN naming the HTTP status.
   */
  private static Status status(int httpStatus, byte[] body) {
    try {
      JsonObject o = JsonParser.parseString(new String(body, StandardCharsets.UTF_8)).getAsJsonObject();
      return Status.fromCodeValue(o.get("code").getAsInt())
          .withDescription(o.has("message") ? o.get("message").getAsString() : "HTTP " + httpStatus);
    } catch (RuntimeException e) {
      return Status.UNKNOWN.withDescription("HTTP " + httpStatus + " without a google.rpc.Status body");
    }
  }

  /** A call that got no HTTP answer: past its timeout as a gRPC deadline would be, else the connection failed. */
  private static Status status(IOException e) {
    if (e instanceof HttpTimeoutException && !(e instanceof HttpConnectTimeoutException)) {
      return Status.DEADLINE_EXCEEDED.withDescription(e.toString());
    }
    return Status.UNAVAILABLE.withDescription(e.toString()).withCause(e);
  }
}
