package dev.nimbus.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.nimbus.server.NimbusServer;
import dev.nimbus.server.config.ConfigLoader;
import dev.nimbus.server.testing.ClassImages;
import dev.nimbus.server.testing.TestImages;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST API on a real server (Netty gRPC port plus the Armeria HTTP port, ephemeral loopback ports), driven
 * by the JDK's HTTP client the way curl or any language would: every google.api.http mapping of the lab, their
 * JSON field by field, and the errors (status, google.rpc.Status body) a person gets wrong on the way.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestApiTest {
  private static final String ADMIN = "admin-key-0123456789";
  private static final String READER = "reader-key-0123456789";
  private static final String[] LABELS = {"circle", "square", "triangle"};

  @TempDir
  static Path tmp;

  NimbusServer server;
  HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final Map<String, byte[]> images = new LinkedHashMap<>();
  final Map<String, String> labelOf = new LinkedHashMap<>();

  record Reply(int status, HttpResponse<byte[]> raw) {
    JsonObject json() {
      return JsonParser.parseString(new String(raw.body(), StandardCharsets.UTF_8)).getAsJsonObject();
    }

    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }
  }

  @BeforeAll
  void start() throws Exception {
    Path keys = Files.writeString(tmp.resolve("keys"), ADMIN + " admin\n" + READER + " reader\n");
    server = NimbusServer.netty(ConfigLoader.load(Map.of(), Map.of("port", "0", "http-port", "0",
        "data-dir", tmp.resolve("data").toString(), "api-keys-file", keys.toString())), Clock.systemUTC()).start();
    for (int l = 0; l < LABELS.length; l++) {
      for (int i = 0; i < 20; i++) {
        String uri = LABELS[l] + "/" + i + ".png";
        images.put(uri, TestImages.encode(ClassImages.picture(l, i, 48), "png"));
        labelOf.put(uri, LABELS[l]);
      }
    }
  }

  @AfterAll
  void stop() {
    server.close();
  }

  Reply call(String method, String path, String body, String key) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
        .timeout(Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("content-type", "application/json");
    }
    if (key != null) {
      b.header("x-api-key", key);
    }
    HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    return new Reply(r.statusCode(), r);
  }

  Reply admin(String method, String path, String body) throws Exception {
    return call(method, path, body, ADMIN);
  }

  JsonObject ok(Reply r) {
    assertThat(r.status()).as(new String(r.raw().body(), StandardCharsets.UTF_8)).isEqualTo(200);
    assertThat(r.header("content-type")).startsWith("application/json");
    return r.json();
  }

  /** An error: the HTTP status, and the google.rpc.Status body with the same code. */
  JsonObject error(Reply r, int httpStatus, int code) {
    assertThat(r.status()).as(new String(r.raw().body(), StandardCharsets.UTF_8)).isEqualTo(httpStatus);
    assertThat(r.header("content-type")).startsWith("application/json");
    JsonObject status = r.json();
    assertThat(status.get("code").getAsInt()).isEqualTo(code);
    assertThat(status.get("message").getAsString()).isNotBlank();
    return status;
  }

  JsonObject waitDone(JsonObject operation) throws Exception {
    String name = operation.get("name").getAsString();
    for (int i = 0; i < 60; i++) {
      JsonObject op = ok(admin("POST", "/v1/" + name + ":wait", "{\"timeout\":\"5s\"}"));
      if (op.has("done") && op.get("done").getAsBoolean()) {
        assertThat(op.has("error")).as("%s", op).isFalse();
        return op;
      }
    }
    throw new AssertionError(name + " did not finish");
  }

  static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  @Test
  @Order(1)
  void datasets_createGetListUpdate_andTheirErrors() throws Exception {
    JsonObject created = ok(admin("POST", "/v1/datasets?dataset_id=shapes",
        "{\"displayName\":\"Shapes\",\"classificationType\":\"MULTICLASS\"}"));
    assertThat(created.get("name").getAsString()).isEqualTo("datasets/shapes");
    assertThat(created.get("displayName").getAsString()).isEqualTo("Shapes");
    assertThat(created.get("classificationType").getAsString()).isEqualTo("MULTICLASS");
    assertThat(created.get("state").getAsString()).isEqualTo("ACTIVE");
    assertThat(created.get("createTime").getAsString()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    // The camelCase query parameter works too.
    ok(admin("POST", "/v1/datasets?datasetId=spare", "{}"));

    assertThat(ok(admin("GET", "/v1/datasets/shapes", null))).isEqualTo(created);
    JsonObject page = ok(admin("GET", "/v1/datasets?pageSize=1", null));
    assertThat(page.getAsJsonArray("datasets")).hasSize(1);
    assertThat(page.get("nextPageToken").getAsString()).isNotEmpty();
    JsonObject second = ok(admin("GET", "/v1/datasets?pageSize=1&pageToken="
        + page.get("nextPageToken").getAsString(), null));
    assertThat(second.getAsJsonArray("datasets").get(0).getAsJsonObject().get("name").getAsString())
        .isEqualTo("datasets/spare");

    JsonObject updated = ok(admin("PATCH", "/v1/datasets/shapes?updateMask=description",
        "{\"description\":\"three shapes\"}"));
    assertThat(updated.get("description").getAsString()).isEqualTo("three shapes");
    assertThat(updated.get("displayName").getAsString()).isEqualTo("Shapes");

    JsonObject taken = error(admin("POST", "/v1/datasets?dataset_id=shapes", "{}"), 409, 6);
    assertThat(taken.get("message").getAsString()).contains("shapes");
    JsonObject missing = error(admin("GET", "/v1/datasets/nope", null), 404, 5);
    assertThat(missing.getAsJsonArray("details").get(0).getAsJsonObject().get("@type").getAsString())
        .isEqualTo("type.googleapis.com/google.rpc.ResourceInfo");
    JsonObject badId = error(admin("POST", "/v1/datasets?dataset_id=Bad%20Id", "{}"), 400, 3);
    assertThat(badId.get("message").getAsString()).contains("dataset_id");
    assertThat(error(admin("POST", "/v1/datasets?dataset_id=x", "{\"displayName\":"), 400, 3)
        .get("message").getAsString()).contains("not valid JSON");
    assertThat(error(admin("POST", "/v1/datasets?dataset_id=x", "{\"colour\":\"red\"}"), 400, 3)
        .get("message").getAsString()).contains("colour");
    assertThat(error(admin("GET", "/v1/nothing/here", null), 404, 5).get("message").getAsString())
        .contains("GET /v1/nothing/here");
    ok(admin("DELETE", "/v1/datasets/spare", null));
  }

  @Test
  @Order(2)
  void auth_keysInEitherHeader_readerMayRead_notWrite() throws Exception {
    JsonObject none = error(call("GET", "/v1/datasets", null, null), 401, 16);
    assertThat(none.get("message").getAsString()).contains("x-api-key");
    error(call("GET", "/v1/datasets", null, "wrong"), 401, 16);
    ok(call("GET", "/v1/datasets", null, READER));
    JsonObject denied = error(call("POST", "/v1/datasets?dataset_id=r", "{}", READER), 403, 7);
    assertThat(denied.get("message").getAsString()).contains("reader").contains("CreateDataset");
    HttpResponse<String> bearer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + server.httpPort() + "/v1/datasets/shapes")).header("authorization", "Bearer " + READER).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(bearer.statusCode()).isEqualTo(200);
    // Another web page, through a visitor's browser: refused before any RPC, whatever the key.
    HttpResponse<String> crossSite = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + server.httpPort() + "/v1/datasets?dataset_id=csrf")).header("origin", "https://evil.example")
        .header("content-type", "text/plain").header("x-api-key", ADMIN)
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(crossSite.statusCode()).isEqualTo(403);
    assertThat(crossSite.body()).contains("other web pages");
    // The image route is an RPC too: the same keys.
    error(call("GET", "/v1/datasets/shapes/examples/" + "a".repeat(64) + ":image", null, null), 401, 16);
  }

  @Test
  @Order(3)
  void upload_findsMissing_takesChunksAtTheirOffset_thenImportReadsTheUploads() throws Exception {
    String path = "/v1/datasets/shapes";
    List<String> hashes = new ArrayList<>();
    for (byte[] b : images.values()) {
      hashes.add(sha256(b));
    }
    JsonObject missing = ok(admin("POST", path + ":findMissingImages", json(Map.of("sha256", hashes))));
    assertThat(missing.getAsJsonArray("missing")).hasSize(hashes.size());
    assertThat(missing.getAsJsonArray("missing").get(0).getAsJsonObject().get("sha256").getAsString())
        .isEqualTo(hashes.get(0));

    // The first image in two pieces; the second piece sent first is refused with where to resume.
    byte[] first = images.values().iterator().next();
    int half = first.length / 2;
    JsonObject early = error(admin("POST", path + ":uploadImages", chunks(List.of(chunk(first, half, first.length)))),
        412, 9);
    assertThat(early.get("message").getAsString()).contains("send from byte 0");
    JsonObject part = ok(admin("POST", path + ":uploadImages", chunks(List.of(chunk(first, 0, half)))));
    JsonObject progress = part.getAsJsonArray("images").get(0).getAsJsonObject();
    assertThat(progress.get("receivedBytes").getAsLong()).isEqualTo(half);
    assertThat(progress.has("complete")).isFalse();
    JsonObject resumed = ok(admin("POST", path + ":findMissingImages", json(Map.of("sha256", List.of(hashes.get(0))))));
    assertThat(resumed.getAsJsonArray("missing").get(0).getAsJsonObject().get("receivedBytes").getAsLong())
        .isEqualTo(half);

    List<String> rest = new ArrayList<>();
    rest.add(chunk(first, half, first.length));
    for (byte[] b : images.values()) {
      if (b != first) {
        rest.add(chunk(b, 0, b.length));
      }
    }
    JsonObject all = ok(admin("POST", path + ":uploadImages", chunks(rest)));
    assertThat(all.getAsJsonArray("images")).hasSize(images.size());
    for (JsonElement e : all.getAsJsonArray("images")) {
      assertThat(e.getAsJsonObject().get("complete").getAsBoolean()).isTrue();
    }
    // Bytes that do not hash to the announced SHA-256 are refused and dropped.
    byte[] liar = TestImages.png(20, 20, 5);
    JsonObject mismatch = error(admin("POST", path + ":uploadImages", chunks(List.of("{\"sha256\":\""
        + "0".repeat(64) + "\",\"offset\":\"0\",\"totalBytes\":\"" + liar.length + "\",\"data\":\"" + b64(liar)
        + "\"}"))), 400, 3);
    assertThat(mismatch.get("message").getAsString()).contains("hash to");
    assertThat(ok(admin("POST", path + ":findMissingImages", json(Map.of("sha256", hashes)))).has("missing"))
        .isFalse();

    StringBuilder csv = new StringBuilder();
    Map<String, String> uploaded = new LinkedHashMap<>();
    int i = 0;
    for (Map.Entry<String, byte[]> e : images.entrySet()) {
      String split = i % 5 == 0 ? "TEST," : i % 5 == 1 ? "VALIDATION," : "TRAIN,";
      csv.append(split).append(e.getKey()).append(',').append(labelOf.get(e.getKey())).append('\n');
      uploaded.put(e.getKey(), hashes.get(i++));
    }
    csv.append("TRAIN,not/sent.png,circle\n");
    JsonObject op = ok(admin("POST", path + ":import", "{\"inputConfig\":{\"csvContent\":\""
        + b64(csv.toString().getBytes(StandardCharsets.UTF_8)) + "\",\"uploadedImages\":" + json(uploaded) + "}}"));
    assertThat(op.get("name").getAsString()).startsWith("operations/");
    assertThat(op.getAsJsonObject("metadata").get("@type").getAsString())
        .isEqualTo("type.googleapis.com/nimbus.v1.OperationMetadata");
    JsonObject done = waitDone(op);
    JsonObject response = done.getAsJsonObject("response");
    assertThat(response.get("@type").getAsString()).isEqualTo("type.googleapis.com/nimbus.v1.ImportDataResponse");
    assertThat(response.get("importedCount").getAsString()).isEqualTo("60");
    assertThat(response.get("failedCount").getAsString()).isEqualTo("1");
    JsonObject failure = done.getAsJsonObject("metadata").getAsJsonArray("partialFailures").get(0)
        .getAsJsonObject();
    assertThat(failure.get("message").getAsString()).contains("not uploaded");
    JsonObject info = failure.getAsJsonArray("details").get(0).getAsJsonObject();
    assertThat(info.get("reason").getAsString()).isEqualTo("UPLOAD_MISSING");
    assertThat(info.getAsJsonObject("metadata").get("uri").getAsString()).isEqualTo("not/sent.png");
    assertThat(info.getAsJsonObject("metadata").get("row").getAsString()).isEqualTo("61");
  }

  @Test
  @Order(4)
  void statsLabelsAndExamples_listFilterPageGetUpdateDelete() throws Exception {
    JsonObject stats = ok(admin("GET", "/v1/datasets/shapes:stats", null));
    assertThat(stats.get("exampleCount").getAsString()).isEqualTo("60");
    assertThat(stats.getAsJsonObject("splitCounts").get("test").getAsString()).isEqualTo("12");
    assertThat(stats.getAsJsonArray("labels")).hasSize(3);
    JsonObject specs = ok(admin("GET", "/v1/datasets/shapes/annotationSpecs", null));
    assertThat(specs.getAsJsonArray("annotationSpecs").get(0).getAsJsonObject().get("displayName").getAsString())
        .isEqualTo("circle");

    JsonObject page = ok(admin("GET", "/v1/datasets/shapes/examples?pageSize=5&filter="
        + enc("label = \"square\" AND ml_use = TEST"), null));
    assertThat(page.get("totalSize").getAsString()).isEqualTo("4");
    JsonArray examples = page.getAsJsonArray("examples");
    assertThat(examples).hasSize(4);
    JsonObject example = examples.get(0).getAsJsonObject();
    assertThat(example.getAsJsonArray("labels").get(0).getAsString()).isEqualTo("square");
    assertThat(example.get("mlUse").getAsString()).isEqualTo("TEST");
    assertThat(example.get("mimeType").getAsString()).isEqualTo("image/png");
    assertThat(example.get("width").getAsInt()).isEqualTo(48);
    String name = example.get("name").getAsString();
    assertThat(ok(admin("GET", "/v1/" + name, null))).isEqualTo(example);
    assertThat(error(admin("GET", "/v1/datasets/shapes/examples?filter=" + enc("colour = red"), null), 400, 3)
        .get("message").getAsString()).contains("colour");

    JsonObject relabelled = ok(admin("PATCH", "/v1/" + name + "?updateMask=labels,ml_use",
        "{\"labels\":[\"circle\"],\"mlUse\":\"TRAIN\"}"));
    assertThat(relabelled.getAsJsonArray("labels").get(0).getAsString()).isEqualTo("circle");
    assertThat(relabelled.get("mlUse").getAsString()).isEqualTo("TRAIN");
    assertThat(relabelled.get("mlUseSource").getAsString()).isEqualTo("USER");
    JsonObject after = ok(admin("GET", "/v1/datasets/shapes:stats", null));
    assertThat(after.getAsJsonObject("splitCounts").get("test").getAsString()).isEqualTo("11");
    assertThat(error(admin("PATCH", "/v1/" + name, "{\"labels\":[\"circle\",\"square\"]}"), 400, 3)
        .get("message").getAsString()).contains("MULTICLASS");
    assertThat(error(admin("PATCH", "/v1/" + name + "?updateMask=labels", "{\"labels\":[]}"), 400, 3)
        .get("message").getAsString()).contains("delete the example");
    ok(admin("PATCH", "/v1/" + name + "?updateMask=labels,ml_use", "{\"labels\":[\"square\"],\"mlUse\":\"TEST\"}"));

    String last = examples.get(3).getAsJsonObject().get("name").getAsString();
    assertThat(ok(admin("DELETE", "/v1/" + last, null)).entrySet()).isEmpty();
    error(admin("GET", "/v1/" + last, null), 404, 5);
    error(admin("DELETE", "/v1/" + last, null), 404, 5);
  }

  @Test
  @Order(5)
  void exampleImage_bytesWithTypeEtagAndCaching_andPreviews() throws Exception {
    JsonObject example = ok(admin("GET", "/v1/datasets/shapes/examples?pageSize=1", null)).getAsJsonArray("examples")
        .get(0).getAsJsonObject();
    String name = example.get("name").getAsString();
    Reply image = call("GET", "/v1/" + name + ":image", null, READER);
    assertThat(image.status()).isEqualTo(200);
    assertThat(image.header("content-type")).isEqualTo("image/png");
    assertThat(sha256(image.raw().body())).isEqualTo(example.get("contentSha256").getAsString());
    String etag = image.header("etag");
    assertThat(etag).isEqualTo("\"" + example.get("contentSha256").getAsString() + "\"");
    assertThat(image.header("cache-control")).contains("max-age");

    HttpResponse<byte[]> again = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + server.httpPort() + "/v1/" + name + ":image")).header("x-api-key", READER).header("if-none-match", etag)
        .build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(again.body()).isEmpty();

    Reply thumb = call("GET", "/v1/" + name + ":image?size=40", null, READER);
    assertThat(thumb.status()).isEqualTo(200);
    assertThat(thumb.header("content-type")).isEqualTo("image/jpeg");
    BufferedImage small = ImageIO.read(new ByteArrayInputStream(thumb.raw().body()));
    assertThat(Math.max(small.getWidth(), small.getHeight())).isLessThanOrEqualTo(40).isGreaterThanOrEqualTo(32);
    assertThat(thumb.header("etag")).isNotEqualTo(etag);
    // Made once: the second answer is the cached file, byte for byte.
    assertThat(call("GET", "/v1/" + name + ":image?size=40", null, READER).raw().body()).isEqualTo(thumb.raw().body());

    assertThat(error(call("GET", "/v1/" + name + ":image?size=5", null, READER), 400, 3).get("message")
        .getAsString()).contains("thumbnail_size");
    assertThat(error(call("GET", "/v1/" + name + ":image?size=big", null, READER), 400, 3).get("message")
        .getAsString()).contains("size");
    error(call("GET", "/v1/datasets/shapes/examples/" + "b".repeat(64) + ":image", null, READER), 404, 5);
  }

  @Test
  @Order(6)
  void models_trainEvaluateDeployPredict_undeployDelete() throws Exception {
    JsonObject op = ok(admin("POST", "/v1/models?model_id=shapes_cnn", "{\"dataset\":\"datasets/shapes\","
        + "\"baseModel\":\"scratch_cnn\",\"trainingParams\":{\"maxEpochs\":4,\"trainBudgetSeconds\":60}}"));
    assertThat(op.getAsJsonObject("metadata").get("kind").getAsString()).isEqualTo("CREATE_MODEL");
    JsonObject trained = waitDone(op).getAsJsonObject("response");
    assertThat(trained.get("@type").getAsString()).isEqualTo("type.googleapis.com/nimbus.v1.Model");
    assertThat(trained.get("trainingState").getAsString()).isEqualTo("TRAINED");
    JsonObject model = ok(admin("GET", "/v1/models/shapes_cnn", null));
    assertThat(model.get("name").getAsString()).isEqualTo("models/shapes_cnn");
    assertThat(ok(admin("GET", "/v1/models", null)).getAsJsonArray("models")).hasSize(1);
    error(admin("POST", "/v1/models?model_id=shapes_cnn", "{\"dataset\":\"datasets/shapes\"}"), 409, 6);

    JsonArray evals = ok(admin("GET", "/v1/models/shapes_cnn/modelEvaluations", null))
        .getAsJsonArray("modelEvaluations");
    assertThat(evals).hasSize(4);
    JsonObject overall = evals.get(0).getAsJsonObject();
    JsonObject metrics = overall.getAsJsonObject("classificationEvaluationMetrics");
    assertThat(metrics.getAsJsonArray("confidenceMetrics").size()).isPositive();
    assertThat(metrics.getAsJsonObject("confusionMatrix").getAsJsonArray("labels")).hasSize(3);
    assertThat(ok(admin("GET", "/v1/" + overall.get("name").getAsString(), null))).isEqualTo(overall);

    byte[] circle = images.values().iterator().next();
    String predict = "{\"images\":[{\"imageBytes\":\"" + b64(circle) + "\"}],\"params\":{\"scoreThreshold\":0.0},"
        + "\"includeTimings\":true}";
    JsonObject notDeployed = error(call("POST", "/v1/models/shapes_cnn:predict", predict, READER), 412, 9);
    assertThat(notDeployed.get("message").getAsString()).contains("deploy");

    JsonObject deployed = waitDone(ok(admin("POST", "/v1/models/shapes_cnn:deploy", "{}")));
    assertThat(deployed.getAsJsonObject("response").get("deploymentState").getAsString()).isEqualTo("AVAILABLE");
    JsonObject prediction = ok(call("POST", "/v1/models/shapes_cnn:predict", predict, READER));
    JsonArray results = prediction.getAsJsonArray("predictions");
    assertThat(results).hasSize(1);
    JsonArray labels = results.get(0).getAsJsonObject().getAsJsonArray("labels");
    assertThat(labels).hasSize(3);
    assertThat(labels.get(0).getAsJsonObject().get("label").getAsString()).isIn((Object[]) LABELS);
    assertThat(prediction.getAsJsonObject("timings").get("engine").getAsString()).endsWith("s");
    float top = labels.get(0).getAsJsonObject().get("score").getAsFloat();
    assertThat(top).isBetween(0f, 1f);
    assertThat(labels.get(1).getAsJsonObject().get("score").getAsFloat()).isLessThanOrEqualTo(top);
    assertThat(error(call("POST", "/v1/models/shapes_cnn:predict", "{\"images\":[{\"imageBytes\":\""
        + b64("not an image".getBytes(StandardCharsets.UTF_8)) + "\"}]}", READER), 400, 3).get("message")
        .getAsString()).isNotBlank();
    error(call("POST", "/v1/models/nope:predict", predict, READER), 404, 5);
    error(call("POST", "/v1/models/shapes_cnn:deploy", "{}", READER), 403, 7);

    Path lines = tmp.resolve("predictions.jsonl");
    JsonObject batch = waitDone(ok(admin("POST", "/v1/models/shapes_cnn:batchPredict", "{\"inputConfig\":"
        + "{\"datasetSplit\":{\"dataset\":\"datasets/shapes\",\"mlUse\":\"TEST\"}},\"outputConfig\":"
        + "{\"outputUri\":\"" + lines + "\"}}")));
    assertThat(batch.getAsJsonObject("response").get("@type").getAsString()).endsWith("BatchPredictResponse");
    assertThat(Files.readAllLines(lines)).hasSize(11); // the TEST images, less the one deleted above

    JsonObject exported = waitDone(ok(admin("POST", "/v1/models/shapes_cnn:export", "{\"outputConfig\":"
        + "{\"outputUri\":\"" + tmp.resolve("export") + "\"}}")));
    assertThat(exported.getAsJsonObject("response").get("@type").getAsString()).endsWith("ExportModelResponse");

    JsonObject dataExport = waitDone(ok(admin("POST", "/v1/datasets/shapes:export", "{\"outputConfig\":"
        + "{\"outputUri\":\"" + tmp.resolve("data-export") + "\"},\"imageUriPrefix\":\"gs://b/shapes/\"}")));
    JsonObject dataExported = dataExport.getAsJsonObject("response");
    assertThat(dataExported.get("@type").getAsString()).endsWith("ExportDataResponse");
    assertThat(dataExported.get("csvUri").getAsString()).endsWith("image_classification_1.csv");
    assertThat(dataExport.getAsJsonObject("metadata").getAsJsonObject("exportDataDetails").get("exportedCount")
        .getAsString()).isEqualTo(dataExported.get("exportedCount").getAsString());
    JsonObject automl = waitDone(ok(admin("POST", "/v1/models/shapes_cnn:batchPredict", "{\"inputConfig\":"
        + "{\"datasetSplit\":{\"dataset\":\"datasets/shapes\",\"mlUse\":\"TEST\"}},\"outputConfig\":"
        + "{\"outputUri\":\"" + tmp.resolve("automl") + "\"},\"outputFormat\":\"AUTOML_JSONL\"}")));
    assertThat(automl.getAsJsonObject("response").get("outputUri").getAsString()).isEqualTo(tmp.resolve("automl")
        .toString());
    assertThat(Files.readAllLines(tmp.resolve("automl/image_classification_1.jsonl"))).hasSize(11);

    JsonArray operations = ok(admin("GET", "/v1/operations?filter=" + enc("kind = DEPLOY_MODEL"), null))
        .getAsJsonArray("operations");
    assertThat(operations).hasSize(1);
    String opName = operations.get(0).getAsJsonObject().get("name").getAsString();
    assertThat(ok(admin("GET", "/v1/" + opName, null)).get("done").getAsBoolean()).isTrue();
    ok(admin("POST", "/v1/" + opName + ":cancel", "{}"));
    assertThat(ok(admin("DELETE", "/v1/" + opName, null)).entrySet()).isEmpty();
    error(admin("GET", "/v1/" + opName, null), 404, 5);
    error(admin("GET", "/v1/operations/nope", null), 404, 5);

    waitDone(ok(admin("POST", "/v1/models/shapes_cnn:undeploy", "{}")));
    waitDone(ok(admin("DELETE", "/v1/models/shapes_cnn", null)));
    error(admin("GET", "/v1/models/shapes_cnn", null), 404, 5);
  }

  @Test
  @Order(7)
  void console_isServedAtTheRoot_withIndexForItsRoutes() throws Exception {
    Reply root = call("GET", "/", null, null);
    if (getClass().getClassLoader().getResource("console/index.html") == null) {
      assertThat(root.status()).isEqualTo(404); // a build without npm says so
      assertThat(new String(root.raw().body(), StandardCharsets.UTF_8)).contains("console was not built");
      return;
    }
    assertThat(root.status()).isEqualTo(200);
    assertThat(root.header("content-type")).startsWith("text/html");
    Reply deep = call("GET", "/datasets/shapes", null, null);
    assertThat(deep.status()).isEqualTo(200);
    assertThat(deep.raw().body()).isEqualTo(root.raw().body());
  }

  @Test
  @Order(8)
  void deleteDataset_isAnOperation() throws Exception {
    JsonObject done = waitDone(ok(admin("DELETE", "/v1/datasets/shapes", null)));
    assertThat(done.getAsJsonObject("metadata").get("kind").getAsString()).isEqualTo("DELETE_DATASET");
    error(admin("GET", "/v1/datasets/shapes", null), 404, 5);
  }

  private static String chunk(byte[] image, int from, int to) throws Exception {
    byte[] part = java.util.Arrays.copyOfRange(image, from, to);
    return "{\"sha256\":\"" + sha256(image) + "\",\"offset\":\"" + from + "\",\"totalBytes\":\"" + image.length
        + "\",\"data\":\"" + b64(part) + "\"}";
  }

  private static String chunks(List<String> chunks) {
    return "{\"chunks\":[" + String.join(",", chunks) + "]}";
  }

  private static String json(Object value) {
    return new com.google.gson.Gson().toJson(value);
  }

  private static String enc(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

}
