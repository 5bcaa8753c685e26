package dev.nimbus.server.training.backbone;

import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.op.Ops;

/** Name scopes that stay unique even when several {@link Ops} instances write to one graph. */
final class GraphScopes {
  private GraphScopes() {}

  /** {@code tf} in a new sub-scope named {@code base}, or base_1, base_2... if ops already use that name. */
  static Ops uniqueSubScope(Ops tf, String base) {
    if (!(tf.scope().env() instanceof Graph graph)) {
      return tf.withSubScope(base);
    }
    Set<String> used = new HashSet<>();
    for (Iterator<GraphOperation> it = graph.operations(); it.hasNext(); ) {
      for (String part : it.next().name().split("/")) {
        used.add(part);
      }
    }
    String name = base;
    for (int i = 1; used.contains(name); i++) {
      name = base + "_" + i;
    }
    return tf.withSubScope(name);
  }
}
