package dev.nimbus.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code --key value} options with defaults; an unknown key is an error. */
final class Args {
  private Args() {}

  static Map<String, String> parse(String[] args, Map<String, String> defaults) {
    Map<String, String> out = new LinkedHashMap<>(defaults);
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("argument '" + a + "' (expected: --key value; keys: " + defaults.keySet() + ")");
      }
      String key = a.substring(2);
      if (!defaults.containsKey(key)) {
        throw new IllegalArgumentException("unknown option --" + key + " (expected one of: " + defaults.keySet() + ")");
      }
      out.put(key, args[++i]);
    }
    return out;
  }
}
