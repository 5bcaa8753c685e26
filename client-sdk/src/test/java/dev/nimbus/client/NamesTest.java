package dev.nimbus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NamesTest {

  @Test
  void dataset_acceptsAnIdOrAName() {
    assertThat(Names.dataset("clouds")).isEqualTo("datasets/clouds");
    assertThat(Names.dataset("datasets/clouds")).isEqualTo("datasets/clouds");
  }

  @Test
  void modelAndOperation_acceptAnIdOrAName() {
    assertThat(Names.model("flowers_v1")).isEqualTo("models/flowers_v1");
    assertThat(Names.model("models/flowers_v1")).isEqualTo("models/flowers_v1");
    assertThat(Names.operation("3f2a")).isEqualTo("operations/3f2a");
    assertThat(Names.operation("operations/3f2a")).isEqualTo("operations/3f2a");
  }

  @Test
  void dataset_blankOrWrongCollection_isRejected() {
    assertThatThrownBy(() -> Names.dataset("  "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dataset: '  ' (expected: an id like 'clouds' or a name like 'datasets/clouds')");
    assertThatThrownBy(() -> Names.dataset("datasets/"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Names.dataset("models/flowers"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("dataset: 'models/flowers'");
    assertThatThrownBy(() -> Names.model(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("model: '' (expected: an id like 'flowers_v1' or a name like 'models/flowers_v1')");
    assertThatThrownBy(() -> Names.operation(" "))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Names.dataset(null)).isInstanceOf(NullPointerException.class).hasMessage("dataset");
  }

  @Test
  void example_buildsAndChecksFullNames() {
    assertThat(Names.example("clouds", "ab12")).isEqualTo("datasets/clouds/examples/ab12");
    assertThat(Names.example("datasets/clouds/examples/ab12")).isEqualTo("datasets/clouds/examples/ab12");
    assertThatThrownBy(() -> Names.example("clouds", " ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Names.example("datasets/clouds/examples/"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Names.example("ab12")).isInstanceOf(IllegalArgumentException.class);
  }
}
