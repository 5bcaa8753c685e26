package dev.nimbus.client;

import com.google.longrunning.CancelOperationRequest;
import com.google.longrunning.DeleteOperationRequest;
import com.google.longrunning.GetOperationRequest;
import com.google.longrunning.Operation;
import com.google.longrunning.OperationsGrpc;
import com.google.longrunning.WaitOperationRequest;
import com.google.protobuf.Empty;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * google.longrunning.Operations answering from scripts: each Wait/GetOperation of an operation returns the next
 * step of its script (an Operation, or a Status to fail the call with), and the last step forever after.
 */
final class FakeOperations extends OperationsGrpc.OperationsImplBase {
  final List<WaitOperationRequest> waits = new CopyOnWriteArrayList<>();
  /** One permit per WaitOperation received, so a test can wait for the next poll without sleeping. */
  final Semaphore waitCount = new Semaphore(0);
  final List<Deadline> waitDeadlines = new CopyOnWriteArrayList<>();
  final List<String> gets = new CopyOnWriteArrayList<>();
  final List<String> cancels = new CopyOnWriteArrayList<>();
  final List<String> deletes = new CopyOnWriteArrayList<>();
  /** Answer WaitOperation with UNIMPLEMENTED, as a server without it would. */
  volatile boolean waitUnimplemented;
  /** Answer CancelOperation with this failure instead of cancelling. */
  volatile Status rejectCancel;
  private final Map<String, Deque<Object>> scripts = new ConcurrentHashMap<>();
  private volatile CountDownLatch gate = new CountDownLatch(0);

  /** Steps are Operations or Statuses. */
  void script(String name, Object... steps) {
    scripts.put(name, new ArrayDeque<>(List.of(steps)));
  }

  /** Holds every Wait/GetOperation until {@link #release()}. */
  void hold() {
    gate = new CountDownLatch(1);
  }

  void release() {
    gate.countDown();
  }

  @Override
  public void waitOperation(WaitOperationRequest request, StreamObserver<Operation> responses) {
    if (waitUnimplemented) {
      super.waitOperation(request, responses);
      return;
    }
    waits.add(request);
    waitCount.release();
    waitDeadlines.add(Context.current().getDeadline());
    answer(request.getName(), responses);
  }

  @Override
  public void getOperation(GetOperationRequest request, StreamObserver<Operation> responses) {
    gets.add(request.getName());
    answer(request.getName(), responses);
  }

  @Override
  public void cancelOperation(CancelOperationRequest request, StreamObserver<Empty> responses) {
    cancels.add(request.getName());
    if (rejectCancel != null) {
      responses.onError(rejectCancel.asRuntimeException());
      return;
    }
    // As a server does: the operation stops at its next safe point and ends with CANCELLED.
    script(request.getName(), Operation.newBuilder().setName(request.getName()).setDone(true)
        .setError(com.google.rpc.Status.newBuilder().setCode(Status.Code.CANCELLED.value())
            .setMessage("cancelled by the caller"))
        .build());
    responses.onNext(Empty.getDefaultInstance());
    responses.onCompleted();
  }

  @Override
  public void deleteOperation(DeleteOperationRequest request, StreamObserver<Empty> responses) {
    deletes.add(request.getName());
    responses.onNext(Empty.getDefaultInstance());
    responses.onCompleted();
  }

  private void answer(String name, StreamObserver<Operation> responses) {
    try {
      if (!gate.await(10, TimeUnit.SECONDS)) {
        throw new AssertionError("the test never released the held operations");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Object step = nextStep(name);
    if (step instanceof Status status) {
      responses.onError(status.asRuntimeException());
    } else {
      responses.onNext((Operation) step);
      responses.onCompleted();
    }
  }

  private Object nextStep(String name) {
    Deque<Object> script = scripts.get(name);
    if (script == null) {
      return Status.NOT_FOUND.withDescription("operation '" + name + "' does not exist");
    }
    synchronized (script) {
      return script.size() > 1 ? script.poll() : script.peek();
    }
  }
}
