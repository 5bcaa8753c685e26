package dev.nimbus.server.http;

import com.google.protobuf.Any;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.RetryInfo;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import com.linecorp.armeria.common.logging.RequestLogProperty;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.grpc.UnframedGrpcErrorHandler;
import io.grpc.Status;
import java.util.Base64;

/**
 * REST errors: the body is the {@code google.rpc.Status} the gRPC call ended with, as JSON (code, message and every
 * detail: ErrorInfo, BadRequest, RetryInfo...), the HTTP status is the code's ({@link HttpStatuses}), and a
 * RetryInfo becomes a {@code Retry-After} header, so a plain HTTP client backs off as a gRPC one does. On Cloud
 * AutoML's paths the same status comes in Google's error envelope ({@link #enveloped}).
 */
final class RestErrors implements UnframedGrpcErrorHandler {
  private static final String DETAILS_HEADER = "grpc-status-details-bin";

  @Override
  public HttpResponse handle(ServiceRequestContext ctx, Status status, AggregatedHttpResponse response) {
    HttpHeaders trailers = !response.trailers().isEmpty() ? response.trailers() : response.headers();
    if (status.getDescription() == null && status.getCause() == null && ctx.log().isAvailable(
        RequestLogProperty.RESPONSE_CAUSE) && ctx.log().partial().responseCause() != null) {
      status = status.withCause(ctx.log().partial().responseCause());
    }
    return of(status, trailers.get(DETAILS_HEADER), enveloped(ctx.path()));
  }

  /**
   * Whether errors on {@code path} take Google's JSON error envelope ({@code {"error": {"code": 404, "message":
   * ..., "status": "NOT_FOUND", "details": [...]}}}): Cloud AutoML's paths do, since Google's client libraries
   * read the message and details from there. Nimbus's own paths keep the plain {@code google.rpc.Status}.
   */
  static boolean enveloped(String path) {
    return path.startsWith("/v1/projects/");
  }

  /** The innermost message of a chain: JSON parsers wrap the useful one ("Cannot find field: x") in generic ones. */
  static String rootMessage(Throwable t) {
    String message = t.getMessage();
    for (Throwable c = t.getCause(); c != null && c != t; t = c, c = c.getCause()) {
      if (c.getMessage() != null) {
        message = c.getMessage();
      }
    }
    return message;
  }

  /** The response for a call that ended with {@code status}; {@code detailsBin}: its status details, or null. */
  static HttpResponse of(Status status, String detailsBin) {
    return of(status, detailsBin, false);
  }

  static HttpResponse of(Status status, String detailsBin, boolean envelope) {
    com.google.rpc.Status rpc = null;
    if (detailsBin != null && !detailsBin.isEmpty()) {
      try {
        rpc = com.google.rpc.Status.parseFrom(Base64.getDecoder().decode(pad(detailsBin)));
      } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
        rpc = null; // fall back to the code and description
      }
    }
    if (rpc == null) {
      String message = status.getDescription();
      if (message == null && status.getCause() != null && status.getCode() == Status.Code.INVALID_ARGUMENT) {
        // The transcoder could not turn the JSON into the request message: the parser says what was wrong.
        message = "the request is not valid JSON for this method: " + rootMessage(status.getCause());
      }
      rpc = com.google.rpc.Status.newBuilder().setCode(status.getCode().value())
          .setMessage(message == null ? status.getCode().name() : message).build();
    }
    return of(rpc, envelope);
  }

  static HttpResponse of(com.google.rpc.Status rpc) {
    return of(rpc, false);
  }

  static HttpResponse of(com.google.rpc.Status rpc, boolean envelope) {
    HttpStatus http = HttpStatuses.of(Status.fromCodeValue(rpc.getCode()).getCode());
    ResponseHeadersBuilder headers = ResponseHeaders.builder(http).contentType(MediaType.JSON_UTF_8);
    for (Any detail : rpc.getDetailsList()) {
      if (detail.is(RetryInfo.class)) {
        try {
          RetryInfo retry = detail.unpack(RetryInfo.class);
          long seconds = retry.getRetryDelay().getSeconds() + (retry.getRetryDelay().getNanos() > 0 ? 1 : 0);
          headers.set("retry-after", Long.toString(Math.max(1, seconds)));
        } catch (InvalidProtocolBufferException e) {
          // a malformed detail gives no hint; the status still says what happened
        }
      }
    }
    String body = ProtoJson.print(rpc);
    if (envelope) {
      JsonObject status = JsonParser.parseString(body).getAsJsonObject();
      JsonObject error = new JsonObject();
      error.addProperty("code", http.code());
      error.addProperty("message", rpc.getMessage());
      error.addProperty("status", Status.fromCodeValue(rpc.getCode()).getCode().name());
      if (status.has("details")) {
        error.add("details", status.get("details"));
      }
      JsonObject wrapped = new JsonObject();
      wrapped.add("error", error);
      body = wrapped.toString();
    }
    return HttpResponse.of(headers.build(), HttpData.ofUtf8(body));
  }

  /** gRPC sends binary headers unpadded; the JDK decoder wants padding. */
  private static String pad(String base64) {
    int rem = base64.length() % 4;
    return rem == 0 ? base64 : base64 + "=".repeat(4 - rem);
  }
}
