package dev.nimbus.server.training.tfjs;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.nimbus.server.engine.ModelFormatException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The topology of a Keras / TF.js layers model, flattened into one graph of layers.
 *
 * <p>Reads {@code modelTopology.model_config} (Keras JSON as tfjs-converter writes it) or a {@code modelTopology}
 * that is itself the {class_name, config} object (as TF.js {@code model.save()} and Teachable Machine write it).
 * Functional ("Model", "Functional") and Sequential models are supported, in Keras 2 form (config is a list of
 * layers, or {name, layers}) and with nested models: a nested model's layers join the outer graph, its input layer
 * replaced by the tensor that feeds it. Single-input models only; shared layers (one layer called twice) are not
 * supported.
 */
public final class KerasModel {
  private static final Set<String> MODEL_CLASSES = Set.of("Model", "Functional", "Sequential");

  private final String name;
  private final Map<String, KerasLayer> layers;
  private final String input;
  private final List<String> outputs;
  private final Map<String, List<String>> consumers;
  private final Map<String, int[]> shapes = new HashMap<>();

  private KerasModel(String name, Map<String, KerasLayer> layers, String input, List<String> outputs) {
    this.name = name;
    this.layers = Collections.unmodifiableMap(layers);
    this.input = input;
    this.outputs = List.copyOf(outputs);
    Map<String, List<String>> c = new HashMap<>();
    for (KerasLayer l : layers.values()) {
      for (String in : l.inputs()) {
        c.computeIfAbsent(in, k -> new ArrayList<>()).add(l.key());
      }
    }
    this.consumers = c;
  }

  /** Parses the {@code modelTopology} object of a TF.js model.json. */
  public static KerasModel parse(JsonObject modelTopology) {
    JsonObject model;
    if (modelTopology.has("model_config")) {
      model = modelTopology.getAsJsonObject("model_config");
    } else if (modelTopology.has("class_name") && modelTopology.has("config")) {
      model = modelTopology;
    } else if (modelTopology.has("node") || modelTopology.has("versions")) {
      throw new ModelFormatException(
          "this is a TF.js graph model (a GraphDef), not a layers model; only layers models can be imported");
    } else {
      throw new ModelFormatException("modelTopology has neither 'model_config' nor 'class_name'/'config'");
    }
    Flattener f = new Flattener();
    String className = model.get("class_name").getAsString();
    if (!MODEL_CLASSES.contains(className)) {
      throw new ModelFormatException("top-level class_name is '" + className + "', expected Model or Sequential");
    }
    List<String> outs = f.model(model, "", null);
    if (f.input == null) {
      throw new ModelFormatException("model has no input layer");
    }
    return new KerasModel(modelName(model), f.layers, f.input, outs);
  }

  public String name() {
    return name;
  }

  /** All layers in an order where every layer comes after its inputs. */
  public Map<String, KerasLayer> layers() {
    return layers;
  }

  public KerasLayer inputLayer() {
    return layers.get(input);
  }

  /** Keys of the model's outputs. */
  public List<String> outputs() {
    return outputs;
  }

  /** Keys of the layers that read the given layer's output. */
  public List<String> consumers(String key) {
    return consumers.getOrDefault(key, List.of());
  }

  /** Input shape without the batch dimension, e.g. [224, 224, 3]; -1 where unknown. */
  public int[] inputShape() {
    return shape(input);
  }

  /**
   * Finds a layer by Keras name, or by "nestedModel/layer" when a name occurs in several nested models.
   *
   * @throws ModelFormatException naming the candidates when there is no or more than one match
   */
  public KerasLayer layer(String name) {
    KerasLayer exact = layers.get(name);
    if (exact != null) {
      return exact;
    }
    List<KerasLayer> matches = new ArrayList<>();
    for (KerasLayer l : layers.values()) {
      String qualified = l.scope().isEmpty() ? l.name() : l.scope() + "/" + l.name();
      if (l.name().equals(name) || qualified.equals(name) || qualified.endsWith("/" + name)) {
        matches.add(l);
      }
    }
    if (matches.size() == 1) {
      return matches.get(0);
    }
    if (matches.isEmpty()) {
      List<String> names = new ArrayList<>(layers.keySet());
      String list = names.size() <= 40 ? names.toString() : names.subList(names.size() - 40, names.size()) + " (last 40)";
      throw new ModelFormatException("model '" + this.name + "' has no layer named '" + name + "'; layers: " + list);
    }
    List<String> keys = matches.stream().map(KerasLayer::key).toList();
    throw new ModelFormatException("layer name '" + name + "' is ambiguous, qualify it: " + keys);
  }

  /** Output shape of a layer without the batch dimension; -1 where unknown. */
  public synchronized int[] shape(String key) {
    int[] known = shapes.get(key);
    if (known != null) {
      return known.clone();
    }
    // Iterative in topological order, so deep models cannot overflow the stack.
    for (KerasLayer l : ancestorsAndSelf(key)) {
      if (!shapes.containsKey(l.key())) {
        List<int[]> ins = new ArrayList<>();
        for (String in : l.inputs()) {
          ins.add(shapes.get(in));
        }
        shapes.put(l.key(), KerasShapes.infer(l, ins));
      }
    }
    return shapes.get(key).clone();
  }

  /** The given layers and everything they depend on, in topological order. */
  public List<KerasLayer> ancestorsAndSelf(String... keys) {
    Set<String> needed = new HashSet<>();
    List<String> stack = new ArrayList<>(Arrays.asList(keys));
    while (!stack.isEmpty()) {
      String k = stack.remove(stack.size() - 1);
      KerasLayer l = layers.get(k);
      if (l == null) {
        throw new ModelFormatException("no layer with key '" + k + "'");
      }
      if (needed.add(k)) {
        stack.addAll(l.inputs());
      }
    }
    List<KerasLayer> ordered = new ArrayList<>();
    for (KerasLayer l : layers.values()) {
      if (needed.contains(l.key())) {
        ordered.add(l);
      }
    }
    return ordered;
  }

  private static String modelName(JsonObject model) {
    if (model.has("name") && !model.get("name").isJsonNull()) {
      return model.get("name").getAsString();
    }
    JsonElement cfg = model.get("config");
    if (cfg != null && cfg.isJsonObject() && cfg.getAsJsonObject().has("name")) {
      return cfg.getAsJsonObject().get("name").getAsString();
    }
    return model.get("class_name").getAsString().toLowerCase();
  }

  private static String layerName(JsonObject layer) {
    if (layer.has("name") && !layer.get("name").isJsonNull()) {
      return layer.get("name").getAsString();
    }
    JsonObject cfg = layer.getAsJsonObject("config");
    if (cfg != null && cfg.has("name")) {
      return cfg.get("name").getAsString();
    }
    throw new ModelFormatException("a layer of class " + layer.get("class_name") + " has no name");
  }

  /** Walks (nested) model configs and appends their layers to one graph. */
  private static final class Flattener {
    final Map<String, KerasLayer> layers = new LinkedHashMap<>();
    String input;

    /** Adds the model's layers; returns the keys of its outputs. {@code boundInput} feeds a nested model. */
    List<String> model(JsonObject model, String scope, String boundInput) {
      String className = model.get("class_name").getAsString();
      JsonElement config = model.get("config");
      if (className.equals("Sequential")) {
        JsonArray list = config.isJsonArray() ? config.getAsJsonArray() : config.getAsJsonObject().getAsJsonArray("layers");
        return List.of(sequential(list, scope, boundInput));
      }
      return functional(config.getAsJsonObject(), scope, boundInput);
    }

    private String sequential(JsonArray list, String scope, String boundInput) {
      String prev = boundInput;
      for (JsonElement e : list) {
        JsonObject layer = e.getAsJsonObject();
        String cls = layer.get("class_name").getAsString();
        String name = layerName(layer);
        if (cls.equals("InputLayer")) {
          if (prev == null) {
            prev = addInput(name, layer.getAsJsonObject("config"), scope);
          }
          continue;
        }
        if (MODEL_CLASSES.contains(cls)) {
          prev = single(model(layer, join(scope, name), prev), name);
          continue;
        }
        if (prev == null) {
          // Keras 2 Sequential without an InputLayer: the first layer carries batch_input_shape.
          JsonObject cfg = layer.getAsJsonObject("config");
          if (cfg == null || !(cfg.has("batch_input_shape") || cfg.has("batch_shape"))) {
            throw new ModelFormatException(
                "Sequential model's first layer '" + name + "' has no batch_input_shape, so the input shape is unknown");
          }
          prev = addInput(name + "_input", cfg, scope);
        }
        prev = add(name, cls, layer.getAsJsonObject("config"), List.of(prev), scope);
      }
      if (prev == null) {
        throw new ModelFormatException("empty Sequential model in scope '" + scope + "'");
      }
      return prev;
    }

    private List<String> functional(JsonObject config, String scope, String boundInput) {
      JsonArray inputLayers = config.getAsJsonArray("input_layers");
      if (inputLayers != null && inputLayers.size() != 1 && !isSingleRef(inputLayers)) {
        throw new ModelFormatException("models with " + inputLayers.size() + " inputs are not supported (scope '" + scope + "')");
      }
      Map<String, List<String>> outputsOf = new HashMap<>();
      List<JsonObject> pending = new ArrayList<>();
      config.getAsJsonArray("layers").forEach(e -> pending.add(e.getAsJsonObject()));
      while (!pending.isEmpty()) {
        boolean progress = false;
        for (var it = pending.iterator(); it.hasNext(); ) {
          JsonObject layer = it.next();
          List<Ref> refs = inbound(layer);
          if (!refs.stream().allMatch(r -> outputsOf.containsKey(r.layer))) {
            continue;
          }
          it.remove();
          progress = true;
          String name = layerName(layer);
          String cls = layer.get("class_name").getAsString();
          List<String> ins = new ArrayList<>();
          for (Ref r : refs) {
            List<String> outs = outputsOf.get(r.layer);
            if (r.tensor >= outs.size()) {
              throw new ModelFormatException("layer '" + name + "' reads output " + r.tensor + " of '" + r.layer + "', which has " + outs.size());
            }
            ins.add(outs.get(r.tensor));
          }
          if (cls.equals("InputLayer")) {
            outputsOf.put(name, List.of(boundInput != null ? boundInput : addInput(name, layer.getAsJsonObject("config"), scope)));
          } else if (MODEL_CLASSES.contains(cls)) {
            outputsOf.put(name, model(layer, join(scope, name), single(ins, name)));
          } else {
            outputsOf.put(name, List.of(add(name, cls, layer.getAsJsonObject("config"), ins, scope)));
          }
        }
        if (!progress) {
          List<String> stuck = pending.stream().map(KerasModel::layerName).toList();
          throw new ModelFormatException("cannot resolve the inputs of layers " + stuck + " (scope '" + scope + "')");
        }
      }
      List<String> outs = new ArrayList<>();
      for (Ref r : refs(config.getAsJsonArray("output_layers"))) {
        List<String> o = outputsOf.get(r.layer);
        if (o == null) {
          throw new ModelFormatException("output layer '" + r.layer + "' is not a layer of the model");
        }
        outs.add(o.get(r.tensor));
      }
      return outs;
    }

    private String addInput(String name, JsonObject config, String scope) {
      if (input != null) {
        throw new ModelFormatException("models with several inputs are not supported: '" + name + "' is a second input");
      }
      input = add(name, "InputLayer", config, List.of(), scope);
      return input;
    }

    private String add(String name, String cls, JsonObject config, List<String> inputs, String scope) {
      String key = name;
      if (layers.containsKey(key)) {
        key = join(scope, name);
        if (layers.containsKey(key)) {
          throw new ModelFormatException("two layers are named '" + key + "'");
        }
      }
      layers.put(key, new KerasLayer(key, cls, new LayerConfig(name, cls, config), inputs, scope));
      return key;
    }

    private static String single(List<String> keys, String layer) {
      if (keys.size() != 1) {
        throw new ModelFormatException("nested model '" + layer + "' must have exactly one input and output, has " + keys.size());
      }
      return keys.get(0);
    }

    private static String join(String scope, String name) {
      return scope.isEmpty() ? name : scope + "/" + name;
    }

    private record Ref(String layer, int tensor) {}

    /** Inbound references of a functional-model layer, in Keras 2 or Keras 3 form. */
    private static List<Ref> inbound(JsonObject layer) {
      JsonArray nodes = layer.getAsJsonArray("inbound_nodes");
      if (nodes == null || nodes.isEmpty()) {
        return List.of();
      }
      if (nodes.size() > 1) {
        throw new ModelFormatException("layer '" + layerName(layer) + "' is called " + nodes.size() + " times; shared layers are not supported");
      }
      JsonElement node = nodes.get(0);
      if (node.isJsonArray()) {
        return refs(node.getAsJsonArray()); // Keras 2: [[name, nodeIndex, tensorIndex, kwargs], ...]
      }
      List<Ref> out = new ArrayList<>(); // Keras 3: {args: [...keras tensors...], kwargs}
      collectKerasHistory(node.getAsJsonObject().get("args"), out);
      return out;
    }

    private static void collectKerasHistory(JsonElement e, List<Ref> out) {
      if (e == null || e.isJsonNull() || e.isJsonPrimitive()) {
        return;
      }
      if (e.isJsonArray()) {
        e.getAsJsonArray().forEach(x -> collectKerasHistory(x, out));
        return;
      }
      JsonObject o = e.getAsJsonObject();
      if (o.has("keras_history")) {
        JsonArray h = o.getAsJsonArray("keras_history");
        out.add(new Ref(h.get(0).getAsString(), h.get(2).getAsInt()));
        return;
      }
      if (o.has("config")) {
        collectKerasHistory(o.get("config"), out);
      }
    }

    private static boolean isSingleRef(JsonArray a) {
      return a.size() == 3 && a.get(0).isJsonPrimitive();
    }

    /** [[name, nodeIndex, tensorIndex(, kwargs)], ...] or a single [name, nodeIndex, tensorIndex]. */
    private static List<Ref> refs(JsonArray a) {
      if (a == null) {
        return List.of();
      }
      if (isSingleRef(a)) {
        return List.of(new Ref(a.get(0).getAsString(), a.get(2).getAsInt()));
      }
      List<Ref> out = new ArrayList<>();
      for (JsonElement e : a) {
        JsonArray r = e.getAsJsonArray();
        if (r.get(1).getAsInt() != 0) {
          throw new ModelFormatException("reference " + r + " uses node index " + r.get(1) + "; shared layers are not supported");
        }
        out.add(new Ref(r.get(0).getAsString(), r.get(2).getAsInt()));
      }
      return out;
    }
  }
}
