package dev.nimbus.server.training.tfjs;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.nimbus.server.engine.ModelFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights of a TF.js model, read from its weights manifest and shard bytes and dequantized to float32.
 *
 * <p>Each manifest group's shards are concatenated in order; the group's weights follow one another in that byte
 * stream (little-endian). Stored dtypes: float32, int32, float16; quantized entries
 * ({@code "quantization": {"dtype": "uint8"|"uint16", "min", "scale"}}) decode as {@code min + scale * q}
 * computed in double and rounded to float32, exactly as TF.js does; {@code "quantization": {"dtype": "float16"}}
 * stores halves.
 */
public final class TfjsWeights {
  private final Map<String, WeightTensor> byName;

  private TfjsWeights(Map<String, WeightTensor> byName) {
    this.byName = Collections.unmodifiableMap(byName);
  }

  /**
   * Decodes the manifest against the bytes of each group (its shards concatenated).
   *
   * @param manifest the model.json {@code weightsManifest} array
   * @param groupBytes one buffer per manifest group
   */
  public static TfjsWeights decode(JsonArray manifest, List<ByteBuffer> groupBytes) {
    if (manifest.size() != groupBytes.size()) {
      throw new IllegalArgumentException("manifest has " + manifest.size() + " groups, got bytes for " + groupBytes.size());
    }
    Map<String, WeightTensor> out = new LinkedHashMap<>();
    for (int g = 0; g < manifest.size(); g++) {
      ByteBuffer bytes = groupBytes.get(g).duplicate().order(ByteOrder.LITTLE_ENDIAN);
      JsonArray weights = manifest.get(g).getAsJsonObject().getAsJsonArray("weights");
      for (JsonElement e : weights) {
        WeightTensor w = decodeOne(e.getAsJsonObject(), bytes);
        out.put(normalize(w.name()), w);
      }
      if (bytes.hasRemaining()) {
        throw new ModelFormatException(
            "weight group " + g + " has " + bytes.limit() + " bytes but its manifest describes " + bytes.position());
      }
    }
    return new TfjsWeights(out);
  }

  public Map<String, WeightTensor> all() {
    return byName;
  }

  /**
   * The weight {@code param} (e.g. "kernel") of a layer. Tries "scope/layer/param", then "layer/param", then a
   * unique name ending in "/layer/param" (exporters differ in how they prefix nested models' weights).
   *
   * @return the weight, or null when absent and not required
   */
  public WeightTensor find(KerasLayer layer, String param, boolean required) {
    String local = layer.name() + "/" + param;
    if (!layer.scope().isEmpty()) {
      WeightTensor w = byName.get(layer.scope() + "/" + local);
      if (w != null) {
        return w;
      }
    }
    WeightTensor w = byName.get(local);
    if (w != null) {
      return w;
    }
    List<WeightTensor> matches = new ArrayList<>();
    for (Map.Entry<String, WeightTensor> e : byName.entrySet()) {
      if (e.getKey().endsWith("/" + local)) {
        matches.add(e.getValue());
      }
    }
    if (matches.size() == 1) {
      return matches.get(0);
    }
    if (matches.size() > 1) {
      throw new ModelFormatException("weight '" + local + "' of layer '" + layer.key() + "' is ambiguous: " + matches);
    }
    if (required) {
      throw new ModelFormatException(
          "layer '" + layer.key() + "' (" + layer.className() + ") needs weight '" + local + "', which the manifest lacks");
    }
    return null;
  }

  private static String normalize(String name) {
    return name.endsWith(":0") ? name.substring(0, name.length() - 2) : name;
  }

  private static WeightTensor decodeOne(JsonObject spec, ByteBuffer bytes) {
    String name = spec.get("name").getAsString();
    JsonArray shapeJson = spec.getAsJsonArray("shape");
    int[] shape = new int[shapeJson.size()];
    long count = 1;
    for (int i = 0; i < shape.length; i++) {
      shape[i] = shapeJson.get(i).getAsInt();
      count *= shape[i];
    }
    if (count > Integer.MAX_VALUE) {
      throw new ModelFormatException("weight '" + name + "' has " + count + " values, too many");
    }
    int n = (int) count;
    String dtype = spec.has("dtype") ? spec.get("dtype").getAsString() : "float32";
    JsonObject q = spec.has("quantization") && !spec.get("quantization").isJsonNull()
        ? spec.getAsJsonObject("quantization") : null;
    String stored = q != null ? q.get("dtype").getAsString() : dtype;
    int width = switch (stored) {
      case "float32", "int32" -> 4;
      case "float16", "uint16", "int16" -> 2;
      case "uint8", "int8" -> 1;
      default -> throw new ModelFormatException("weight '" + name + "' has unsupported dtype '" + stored + "'");
    };
    if (bytes.remaining() < (long) n * width) {
      throw new ModelFormatException(
          "weight '" + name + "' needs " + (long) n * width + " bytes at offset " + bytes.position()
              + " but the shards end after " + bytes.remaining() + " more");
    }
    float[] v = new float[n];
    if (q != null && (stored.equals("uint8") || stored.equals("uint16"))) {
      if (!q.has("min") || !q.has("scale")) {
        throw new ModelFormatException("weight '" + name + "' is " + stored + "-quantized without min and scale");
      }
      double min = q.get("min").getAsDouble();
      double scale = q.get("scale").getAsDouble();
      for (int i = 0; i < n; i++) {
        int raw = stored.equals("uint8") ? Byte.toUnsignedInt(bytes.get()) : Short.toUnsignedInt(bytes.getShort());
        v[i] = (float) (raw * scale + min);
      }
    } else {
      for (int i = 0; i < n; i++) {
        v[i] = switch (stored) {
          case "float32" -> bytes.getFloat();
          case "int32" -> bytes.getInt();
          case "float16" -> halfToFloat(bytes.getShort());
          case "int16" -> bytes.getShort();
          case "int8" -> bytes.get();
          default -> throw new ModelFormatException(
              "weight '" + name + "' stores " + stored + " without min/scale quantization");
        };
      }
    }
    return new WeightTensor(name, shape, v);
  }

  /** IEEE 754 binary16 to float (Float.float16ToFloat needs Java 20). */
  static float halfToFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13)); // inf or NaN
    }
    if (exp == 0) {
      if (mant == 0) {
        return Float.intBitsToFloat(sign); // signed zero
      }
      float f = mant * 0x1p-24f; // subnormal: mant * 2^-24
      return sign == 0 ? f : -f;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }
}
