package dev.nimbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonPrimitive;
import com.google.longrunning.Operation;
import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.Empty;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.ResourceInfo;
import com.google.rpc.RetryInfo;
import com.google.rpc.Status;
import dev.nimbus.v1.BatchPredictResponse;
import dev.nimbus.v1.CreateModelDetails;
import dev.nimbus.v1.Dataset;
import dev.nimbus.v1.ListDatasetsResponse;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.OperationMetadata;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON programs read: every Any the API can send prints as an object and reads back unchanged. */
class JsonTest {
  @Test
  void operationWithEveryKindOfAny_printsAndParsesBack() throws Exception {
    Status error = Status.newBuilder().setCode(3).setMessage("bad")
        .addDetails(Any.pack(BadRequest.newBuilder().addFieldViolations(
            BadRequest.FieldViolation.newBuilder().setField("filter").setDescription("unknown field"))
            .build()))
        .addDetails(Any.pack(ErrorInfo.newBuilder().setReason("NOT_AN_IMAGE").setDomain("nimbus.dev")
            .putMetadata("row", "3").build()))
        .addDetails(Any.pack(ResourceInfo.newBuilder().setResourceType("nimbus.dev/Dataset")
            .setResourceName("datasets/clouds").build()))
        .addDetails(Any.pack(RetryInfo.newBuilder().setRetryDelay(
            Duration.newBuilder().setSeconds(2)).build()))
        .build();
    OperationMetadata metadata = OperationMetadata.newBuilder().setKind(OperationMetadata.Kind.CREATE_MODEL)
        .setCreateModelDetails(CreateModelDetails.newBuilder().setEpoch(3)).build();
    List<Operation> operations = List.of(
        Operation.newBuilder().setName("operations/a").setMetadata(Any.pack(metadata)).setDone(true)
            .setError(error).build(),
        Operation.newBuilder().setName("operations/b").setDone(true)
            .setResponse(Any.pack(Model.newBuilder().setName("models/m").build())).build(),
        Operation.newBuilder().setName("operations/c").setDone(true)
            .setResponse(Any.pack(BatchPredictResponse.newBuilder().setPredictedCount(4).build())).build(),
        Operation.newBuilder().setName("operations/d").setDone(true)
            .setResponse(Any.pack(Empty.getDefaultInstance())).build());
    for (Operation op : operations) {
      String json = Json.print(op);
      assertThat(json).contains("\"@type\": \"type.googleapis.com/");
      Operation.Builder parsed = Operation.newBuilder();
      Json.parser().merge(json, parsed);
      assertThat(parsed.build()).isEqualTo(op);
    }
    assertThat(Json.print(operations.get(0))).contains("\"field_violations\"").contains("\"retry_delay\": \"2s\"")
        .contains("\"resource_name\": \"datasets/clouds\"").contains("\"epoch\": 3")
        // Fields at their default are there too, so scripts never meet a missing key.
        .contains("\"progress_percent\": 0.0").contains("\"partial_failure_count\": \"0\"");
  }

  @Test
  void list_isOneObject_thatReadsBackAsTheApisListResponse() throws Exception {
    List<Dataset> datasets = List.of(Dataset.newBuilder().setName("datasets/a").build(),
        Dataset.newBuilder().setName("datasets/b").setExampleCount(7).build());
    String json = Json.list("datasets", datasets);
    ListDatasetsResponse.Builder parsed = ListDatasetsResponse.newBuilder();
    Json.parser().merge(json, parsed);
    assertThat(parsed.getDatasetsList()).isEqualTo(datasets);
    assertThat(json).startsWith("{\n  \"datasets\": [\n    {\n      \"name\": \"datasets/a\",");

    assertThat(Json.list("datasets", List.<Dataset>of())).isEqualTo("{\n  \"datasets\": []\n}");
    assertThat(Json.list("examples", List.<Dataset>of(), Map.of("total_size", new JsonPrimitive("0"))))
        .isEqualTo("{\n  \"examples\": [],\n  \"total_size\": \"0\"\n}");
  }

  @Test
  void object_escapesWhatJsonRequires() {
    assertThat(Json.object(Map.of("s", "a \"b\" \\ c\n\t\u0001")))
        .isEqualTo("{\n  \"s\": \"a \\\"b\\\" \\\\ c\\n\\t\\u0001\"\n}");
  }
}
