package dev.nimbus.server.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nimbus.server.error.ApiException;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ListQueriesTest {
  @Test
  void pageSize_defaultsCapsAndRefusesNegative() {
    assertThat(ListQueries.pageSize(0)).isEqualTo(50);
    assertThat(ListQueries.pageSize(7)).isEqualTo(7);
    assertThat(ListQueries.pageSize(1_000_000)).isEqualTo(1000);
    assertThatThrownBy(() -> ListQueries.pageSize(-1)).isInstanceOf(ApiException.class).hasMessageContaining(">= 0");
  }

  @Test
  void tokens_roundTrip_andAreBoundToTheirQuery() {
    String t = ListQueries.token("scope-a", "key|with|bars");
    assertThat(ListQueries.resumeKey("scope-a", t)).isEqualTo("key|with|bars");
    assertThat(ListQueries.resumeKey("scope-a", "")).isEmpty();
    assertThatThrownBy(() -> ListQueries.resumeKey("scope-b", t)).isInstanceOf(ApiException.class);
    assertThatThrownBy(() -> ListQueries.resumeKey("scope-a", "%%%")).isInstanceOf(ApiException.class);
  }

  @Test
  void filter_termsJoinedByAnd_bareOrQuoted() {
    assertThat(ListQueries.filter("label = \"a b\\\"c\" AND ml_use=TEST", Set.of("label", "ml_use")))
        .containsEntry("label", "a b\"c").containsEntry("ml_use", "TEST");
    assertThat(ListQueries.filter("  ", Set.of("label"))).isEmpty();
    assertThatThrownBy(() -> ListQueries.filter("label = a OR label = b", Set.of("label")))
        .hasMessageContaining("cannot read");
    assertThatThrownBy(() -> ListQueries.filter("label != a", Set.of("label"))).hasMessageContaining("cannot read");
  }
}
