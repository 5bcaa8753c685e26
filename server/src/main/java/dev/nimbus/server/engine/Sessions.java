package dev.nimbus.server.engine;

import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;

/**
 * TF-Java sessions, made after the natives are loaded. Kept apart from {@link TensorFlowRuntime}, which must not
 * mention a TensorFlow class before it has loaded the natives.
 */
public final class Sessions {
  private Sessions() {}

  /**
   * A session on {@code graph}. Only the inter-op pool can be set per session here: the intra-op pool is the
   * process's, fixed when the engine loads ({@code -Dai.djl.tensorflow.num_intraop_threads}).
   */
  public static Session newSession(Graph graph, int interOpThreads) {
    if (interOpThreads < 0) {
      throw new IllegalArgumentException("interOpThreads: %s (expected: >= 0)".formatted(interOpThreads));
    }
    TensorFlowRuntime.ensureLoaded();
    ConfigProto config = ConfigProto.newBuilder()
        .setInterOpParallelismThreads(interOpThreads)
        .setUsePerSessionThreads(interOpThreads > 0)
        .build();
    return new Session(graph, config);
  }
}
