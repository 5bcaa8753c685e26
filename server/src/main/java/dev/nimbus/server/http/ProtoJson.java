package dev.nimbus.server.http;

import com.google.protobuf.Empty;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.BadRequest;
import com.google.rpc.DebugInfo;
import com.google.rpc.ErrorDetailsProto;
import com.google.rpc.ErrorInfo;
import com.google.rpc.Help;
import com.google.rpc.LocalizedMessage;
import com.google.rpc.PreconditionFailure;
import com.google.rpc.QuotaFailure;
import com.google.rpc.RequestInfo;
import com.google.rpc.ResourceInfo;
import com.google.rpc.RetryInfo;
import dev.nimbus.v1.BatchPredictResponse;
import dev.nimbus.v1.ExportDataResponse;
import dev.nimbus.v1.ExportModelResponse;
import dev.nimbus.v1.ImportDataResponse;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.OperationMetadata;
import java.util.List;
import org.curioswitch.common.protobuf.json.MessageMarshaller;

/**
 * The proto3 JSON mapping of the REST API (lowerCamelCase names, base64 bytes, enum names, int64 as strings,
 * RFC 3339 times). Calls go through Armeria's protobuf-jackson marshaller ({@link #configure}); error bodies, a
 * {@code google.rpc.Status} whose details are error-detail {@code Any}s, through JsonFormat ({@link #print}).
 * Unknown fields in a request are refused: a misspelt field is a 400 that names it, not a silently empty value.
 */
final class ProtoJson {
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer()
      .usingTypeRegistry(JsonFormat.TypeRegistry.newBuilder()
          .add(ErrorDetailsProto.getDescriptor().getMessageTypes()).build())
      .omittingInsignificantWhitespace();

  private ProtoJson() {}

  /**
   * The transcoder's marshaller (protobuf-jackson, generated per type: several times faster than JsonFormat on the
   * Predict path) with the same rules: the types that travel in {@code Any}s known, unknown fields refused.
   */
  static void configure(MessageMarshaller.Builder b) {
    b.ignoringUnknownFields(false);
    for (Message type : List.of(OperationMetadata.getDefaultInstance(), ImportDataResponse.getDefaultInstance(),
        Model.getDefaultInstance(), ExportModelResponse.getDefaultInstance(), ExportDataResponse.getDefaultInstance(),
        BatchPredictResponse.getDefaultInstance(), Empty.getDefaultInstance(), ErrorInfo.getDefaultInstance(),
        BadRequest.getDefaultInstance(), RetryInfo.getDefaultInstance(), ResourceInfo.getDefaultInstance(),
        PreconditionFailure.getDefaultInstance(), QuotaFailure.getDefaultInstance(), Help.getDefaultInstance(),
        LocalizedMessage.getDefaultInstance(), RequestInfo.getDefaultInstance(), DebugInfo.getDefaultInstance(),
        // Cloud AutoML's operations carry its own metadata and responses.
        com.google.cloud.automl.v1.OperationMetadata.getDefaultInstance(),
        com.google.cloud.automl.v1.Dataset.getDefaultInstance(), com.google.cloud.automl.v1.Model.getDefaultInstance(),
        com.google.cloud.automl.v1.BatchPredictResult.getDefaultInstance())) {
      b.register(type);
    }
  }

  /** An error body. */
  static String print(com.google.rpc.Status status) {
    try {
      return PRINTER.print(status);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("an error detail does not print as JSON", e);
    }
  }
}
