package dev.nimbus.server.http;

import com.google.api.HttpRule;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.common.grpc.GrpcJsonMarshaller;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.HttpStatusException;
import com.linecorp.armeria.server.Route;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServerPort;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.file.FileService;
import com.linecorp.armeria.server.file.HttpFile;
import com.linecorp.armeria.server.grpc.GrpcService;
import com.linecorp.armeria.server.grpc.GrpcServiceBuilder;
import com.linecorp.armeria.server.grpc.HttpJsonTranscodingOptions;
import com.linecorp.armeria.server.grpc.HttpJsonTranscodingQueryParamMatchRule;
import dev.nimbus.server.config.ServerConfig;
import io.grpc.Channel;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP port: one Armeria server, on the gRPC port's host and TLS certificate, serving
 * <ul>
 *   <li>{@code /v1/...}: REST/JSON transcoded from the protos' {@code google.api.http} annotations onto the given
 *       (already intercepted) gRPC service definitions, plus {@code POST /v1/{name=operations/**}:wait} for
 *       WaitOperation, which Google's proto leaves unmapped;</li>
 *   <li>{@code GET /v1/{example}:image}: {@link ExampleImageService};</li>
 *   <li>gRPC and gRPC-Web on the same paths as the gRPC port;</li>
 *   <li>{@code /}: the console, from the jar's {@code console/} folder; paths that name no file get its
 *       {@code index.html}, so a page's URL can be shared.</li>
 * </ul>
 * Handlers run on a blocking pool of the handler threads' size, never on Armeria's event loops.
 */
public final class HttpGateway implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HttpGateway.class);
  private static final String CONSOLE = "console";
  /** REST paths of any API version ({@code /v1/}, {@code /v1beta1/}), which never get the console's page. */
  private static final java.util.regex.Pattern API_PATH = java.util.regex.Pattern.compile("^/v[0-9]+[a-z0-9]*/");

  private final Server server;
  private final BrowserGuard browserGuard;
  /** As configured (0: any free port). */
  private final int port;

  /**
   * @param services the gRPC service definitions, with their interceptors, as the gRPC port serves them
   * @param images a channel to the same services, for the image route
   * @param blocking the pool RPC handlers run on
   */
  public HttpGateway(ServerConfig config, List<ServerServiceDefinition> services, Channel images,
      ScheduledExecutorService blocking) {
    this.browserGuard = new BrowserGuard(config.loopbackOnly());
    GrpcServiceBuilder grpcBuilder = GrpcService.builder();
    services.stream().map(HttpBindings::withExtraBindings).forEach(grpcBuilder::addService);
    GrpcService grpc = grpcBuilder
        .enableHttpJsonTranscoding(HttpJsonTranscodingOptions.builder()
            .errorHandler(new RestErrors())
            .queryParamMatchRules(HttpJsonTranscodingQueryParamMatchRule.ORIGINAL_FIELD,
                HttpJsonTranscodingQueryParamMatchRule.LOWER_CAMEL_CASE)
            .additionalHttpRules(operationRules())
            .build())
        .jsonMarshallerFactory(service -> GrpcJsonMarshaller.builder()
            .jsonMarshallerCustomizer(ProtoJson::configure)
            .build(service))
        .useBlockingTaskExecutor(true)
        .maxRequestMessageLength(config.limits().maxMessageBytes())
        .build();
    this.port = config.httpPort();
    InetSocketAddress address = new InetSocketAddress(config.host(), config.httpPort());
    ServerBuilder b = Server.builder()
        .port(new ServerPort(address, config.tls().isPresent() ? SessionProtocol.HTTPS
            : SessionProtocol.HTTP))
        .blockingTaskExecutor(blocking, false)
        // Its own event loops, stopped with it, rather than Armeria's process-wide ones.
        .workerGroup(Math.max(2, Runtime.getRuntime().availableProcessors()))
        // A REST body carries bytes as base64: a third more than the gRPC message it becomes.
        .maxRequestLength(config.limits().maxMessageBytes() / 3L * 4 + 64 * 1024)
        // WaitOperation may hold a call for 5 minutes.
        .requestTimeout(Duration.ofMinutes(6))
        .gracefulShutdownTimeout(Duration.ofMillis(200), Duration.ofSeconds(10))
        .service(Route.builder().regex(ExampleImageService.PATH.pattern()).methods(HttpMethod.GET, HttpMethod.HEAD)
            .build(), new ExampleImageService(images).decorate(this::guarded))
        .service(grpc, service -> service.decorate(this::restRequest))
        .serviceUnder("/assets/", FileService.builder(HttpGateway.class.getClassLoader(), CONSOLE + "/assets")
            .cacheControl("public, max-age=31536000, immutable").build())
        .serviceUnder("/", FileService.builder(HttpGateway.class.getClassLoader(), CONSOLE)
            .cacheControl("no-cache").build().orElse(indexPage()));
    config.tls().ifPresent(tls -> b.tls(tls.certChain().toFile(), tls.privateKey().toFile()));
    this.server = b.build();
  }

  /** WaitOperation, which Google's proto leaves unmapped, for native names. */
  private static List<HttpRule> operationRules() {
    return List.of(HttpRule.newBuilder().setSelector("google.longrunning.Operations.WaitOperation")
        .setPost("/v1/{name=operations/**}:wait").setBody("*")
        .addAdditionalBindings(HttpRule.newBuilder().setPost(HttpBindings.AUTOML_OPERATION + ":wait").setBody("*"))
        .build());
  }

  /** The console's entry page, for every path that is not a file (the console routes it), or a note. */
  private static HttpService indexPage() {
    if (HttpGateway.class.getClassLoader().getResource(CONSOLE + "/index.html") == null) {
      return (ctx, req) -> API_PATH.matcher(ctx.path()).lookingAt() ? noSuchMethod(ctx.method(), ctx.path())
          : HttpResponse.of(HttpStatus.NOT_FOUND, MediaType.PLAIN_TEXT_UTF_8, "The console was not built into this"
              + " server (the build found no npm). The REST API is under /v1/.\n");
    }
    HttpFile index = HttpFile.builder(HttpGateway.class.getClassLoader(), CONSOLE + "/index.html")
        .cacheControl("no-cache").build();
    return (ctx, req) -> API_PATH.matcher(ctx.path()).lookingAt() ? noSuchMethod(ctx.method(), ctx.path())
        : index.asService().serve(ctx, req);
  }

  /**
   * For REST calls: requests other web pages make in a visitor's browser are refused ({@link BrowserGuard}); a
   * body sent without a JSON content type (curl's {@code -d} says form data) is read as JSON,
   * and a request the transcoder refuses before any RPC (malformed JSON, a path variable that does not fit) gets a
   * {@code google.rpc.Status} body saying why, like every other error.
   */
  private HttpResponse restRequest(HttpService delegate, ServiceRequestContext ctx, HttpRequest req)
      throws Exception {
    if (!ctx.path().startsWith("/v1/")) {
      return delegate.serve(ctx, req);
    }
    MediaType type = req.contentType();
    HttpRequest json = type != null && type.isJson() ? req
        : req.withHeaders(req.headers().toBuilder().contentType(MediaType.JSON_UTF_8).build());
    ctx.updateRequest(json);
    return guarded(delegate, ctx, json).recover(t -> {
      Throwable cause = t instanceof HttpStatusException h && h.getCause() != null ? h.getCause() : t;
      HttpStatus status = t instanceof HttpStatusException h ? h.httpStatus() : HttpStatus.INTERNAL_SERVER_ERROR;
      Status.Code code = status.code() == 400 ? Status.Code.INVALID_ARGUMENT
          : status.code() == 413 ? Status.Code.RESOURCE_EXHAUSTED : Status.Code.INTERNAL;
      String message = code == Status.Code.INTERNAL ? "internal error"
          : "the request is not valid JSON for this method: " + RestErrors.rootMessage(cause);
      return RestErrors.of(Status.fromCode(code).withDescription(message), null, RestErrors.enveloped(ctx.path()));
    });
  }

  /** Serves the request unless {@link BrowserGuard} refuses it (PERMISSION_DENIED, saying why). */
  private HttpResponse guarded(HttpService delegate, ServiceRequestContext ctx, HttpRequest req) throws Exception {
    String refused = browserGuard.refusal(req.headers());
    return refused != null ? RestErrors.of(Status.PERMISSION_DENIED.withDescription(refused), null,
        RestErrors.enveloped(ctx.path()))
        : delegate.serve(ctx, req);
  }

  private static HttpResponse noSuchMethod(HttpMethod method, String path) {
    return RestErrors.of(Status.NOT_FOUND.withDescription("no REST method is " + method + " " + path
        + " (the methods and their paths are the google.api.http options of the protos)"), null,
        RestErrors.enveloped(path));
  }

  /** Binds the port; a port that is taken is an IOException that says which setting to change. */
  public void start() throws IOException {
    try {
      server.start().join();
    } catch (CompletionException e) {
      String why = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : "";
      if (why.contains("in use")) {
        throw new IOException("http-port " + port + ": the address is in use (another server on that port?"
            + " --http-port 0 picks a free one, -1 turns the HTTP port off)", e.getCause());
      }
      throw new IOException("cannot listen on http-port " + port + ": " + why, e.getCause());
    }
    log.info("Console and REST API on {}://{}:{}/", server.activePort().hasHttps() ? "https" : "http",
        server.activePort().localAddress().getHostString(), port());
  }

  /** The port it listens on. */
  public int port() {
    return server.activeLocalPort();
  }

  @Override
  public void close() {
    server.stop().join();
  }
}
