package dev.nimbus.server.http;

import com.linecorp.armeria.common.RequestHeaders;
import java.net.URI;
import java.util.Locale;
import java.util.Set;

/**
 * Keeps other web pages from using the REST API through a visitor's browser. A loopback server without API keys
 * trusts whoever reaches it, and a page on any site can make the browser send a simple POST to 127.0.0.1 (no CORS
 * preflight) or, by DNS rebinding, name its own host for the same address. So: a request whose {@code Origin} is
 * not the server's own host and port is refused (the console is same-origin; curl and SDKs send no Origin), and
 * a loopback-only server answers only to a loopback {@code Host} name.
 */
final class BrowserGuard {
  private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

  private final boolean loopbackOnly;

  BrowserGuard(boolean loopbackOnly) {
    this.loopbackOnly = loopbackOnly;
  }

  /** Why the request is refused, or null. */
  String refusal(RequestHeaders headers) {
    String host = headers.authority();
    if (host == null) {
      return "the request names no host";
    }
    if (loopbackOnly && !LOOPBACK_NAMES.contains(hostName(host))) {
      return "this server listens on loopback only and answers to localhost or 127.0.0.1, not '" + host + "'";
    }
    String origin = headers.get("origin");
    if (origin != null && !origin.equals("null")) {
      try {
        URI o = URI.create(origin);
        String originHost = o.getPort() < 0 ? o.getHost() : o.getHost() + ":" + o.getPort();
        if (o.getHost() == null || !sameHostAndPort(originHost, host, o.getScheme())) {
          return "requests from other web pages (origin " + origin + ") are refused; the console is at " + host;
        }
      } catch (IllegalArgumentException e) {
        return "the Origin header is not a URL";
      }
    } else if (origin != null) {
      return "requests from sandboxed or file pages (origin null) are refused";
    }
    return null;
  }

  private static boolean sameHostAndPort(String originHost, String host, String scheme) {
    String a = withPort(originHost.toLowerCase(Locale.ROOT), scheme);
    String b = withPort(host.toLowerCase(Locale.ROOT), scheme);
    return a.equals(b);
  }

  private static String withPort(String hostPort, String scheme) {
    boolean bracketed = hostPort.startsWith("[");
    int colon = hostPort.lastIndexOf(':');
    boolean hasPort = bracketed ? hostPort.indexOf("]:") > 0 : colon > 0;
    return hasPort ? hostPort : hostPort + ("https".equalsIgnoreCase(scheme) ? ":443" : ":80");
  }

  private static String hostName(String hostPort) {
    String h = hostPort.toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end > 0 ? h.substring(0, end + 1) : h;
    }
    int colon = h.lastIndexOf(':');
    return colon > 0 ? h.substring(0, colon) : h;
  }
}
