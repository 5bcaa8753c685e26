package dev.nimbus.server.http;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.nimbus.v1.DatasetServiceGrpc;
import dev.nimbus.v1.ReadExampleImageRequest;
import dev.nimbus.v1.ReadExampleImageResponse;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /v1/datasets/D/examples/E:image[?size=N]}: an example's image as bytes with its {@code Content-Type},
 * {@code ETag} and {@code Cache-Control}, for {@code <img src>} in the console and for curl. It is the
 * ReadExampleImage RPC (a server stream, which JSON transcoding cannot express), called through an in-process
 * channel to the same intercepted service with the caller's API key, so auth, limits, metrics and errors are the
 * RPC's own. {@code If-None-Match} with the current ETag answers 304 once the RPC has found the image.
 */
final class ExampleImageService implements HttpService {
  static final Pattern PATH = Pattern.compile("^/v1/(datasets/[^/]+/examples/[^/:]+):image$");
  private static final Metadata.Key<String> API_KEY = Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String CACHE_CONTROL = "private, max-age=86400";

  private final Channel channel;

  ExampleImageService(Channel channel) {
    this.channel = channel;
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    Matcher m = PATH.matcher(ctx.path());
    if (!m.matches()) {
      return HttpResponse.of(HttpStatus.NOT_FOUND);
    }
    QueryParams query = ctx.queryParams();
    int size;
    try {
      size = Integer.parseInt(query.get("size", "0"));
    } catch (NumberFormatException e) {
      return RestErrors.of(Status.INVALID_ARGUMENT.withDescription("size: '" + query.get("size")
          + "' (expected: a whole number of pixels)"), null);
    }
    Metadata headers = new Metadata();
    String key = req.headers().get("x-api-key");
    if (key != null) {
      headers.put(API_KEY, key);
    }
    String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (auth != null) {
      headers.put(AUTHORIZATION, auth);
    }
    String ifNoneMatch = req.headers().get(HttpHeaderNames.IF_NONE_MATCH);
    CompletableFuture<HttpResponse> done = new CompletableFuture<>();
    Channel withKey = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
    ClientCall<ReadExampleImageRequest, ReadExampleImageResponse> call = withKey.newCall(
        DatasetServiceGrpc.getReadExampleImageMethod(), CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS));
    ReadExampleImageRequest request = ReadExampleImageRequest.newBuilder().setName(m.group(1))
        .setThumbnailSize(size).build();
    // The image is gathered, then sent: at most max-image-bytes per request, and previews are a few KB.
    ClientCalls.asyncServerStreamingCall(call, request, new StreamObserver<>() {
      private ResponseHeaders head;
      private ByteArrayOutputStream body;

      @Override
      public void onNext(ReadExampleImageResponse chunk) {
        if (head == null) {
          String etag = "\"" + chunk.getEtag() + "\"";
          if (etag.equals(ifNoneMatch)) {
            done.complete(HttpResponse.of(ResponseHeaders.builder(HttpStatus.NOT_MODIFIED)
                .set(HttpHeaderNames.ETAG, etag).set(HttpHeaderNames.CACHE_CONTROL, CACHE_CONTROL).build()));
            call.cancel("not modified", null);
            return;
          }
          head = ResponseHeaders.builder(HttpStatus.OK)
              .contentType(MediaType.parse(chunk.getMimeType()))
              .set(HttpHeaderNames.ETAG, etag)
              .set(HttpHeaderNames.CACHE_CONTROL, CACHE_CONTROL)
              .set("x-content-type-options", "nosniff")
              .build();
          body = new ByteArrayOutputStream((int) Math.min(chunk.getSizeBytes(), Integer.MAX_VALUE - 8));
        }
        try {
          chunk.getData().writeTo(body);
        } catch (IOException e) {
          throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
      }

      @Override
      public void onError(Throwable t) {
        if (done.isDone()) {
          return; // cancelled after a 304
        }
        com.google.rpc.Status rpc = StatusProto.fromThrowable(t);
        done.complete(rpc != null ? RestErrors.of(rpc) : RestErrors.of(Status.fromThrowable(t), null));
      }

      @Override
      public void onCompleted() {
        done.complete(HttpResponse.of(head, HttpData.wrap(body.toByteArray())));
      }
    });
    return HttpResponse.of(done);
  }
}