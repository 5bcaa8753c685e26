package dev.nimbus.server.training.tfjs;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.nimbus.server.engine.ModelFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A TF.js layers model read from disk: model.json (topology + weights manifest) and its shard files, with a
 * SHA-256 over all of their bytes (model.json first, then the shards in manifest order).
 */
public record TfjsModel(Path modelJson, KerasModel topology, TfjsWeights weights, String sha256) {

  /** Reads and validates model.json and every shard it lists (paths relative to model.json's folder). */
  public static TfjsModel read(Path modelJson) throws IOException {
    MessageDigest digest = newDigest();
    byte[] jsonBytes = Files.readAllBytes(modelJson);
    digest.update(jsonBytes);
    JsonObject root;
    try {
      JsonElement parsed = JsonParser.parseString(new String(jsonBytes, StandardCharsets.UTF_8));
      if (!parsed.isJsonObject()) {
        throw new ModelFormatException(modelJson + " is not a JSON object");
      }
      root = parsed.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new ModelFormatException(modelJson + " is not valid JSON: " + e.getMessage(), e);
    }
    if (!root.has("modelTopology")) {
      throw new ModelFormatException(modelJson + " has no 'modelTopology': not a TF.js model.json");
    }
    if (root.has("format") && root.get("format").getAsString().equals("graph-model")) {
      throw new ModelFormatException(modelJson + " is a TF.js graph model; only layers models can be imported");
    }
    KerasModel topology;
    try {
      topology = KerasModel.parse(root.getAsJsonObject("modelTopology"));
    } catch (RuntimeException e) {
      if (e instanceof ModelFormatException) {
        throw new ModelFormatException(modelJson + ": " + e.getMessage(), e);
      }
      throw new ModelFormatException(modelJson + ": malformed modelTopology (" + e + ")", e);
    }
    JsonArray manifest = root.has("weightsManifest") ? root.getAsJsonArray("weightsManifest") : new JsonArray();
    Path dir = modelJson.toAbsolutePath().getParent();
    List<ByteBuffer> groups = new ArrayList<>();
    for (JsonElement g : manifest) {
      List<byte[]> shards = new ArrayList<>();
      int total = 0;
      for (JsonElement p : g.getAsJsonObject().getAsJsonArray("paths")) {
        Path shard = dir.resolve(p.getAsString()).normalize();
        if (!shard.startsWith(dir)) {
          throw new ModelFormatException(modelJson + ": shard path '" + p.getAsString() + "' leaves the model folder");
        }
        if (!Files.isRegularFile(shard)) {
          throw new ModelFormatException(modelJson + ": shard " + shard + " does not exist");
        }
        byte[] b = Files.readAllBytes(shard);
        digest.update(b);
        shards.add(b);
        total = Math.addExact(total, b.length);
      }
      ByteBuffer buf = ByteBuffer.allocate(total);
      shards.forEach(buf::put);
      groups.add(buf.flip());
    }
    TfjsWeights weights;
    try {
      weights = TfjsWeights.decode(manifest, groups);
    } catch (ModelFormatException e) {
      throw new ModelFormatException(modelJson + ": " + e.getMessage(), e);
    }
    return new TfjsModel(modelJson, topology, weights, HexFormat.of().formatHex(digest.digest()));
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
