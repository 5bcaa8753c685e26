package dev.nimbus.server.training.tfjs;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import dev.nimbus.server.engine.ModelFormatException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Static output shapes of Keras layers (without the batch dimension, -1 where unknown), computed in Java so a
 * backbone's feature size is known without building a TensorFlow graph. Also the single list of supported layer
 * classes: an unknown class fails here, naming the layer.
 */
public final class KerasShapes {
  /** Layer classes the importer can build. */
  public static final Set<String> SUPPORTED =
      Set.of(
          "InputLayer", "ZeroPadding2D", "Conv2D", "DepthwiseConv2D", "BatchNormalization", "ReLU", "Activation",
          "Add", "Concatenate", "AveragePooling2D", "MaxPooling2D", "GlobalAveragePooling2D",
          "GlobalMaxPooling2D", "Flatten", "Reshape", "Dense", "Dropout", "SpatialDropout2D", "GaussianNoise",
          "GaussianDropout");

  /** Layers that are the identity at inference time. */
  static final Set<String> IDENTITY_AT_INFERENCE =
      Set.of("Dropout", "SpatialDropout2D", "GaussianNoise", "GaussianDropout");

  private KerasShapes() {}

  static int[] infer(KerasLayer layer, List<int[]> inputs) {
    LayerConfig c = layer.config();
    String cls = layer.className();
    if (!SUPPORTED.contains(cls)) {
      throw new ModelFormatException(
          "layer '" + layer.key() + "' has unsupported type " + cls + "; supported: " + sorted(SUPPORTED));
    }
    if (cls.equals("InputLayer")) {
      int[] b = c.has("batch_input_shape") ? c.ints("batch_input_shape") : c.ints("batch_shape");
      return Arrays.copyOfRange(b, 1, b.length);
    }
    int[] in = inputs.get(0);
    switch (cls) {
      case "ZeroPadding2D": {
        rank(c, in, 3);
        int[][] p = zeroPadding(c);
        return new int[] {add(in[0], p[0][0] + p[0][1]), add(in[1], p[1][0] + p[1][1]), in[2]};
      }
      case "Conv2D":
      case "DepthwiseConv2D": {
        rank(c, in, 3);
        c.requireChannelsLast();
        int[] k = c.pair("kernel_size", null);
        int[] s = c.pair("strides", new int[] {1, 1});
        int[] d = c.pair("dilation_rate", new int[] {1, 1});
        String pad = c.padding();
        int channels = cls.equals("Conv2D") ? c.integer("filters") : mul(in[2], c.integer("depth_multiplier", 1));
        if (cls.equals("Conv2D") && c.integer("groups", 1) != 1) {
          throw c.unsupported("groups " + c.integer("groups", 1));
        }
        return new int[] {
          spatial(in[0], k[0], s[0], d[0], pad), spatial(in[1], k[1], s[1], d[1], pad), channels
        };
      }
      case "AveragePooling2D":
      case "MaxPooling2D": {
        rank(c, in, 3);
        c.requireChannelsLast();
        int[] k = c.pair("pool_size", new int[] {2, 2});
        int[] s = c.pair("strides", k);
        String pad = c.padding();
        return new int[] {spatial(in[0], k[0], s[0], 1, pad), spatial(in[1], k[1], s[1], 1, pad), in[2]};
      }
      case "GlobalAveragePooling2D":
      case "GlobalMaxPooling2D":
        rank(c, in, 3);
        c.requireChannelsLast();
        return c.bool("keepdims", false) ? new int[] {1, 1, in[2]} : new int[] {in[2]};
      case "Flatten": {
        int n = 1;
        for (int v : in) {
          n = mul(n, v);
        }
        return new int[] {n};
      }
      case "Reshape": {
        int[] target = c.ints("target_shape");
        int known = 1;
        int unknownAt = -1;
        for (int i = 0; i < target.length; i++) {
          if (target[i] < 0) {
            unknownAt = i;
          } else {
            known *= target[i];
          }
        }
        if (unknownAt >= 0) {
          int total = 1;
          for (int v : in) {
            total = mul(total, v);
          }
          target[unknownAt] = total < 0 ? -1 : total / known;
        }
        return target;
      }
      case "Dense":
        if (in.length != 1) {
          throw c.unsupported("input of rank " + (in.length + 1) + " (Dense needs [batch, features])");
        }
        return new int[] {c.integer("units")};
      case "Add":
        for (int[] other : inputs) {
          if (other.length != in.length) {
            throw c.error("adds tensors of different ranks: " + Arrays.toString(in) + " and " + Arrays.toString(other));
          }
        }
        return in.clone();
      case "Concatenate": {
        int axis = concatAxis(c, in.length + 1);
        int[] out = in.clone();
        for (int i = 1; i < inputs.size(); i++) {
          out[axis - 1] = add(out[axis - 1], inputs.get(i)[axis - 1]);
        }
        return out;
      }
      case "BatchNormalization":
        bnAxis(c, in.length + 1);
        return in.clone();
      default: // ReLU, Activation, Dropout and friends keep the shape
        return in.clone();
    }
  }

  /** [[top, bottom], [left, right]] from Keras's int, [a, b] or [[t, b], [l, r]] forms. */
  static int[][] zeroPadding(LayerConfig c) {
    JsonElement p = c.raw("padding");
    if (p == null || p.isJsonNull()) {
      return new int[][] {{1, 1}, {1, 1}};
    }
    if (p.isJsonPrimitive()) {
      int v = p.getAsInt();
      return new int[][] {{v, v}, {v, v}};
    }
    JsonArray a = p.getAsJsonArray();
    if (a.size() != 2) {
      throw c.error("padding must have 2 entries, got " + a);
    }
    int[][] out = new int[2][];
    for (int i = 0; i < 2; i++) {
      JsonElement e = a.get(i);
      if (e.isJsonPrimitive()) {
        out[i] = new int[] {e.getAsInt(), e.getAsInt()};
      } else {
        JsonArray q = e.getAsJsonArray();
        out[i] = new int[] {q.get(0).getAsInt(), q.get(1).getAsInt()};
      }
    }
    return out;
  }

  /** Concatenation axis as an index into the full shape (with batch). */
  static int concatAxis(LayerConfig c, int rankWithBatch) {
    int axis = c.integer("axis", -1);
    if (axis < 0) {
      axis += rankWithBatch;
    }
    if (axis <= 0 || axis >= rankWithBatch) {
      throw c.unsupported("axis " + c.integer("axis", -1) + " for rank " + rankWithBatch);
    }
    return axis;
  }

  static void bnAxis(LayerConfig c, int rankWithBatch) {
    JsonElement a = c.raw("axis");
    int axis = -1;
    if (a != null && !a.isJsonNull()) {
      axis = a.isJsonArray() ? single(c, a.getAsJsonArray()) : a.getAsInt();
    }
    if (axis != -1 && axis != rankWithBatch - 1) {
      throw c.unsupported("axis " + axis + " (only the last, channels axis)");
    }
  }

  private static int single(LayerConfig c, JsonArray a) {
    if (a.size() != 1) {
      throw c.unsupported("axis " + a);
    }
    return a.get(0).getAsInt();
  }

  private static int spatial(int size, int kernel, int stride, int dilation, String padding) {
    if (size < 0) {
      return -1;
    }
    if (padding.equals("same")) {
      return (size + stride - 1) / stride;
    }
    int effective = (kernel - 1) * dilation + 1;
    return (size - effective + stride) / stride;
  }

  private static void rank(LayerConfig c, int[] in, int expected) {
    if (in.length != expected) {
      throw c.unsupported("input of rank " + (in.length + 1) + " (expected " + (expected + 1) + ", i.e. [N, H, W, C])");
    }
  }

  private static int add(int a, int b) {
    return a < 0 || b < 0 ? -1 : a + b;
  }

  private static int mul(int a, int b) {
    return a < 0 || b < 0 ? -1 : a * b;
  }

  private static String sorted(Set<String> s) {
    return s.stream().sorted().toList().toString();
  }
}
