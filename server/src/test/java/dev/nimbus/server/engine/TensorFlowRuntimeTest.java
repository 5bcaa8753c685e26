package dev.nimbus.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorFlowRuntimeTest {
  @TempDir Path tmp;
  private final String saved = System.getProperty(TensorFlowRuntime.LIBRARY_PATH_PROPERTY);

  @AfterEach
  void restore() {
    if (saved == null) {
      System.clearProperty(TensorFlowRuntime.LIBRARY_PATH_PROPERTY);
    } else {
      System.setProperty(TensorFlowRuntime.LIBRARY_PATH_PROPERTY, saved);
    }
  }

  @Test
  void locate_missingFolder_saysHowToGetTheNatives() {
    System.setProperty(TensorFlowRuntime.LIBRARY_PATH_PROPERTY, tmp.resolve("nope").toString());

    assertThatThrownBy(TensorFlowRuntime::locate)
        .isInstanceOf(TensorFlowUnavailableException.class)
        .hasMessageContaining("is not a folder")
        .hasMessageContaining("tensorflow-native-cu121:2.16.1:linux-x86_64");
  }

  @Test
  void locate_incompleteFolder_namesMissingLibraries() throws IOException {
    Files.createFile(tmp.resolve("libjnitensorflow.so"));
    System.setProperty(TensorFlowRuntime.LIBRARY_PATH_PROPERTY, tmp.toString());

    assertThatThrownBy(TensorFlowRuntime::locate)
        .isInstanceOf(TensorFlowUnavailableException.class)
        .hasMessageContaining("lacks libtensorflow_cc.so.2, libtensorflow_framework.so.2");
  }

  @Test
  void ensureLoaded_withTheBuildsNatives_loadsOnce() {
    TensorFlowRuntime.Info first = TensorFlowRuntime.ensureLoaded();

    assertThat(first.tensorflowVersion()).isEqualTo("2.16.1");
    assertThat(TensorFlowRuntime.ensureLoaded()).isSameAs(first);
    assertThat(TensorFlowRuntime.isLoaded()).isTrue();
  }
}
