package dev.nimbus.server.training.tfjs;

import java.util.List;

/**
 * One layer of a flattened Keras model graph.
 *
 * @param key unique name in the flattened graph: the Keras layer name, qualified with the enclosing nested
 *     model's name ("model/layer") only when two nested models use the same layer name
 * @param className Keras class, e.g. "Conv2D"
 * @param config the layer's config
 * @param inputs keys of the layers feeding this one, in order
 * @param scope names of the enclosing nested models, outermost first, joined by '/' ("" at top level); weights
 *     are looked up under it
 */
public record KerasLayer(String key, String className, LayerConfig config, List<String> inputs, String scope) {
  public KerasLayer {
    inputs = List.copyOf(inputs);
  }

  /** The Keras layer name (without nested-model qualification). */
  public String name() {
    return config.layer();
  }
}
