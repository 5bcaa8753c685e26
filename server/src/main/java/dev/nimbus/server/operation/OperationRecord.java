package dev.nimbus.server.operation;

import com.google.longrunning.Operation;
import com.google.protobuf.Any;
import com.google.rpc.Status;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.v1.OperationMetadata;

/** An operation as stored. {@code spec} is what its handler needs to run or resume it. */
public record OperationRecord(String id, OperationMetadata metadata, Any response, Status error, byte[] spec,
    long checkpoint) {

  public boolean done() {
    return metadata.getState() != OperationMetadata.State.RUNNING;
  }

  public Operation toProto() {
    Operation.Builder b = Operation.newBuilder()
        .setName(ResourceNames.operation(id))
        .setMetadata(Any.pack(metadata))
        .setDone(done());
    if (error != null) {
      b.setError(error);
    } else if (response != null) {
      b.setResponse(response);
    }
    return b.build();
  }
}
