package dev.nimbus.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.Empty;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.ErrorInfo;
import dev.nimbus.v1.CreateModelRequest;
import dev.nimbus.v1.Dataset;
import dev.nimbus.v1.DatasetStats;
import dev.nimbus.v1.ImportDataRequest;
import dev.nimbus.v1.InputConfig;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.ModelEvaluation;
import dev.nimbus.v1.OperationMetadata;
import dev.nimbus.v1.PredictResponse;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * Protobuf JSON for programs. Field names are the proto names ({@code imported_count}, not {@code importedCount})
 * and fields at their default are printed too, so a zero count is {@code "0"} rather than absent: a script can
 * rely on every field being there. 64-bit integers are strings and enums their names, as the proto3 JSON mapping
 * says. The type registry knows every {@code nimbus.v1} message and the {@code google.rpc} error details, so the
 * {@code Any} fields of operations (metadata, response, error details) print as objects with an {@code @type}.
 */
public final class Json {
  /**
   * {@code add(descriptor)} also takes in every message of the descriptor's file and of the files it imports; one
   * message per file of the API is enough.
   */
  static final JsonFormat.TypeRegistry TYPES = JsonFormat.TypeRegistry.newBuilder()
      .add(List.of(Dataset.getDescriptor(), ImportDataRequest.getDescriptor(), InputConfig.getDescriptor(),
          OperationMetadata.getDescriptor(), Model.getDescriptor(), CreateModelRequest.getDescriptor(),
          ModelEvaluation.getDescriptor(), PredictResponse.getDescriptor(), DatasetStats.getDescriptor(),
          ErrorInfo.getDescriptor(), Empty.getDescriptor()))
      .build();

  private static final JsonFormat.Printer PRINTER = JsonFormat.printer()
      .usingTypeRegistry(TYPES)
      .preservingProtoFieldNames()
      .alwaysPrintFieldsWithNoPresence();

  private static final JsonFormat.Parser PARSER = JsonFormat.parser().usingTypeRegistry(TYPES);
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls()
      .create();

  private Json() {}

  public static String print(MessageOrBuilder message) {
    try {
      return PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      // Only an Any of a type the registry does not know; the registry holds every type the API sends.
      throw new UncheckedIOException("cannot print " + message.getClass().getSimpleName() + " as JSON", e);
    }
  }

  /** A parser that knows the same types, for tests and for scripts written in Java. */
  public static JsonFormat.Parser parser() {
    return PARSER;
  }

  /** The message as a JSON tree, to put inside a larger document. */
  public static JsonElement tree(MessageOrBuilder message) {
    return JsonParser.parseString(print(message));
  }

  /**
   * One object holding a list under {@code field} (every page of it) and, after it, {@code extra} fields:
   * {@code {"datasets": [...]}}.
   */
  public static String list(String field, List<? extends MessageOrBuilder> items, Map<String, JsonElement> extra) {
    JsonArray array = new JsonArray();
    items.forEach(item -> array.add(tree(item)));
    JsonObject out = new JsonObject();
    out.add(field, array);
    extra.forEach(out::add);
    return write(out);
  }

  public static String list(String field, List<? extends MessageOrBuilder> items) {
    return list(field, items, Map.of());
  }

  /** A flat object of string fields, in the map's order. */
  public static String object(Map<String, String> fields) {
    JsonObject out = new JsonObject();
    fields.forEach(out::addProperty);
    return write(out);
  }

  /** A document built by the caller, printed as the messages are (two-space indent, no HTML escaping). */
  public static String write(JsonElement json) {
    return GSON.toJson(json);
  }
}
