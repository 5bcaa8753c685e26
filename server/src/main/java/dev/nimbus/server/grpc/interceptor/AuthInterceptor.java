package dev.nimbus.server.grpc.interceptor;

import com.google.rpc.Code;
import dev.nimbus.api.Idempotency;
import dev.nimbus.server.config.ServerConfig.Role;
import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.grpc.StatusMapping;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Set;

/**
 * API keys: {@code x-api-key: KEY}, {@code x-goog-api-key: KEY} (where Google's client libraries put one) or
 * {@code authorization: Bearer KEY} (where they put an OAuth token). Without a valid key a call is
 * UNAUTHENTICATED; a READER key calling a method that changes something (one its proto does not declare
 * {@code NO_SIDE_EFFECTS}, see {@link Idempotency}) is PERMISSION_DENIED. Health checks and
 * reflection stay open so that load balancers and generic tools work. The caller's role travels in the Context.
 */
public final class AuthInterceptor implements ServerInterceptor {
  public static final Metadata.Key<String> API_KEY = Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);
  /** Where Google's client libraries send an API key. */
  public static final Metadata.Key<String> GOOG_API_KEY =
      Metadata.Key.of("x-goog-api-key", Metadata.ASCII_STRING_MARSHALLER);
  public static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  public static final Context.Key<Role> ROLE = Context.key("nimbus-role");

  private final Map<String, Role> keys;
  private final Set<String> alsoReadOnly;

  /**
   * @param alsoReadOnly methods of services whose protos declare no levels (Cloud AutoML's) that only read, as
   *     {@code service/method}
   */
  public AuthInterceptor(Map<String, Role> keys, Set<String> alsoReadOnly) {
    this.keys = Map.copyOf(keys);
    this.alsoReadOnly = Set.copyOf(alsoReadOnly);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    String service = call.getMethodDescriptor().getServiceName();
    if (service != null && (service.startsWith("grpc.health.") || service.startsWith("grpc.reflection."))) {
      return next.startCall(call, headers);
    }
    String key = headers.get(API_KEY);
    if (key == null) {
      key = headers.get(GOOG_API_KEY);
    }
    if (key == null) {
      String auth = headers.get(AUTHORIZATION);
      if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
        key = auth.substring(7).strip();
      }
    }
    if (key == null) {
      return refuse(call, ApiException.of(Code.UNAUTHENTICATED, "API_KEY_MISSING", "this server needs an API key:"
          + " send it in the x-api-key header (nimbus --api-key, or NimbusClient.builder().apiKey(...)); Google's"
          + " clients' x-goog-api-key and Authorization: Bearer work too"));
    }
    Role role = lookup(key);
    if (role == null) {
      return refuse(call, ApiException.of(Code.UNAUTHENTICATED, "API_KEY_INVALID",
          "the API key is not valid on this server"));
    }
    String method = call.getMethodDescriptor().getFullMethodName();
    if (role == Role.READER && !Idempotency.isReadOnly(method) && !alsoReadOnly.contains(method)) {
      return refuse(call, ApiException.of(Code.PERMISSION_DENIED, "ROLE_NOT_ALLOWED", "the API key has role reader,"
          + " which may not call " + call.getMethodDescriptor().getBareMethodName() + " (it changes something and"
          + " needs role admin)"));
    }
    return Contexts.interceptCall(Context.current().withValue(ROLE, role), call, headers, next);
  }

  private static <Q> ServerCall.Listener<Q> refuse(ServerCall<Q, ?> call, ApiException why) {
    StatusRuntimeException s = StatusMapping.toStatus(why);
    call.close(s.getStatus(), s.getTrailers());
    return new ServerCall.Listener<>() {};
  }

  /** Compares against every key in constant time, so timing does not reveal how much of a key was right. */
  private Role lookup(String key) {
    byte[] given = key.getBytes(StandardCharsets.UTF_8);
    Role found = null;
    for (Map.Entry<String, Role> e : keys.entrySet()) {
      if (MessageDigest.isEqual(given, e.getKey().getBytes(StandardCharsets.UTF_8))) {
        found = e.getValue();
      }
    }
    return found;
  }
}
