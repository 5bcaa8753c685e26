package dev.nimbus.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.RequestHeaders;
import org.junit.jupiter.api.Test;

/** Other web pages may not drive the REST API through a visitor's browser. */
class BrowserGuardTest {
  private static RequestHeaders request(String host, String origin) {
    RequestHeaders h = RequestHeaders.builder(HttpMethod.POST, "/v1/datasets").authority(host).build();
    return origin == null ? h : h.toBuilder().set("origin", origin).build();
  }

  @Test
  void theConsoleItself_andClientsWithoutOrigin_pass() {
    BrowserGuard guard = new BrowserGuard(true);
    assertThat(guard.refusal(request("127.0.0.1:8471", null))).isNull();
    assertThat(guard.refusal(request("localhost:8471", "http://localhost:8471"))).isNull();
    assertThat(guard.refusal(request("[::1]:8471", "http://[::1]:8471"))).isNull();
    assertThat(guard.refusal(request("localhost", "http://localhost:80"))).isNull();
  }

  @Test
  void anotherOrigin_isRefused() {
    BrowserGuard guard = new BrowserGuard(true);
    assertThat(guard.refusal(request("127.0.0.1:8471", "https://evil.example"))).contains("other web pages");
    assertThat(guard.refusal(request("127.0.0.1:8471", "http://127.0.0.1:9999"))).contains("other web pages");
    assertThat(guard.refusal(request("127.0.0.1:8471", "null"))).contains("origin null");
  }

  @Test
  void aRebindingHostName_isRefusedByALoopbackServer_butNotByOneServingTheNetwork() {
    assertThat(new BrowserGuard(true).refusal(request("evil.example:8471", "http://evil.example:8471")))
        .contains("loopback only");
    assertThat(new BrowserGuard(false).refusal(request("nimbus.internal:8471", "http://nimbus.internal:8471")))
        .isNull();
  }
}
