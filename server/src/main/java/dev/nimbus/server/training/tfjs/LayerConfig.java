package dev.nimbus.server.training.tfjs;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.nimbus.server.engine.ModelFormatException;

/** Typed, validating access to one Keras layer's {@code config} object; errors name the layer and the key. */
public final class LayerConfig {
  private final String layer;
  private final String className;
  private final JsonObject config;

  LayerConfig(String layer, String className, JsonObject config) {
    this.layer = layer;
    this.className = className;
    this.config = config == null ? new JsonObject() : config;
  }

  public String layer() {
    return layer;
  }

  public String className() {
    return className;
  }

  public boolean has(String key) {
    JsonElement e = config.get(key);
    return e != null && !e.isJsonNull();
  }

  public String string(String key, String fallback) {
    return has(key) ? config.get(key).getAsString() : fallback;
  }

  public boolean bool(String key, boolean fallback) {
    return has(key) ? config.get(key).getAsBoolean() : fallback;
  }

  public double number(String key, double fallback) {
    return has(key) ? config.get(key).getAsDouble() : fallback;
  }

  /** A number, or null when absent or JSON null. */
  public Double numberOrNull(String key) {
    return has(key) ? config.get(key).getAsDouble() : null;
  }

  public int integer(String key) {
    if (!has(key)) {
      throw error("has no '" + key + "'");
    }
    return config.get(key).getAsInt();
  }

  public int integer(String key, int fallback) {
    return has(key) ? config.get(key).getAsInt() : fallback;
  }

  /** A pair such as kernel_size or strides, written either as one int or as [a, b]. */
  public int[] pair(String key, int[] fallback) {
    if (!has(key)) {
      if (fallback == null) {
        throw error("has no '" + key + "'");
      }
      return fallback;
    }
    JsonElement e = config.get(key);
    if (e.isJsonPrimitive()) {
      int v = e.getAsInt();
      return new int[] {v, v};
    }
    JsonArray a = e.getAsJsonArray();
    if (a.size() != 2) {
      throw error("'" + key + "' must have 2 values, got " + a);
    }
    return new int[] {a.get(0).getAsInt(), a.get(1).getAsInt()};
  }

  /** An int array, with JSON null entries as -1. */
  public int[] ints(String key) {
    if (!has(key)) {
      throw error("has no '" + key + "'");
    }
    JsonArray a = config.get(key).getAsJsonArray();
    int[] out = new int[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).isJsonNull() ? -1 : a.get(i).getAsInt();
    }
    return out;
  }

  public JsonElement raw(String key) {
    return config.get(key);
  }

  /** Keras 'padding' of conv and pooling layers: "same" or "valid". */
  public String padding() {
    String p = string("padding", "valid");
    if (!p.equals("same") && !p.equals("valid")) {
      throw unsupported("padding '" + p + "'");
    }
    return p;
  }

  public void requireChannelsLast() {
    String f = string("data_format", "channels_last");
    if (!f.equals("channels_last")) {
      throw unsupported("data_format '" + f + "' (only channels_last)");
    }
  }

  public ModelFormatException error(String what) {
    return new ModelFormatException("layer '" + layer + "' (" + className + ") " + what);
  }

  public ModelFormatException unsupported(String what) {
    return new ModelFormatException("layer '" + layer + "' (" + className + "): unsupported " + what);
  }
}
