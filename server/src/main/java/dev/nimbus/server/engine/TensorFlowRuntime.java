package dev.nimbus.server.engine;

import ai.djl.engine.Engine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads the TensorFlow native libraries once per JVM, through DJL's TensorFlow engine, from a folder unpacked at
 * build time. TF-Java classes ({@code org.tensorflow.*}) must only be touched after {@link #ensureLoaded()}: before,
 * they fail with {@code UnsatisfiedLinkError: no jnitensorflow}.
 *
 * <p>The folder is {@code -Dnimbus.tensorflow.library.path}, else the environment variable
 * {@code TENSORFLOW_LIBRARY_PATH}. It must hold the three libraries of
 * {@code ai.djl.tensorflow:tensorflow-native-cu121:2.16.1:linux-x86_64} ({@code native/lib/**}). DJL's own
 * download is switched off ({@code ai.djl.offline=true}).
 */
public final class TensorFlowRuntime {
  public static final String LIBRARY_PATH_PROPERTY = "nimbus.tensorflow.library.path";
  public static final String LIBRARY_PATH_ENV = "TENSORFLOW_LIBRARY_PATH";
  static final List<String> REQUIRED_LIBRARIES =
      List.of("libjnitensorflow.so", "libtensorflow_cc.so.2", "libtensorflow_framework.so.2");
  private static final String HOW_TO_GET =
      "unpack native/lib/** of ai.djl.tensorflow:tensorflow-native-cu121:2.16.1:linux-x86_64 (the Maven build"
          + " does it into target/tensorflow-native/native/lib) and point -D"
          + LIBRARY_PATH_PROPERTY
          + " or the environment variable "
          + LIBRARY_PATH_ENV
          + " at that folder";

  private static Info loaded;
  private static TensorFlowUnavailableException failure;

  private TensorFlowRuntime() {}

  /** What was loaded, from where, and how long it took. */
  public record Info(Path libraryPath, String tensorflowVersion, Duration loadTime) {}

  /**
   * Loads the natives if that has not happened yet in this JVM; cheap afterwards.
   *
   * @throws TensorFlowUnavailableException when the folder is not configured, lacks a library, or loading fails
   *     (a failure is remembered: later calls throw the same exception)
   */
  public static synchronized Info ensureLoaded() {
    if (loaded != null) {
      return loaded;
    }
    if (failure != null) {
      throw failure;
    }
    try {
      loaded = load(locate());
      return loaded;
    } catch (TensorFlowUnavailableException e) {
      failure = e;
      throw e;
    }
  }

  /** True once the natives are loaded; never loads them. */
  public static synchronized boolean isLoaded() {
    return loaded != null;
  }

  /** The configured folder, validated, without loading anything. */
  public static Path locate() {
    String property = System.getProperty(LIBRARY_PATH_PROPERTY);
    String env = System.getenv(LIBRARY_PATH_ENV);
    String configured = notBlank(property) ? property : env;
    String source = notBlank(property) ? "-D" + LIBRARY_PATH_PROPERTY : LIBRARY_PATH_ENV;
    if (!notBlank(configured)) {
      throw new TensorFlowUnavailableException(
          "TensorFlow native libraries not configured: neither -D"
              + LIBRARY_PATH_PROPERTY
              + " nor "
              + LIBRARY_PATH_ENV
              + " is set; "
              + HOW_TO_GET);
    }
    Path dir = Path.of(configured).toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw new TensorFlowUnavailableException(
          "TensorFlow native libraries not found: " + source + "=" + dir + " is not a folder; " + HOW_TO_GET);
    }
    List<String> missing = new ArrayList<>();
    for (String lib : REQUIRED_LIBRARIES) {
      if (!Files.isRegularFile(dir.resolve(lib))) {
        missing.add(lib);
      }
    }
    if (!missing.isEmpty()) {
      throw new TensorFlowUnavailableException(
          "TensorFlow native libraries incomplete: "
              + source
              + "="
              + dir
              + " lacks "
              + String.join(", ", missing)
              + "; "
              + HOW_TO_GET);
    }
    // DJL reads the environment variable before the system property: a different folder in the environment
    // would silently win.
    if (notBlank(property) && notBlank(env) && !Path.of(env).toAbsolutePath().normalize().equals(dir)) {
      throw new TensorFlowUnavailableException(
          "Conflicting TensorFlow library folders: -D"
              + LIBRARY_PATH_PROPERTY
              + "="
              + dir
              + " but "
              + LIBRARY_PATH_ENV
              + "="
              + env
              + " (DJL would use the latter); unset one of them");
    }
    return dir;
  }

  private static Info load(Path dir) {
    System.setProperty(LIBRARY_PATH_ENV, dir.toString());
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    long start = System.nanoTime();
    try {
      Engine engine = Engine.getEngine("TensorFlow");
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      return new Info(dir, engine.getVersion(), took);
    } catch (RuntimeException | LinkageError e) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      throw new TensorFlowUnavailableException(
          "TensorFlow native libraries in "
              + dir
              + " failed to load ("
              + e
              + (root != e ? ", caused by " + root : "")
              + "); check that they come from tensorflow-native-cu121:2.16.1 (the version DJL 0.36.0 expects),"
              + " that the machine is linux-x86_64, and that no org.tensorflow class was used before"
              + " TensorFlowRuntime.ensureLoaded() (a failed early load cannot be retried in the same JVM)",
          e);
    }
  }

  private static boolean notBlank(String s) {
    return s != null && !s.isBlank();
  }

  public static int availableCores() {
    return Runtime.getRuntime().availableProcessors();
  }
}
