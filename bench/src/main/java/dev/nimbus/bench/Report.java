package dev.nimbus.bench;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** A benchmark's results: a JSON file of the numbers and a markdown table, both in the output folder. */
final class Report {
  private final String name;
  private final Path dir;
  private final Map<String, Object> values = new LinkedHashMap<>();

  Report(String name, String dir) {
    this.name = name;
    this.dir = Path.of(dir);
    values.put("benchmark", name);
    values.put("date", Instant.now().toString());
    values.put("cores", Runtime.getRuntime().availableProcessors());
    values.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    values.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
  }

  void put(String key, Object value) {
    values.put(key, value);
  }

  Object get(String key, Object otherwise) {
    return values.getOrDefault(key, otherwise);
  }

  void write(String markdownTable) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(name + ".json"), json(values) + "\n");
    String md = "# Nimbus benchmark: " + name + "\n\n" + values.get("date") + ", " + values.get("cores") + " cores, "
        + values.get("java") + "\n\n" + markdownTable;
    Files.writeString(dir.resolve(name + ".md"), md);
    System.out.println(md);
    System.err.println("results: " + dir.resolve(name + ".json") + " and " + dir.resolve(name + ".md"));
  }

  static String json(Object v) {
    return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(v);
  }
}
