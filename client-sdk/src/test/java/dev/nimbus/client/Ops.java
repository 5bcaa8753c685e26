package dev.nimbus.client;

import com.google.longrunning.Operation;
import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.rpc.Status;
import dev.nimbus.v1.OperationMetadata;

/** Operations as a server would report them. */
final class Ops {
  private Ops() {}

  static OperationMetadata metadata(OperationMetadata.State state, double percent) {
    return OperationMetadata.newBuilder()
        .setKind(OperationMetadata.Kind.IMPORT_DATA)
        .setState(state)
        .setTarget("datasets/clouds")
        .setProgressPercent(percent)
        .setStatusMessage("imported " + (int) percent + " of 100 rows")
        .build();
  }

  static Operation running(String name, double percent) {
    return Operation.newBuilder().setName(name)
        .setMetadata(Any.pack(metadata(OperationMetadata.State.RUNNING, percent))).build();
  }

  static Operation succeeded(String name, Message response) {
    return Operation.newBuilder().setName(name)
        .setMetadata(Any.pack(metadata(OperationMetadata.State.SUCCEEDED, 100)))
        .setDone(true)
        .setResponse(Any.pack(response))
        .build();
  }

  static Operation failed(String name, Status error) {
    return Operation.newBuilder().setName(name)
        .setMetadata(Any.pack(metadata(OperationMetadata.State.FAILED, 40)))
        .setDone(true)
        .setError(error)
        .build();
  }
}
