package dev.nimbus.server.http;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.ErrorDetailsProto;
import dev.nimbus.v1.DatasetServiceProto;
import dev.nimbus.v1.ModelServiceProto;
import dev.nimbus.v1.PredictionServiceProto;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The proto3 JSON mapping of the REST API (lowerCamelCase names, base64 bytes, enum names, int64 as strings,
 * RFC 3339 times), with every message of the API and of {@code google.rpc}'s error details known, so that the
 * {@code Any}s in operations (metadata, responses) and in error details print as JSON objects rather than failing.
 * Unknown fields in a request are refused: a misspelt field is a 400 that names it, not a silently empty value.
 */
final class ProtoJson {
  static final JsonFormat.TypeRegistry TYPES = registry(List.of(DatasetServiceProto.getDescriptor(),
      ModelServiceProto.getDescriptor(), PredictionServiceProto.getDescriptor(), ErrorDetailsProto.getDescriptor(),
      com.google.longrunning.OperationsProto.getDescriptor()));
  static final JsonFormat.Printer PRINTER = JsonFormat.printer().usingTypeRegistry(TYPES)
      .omittingInsignificantWhitespace();
  static final JsonFormat.Parser PARSER = JsonFormat.parser().usingTypeRegistry(TYPES);

  private ProtoJson() {}

  static String print(MessageOrBuilder message) {
    try {
      return PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a message of the API does not print as JSON", e);
    }
  }

  /** Every message type of {@code roots} and of the files they import, nested ones included. */
  private static JsonFormat.TypeRegistry registry(List<FileDescriptor> roots) {
    JsonFormat.TypeRegistry.Builder b = JsonFormat.TypeRegistry.newBuilder();
    Set<String> seen = new HashSet<>();
    Deque<FileDescriptor> todo = new ArrayDeque<>(roots);
    while (!todo.isEmpty()) {
      FileDescriptor f = todo.pop();
      if (!seen.add(f.getName())) {
        continue;
      }
      todo.addAll(f.getDependencies());
      Deque<Descriptor> types = new ArrayDeque<>(f.getMessageTypes());
      while (!types.isEmpty()) {
        Descriptor d = types.pop();
        b.add(d);
        types.addAll(d.getNestedTypes());
      }
    }
    return b.build();
  }
}
