package dev.nimbus.client;

import static dev.nimbus.client.Checks.requirePositive;
import static java.util.Objects.requireNonNull;

import com.google.longrunning.CancelOperationRequest;
import com.google.longrunning.DeleteOperationRequest;
import com.google.longrunning.GetOperationRequest;
import com.google.longrunning.ListOperationsRequest;
import com.google.longrunning.ListOperationsResponse;
import com.google.longrunning.Operation;
import com.google.longrunning.OperationsGrpc;
import com.google.longrunning.WaitOperationRequest;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.nimbus.v1.OperationMetadata;
import io.grpc.Channel;
import io.grpc.Deadline;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The server's long-running operations ({@code google.longrunning.Operations}), by name: {@code "operations/3f2a"}
 * or just {@code "3f2a"}. Failed calls throw {@link io.grpc.StatusRuntimeException}.
 */
public final class OperationsClient {
  /** The collection ListOperations reads: all operations of the server. */
  static final String COLLECTION = "operations";

  private final OperationsGrpc.OperationsBlockingStub blocking;
  private final OperationsGrpc.OperationsStub async;
  private final OperationPoller poller;
  private final Duration callBudget;
  private final Deadline.Ticker ticker;

  OperationsClient(Channel channel, OperationPoller poller, Duration callBudget, Deadline.Ticker ticker) {
    this.ticker = ticker;
    this.blocking = OperationsGrpc.newBlockingStub(channel);
    this.async = OperationsGrpc.newStub(channel);
    this.poller = poller;
    this.callBudget = callBudget;
  }

  /** The {@link OperationMetadata} packed in an operation, if it has one of that type. */
  public static Optional<OperationMetadata> metadataOf(Operation operation) {
    if (!operation.hasMetadata() || !operation.getMetadata().is(OperationMetadata.class)) {
      return Optional.empty();
    }
    try {
      return Optional.of(operation.getMetadata().unpack(OperationMetadata.class));
    } catch (InvalidProtocolBufferException e) {
      // Progress is informative; an unreadable one must not fail the operation.
      return Optional.empty();
    }
  }

  public Operation get(String name) {
    return blocking.getOperation(getRequest(name));
  }

  public CompletableFuture<Operation> getAsync(String name) {
    return Rpc.unary(async::getOperation, getRequest(name));
  }

  /**
   * All operations matching {@code filter} ({@code ""} for all), fetched page by page as iteration reaches them.
   */
  public PagedIterable<Operation> list(String filter) {
    requireNonNull(filter, "filter");
    return list(ListOperationsRequest.newBuilder().setName(COLLECTION).setFilter(filter).build());
  }

  /** Starts at {@code request}'s page token; its page size and filter are kept for every page. */
  public PagedIterable<Operation> list(ListOperationsRequest request) {
    return PagedIterable.of(request.getPageToken(),
        token -> blocking.listOperations(request.toBuilder().setPageToken(token).build()),
        ListOperationsResponse::getOperationsList, ListOperationsResponse::getNextPageToken);
  }

  public ListOperationsResponse listPage(ListOperationsRequest request) {
    return blocking.listOperations(request);
  }

  public CompletableFuture<ListOperationsResponse> listPageAsync(ListOperationsRequest request) {
    return Rpc.unary(async::listOperations, request);
  }

  /** Asks the server to cancel; the operation stops at its next safe point and ends with a CANCELLED error. */
  public void cancel(String name) {
    blocking.cancelOperation(cancelRequest(name));
  }

  public CompletableFuture<Void> cancelAsync(String name) {
    return Rpc.unary(async::cancelOperation, cancelRequest(name), empty -> null);
  }

  /** Forgets a finished operation on the server. */
  public void delete(String name) {
    blocking.deleteOperation(deleteRequest(name));
  }

  public CompletableFuture<Void> deleteAsync(String name) {
    return Rpc.unary(async::deleteOperation, deleteRequest(name), empty -> null);
  }

  /**
   * Waits on the server until the operation is done or {@code timeout} passes, and returns it as it then is:
   * check {@link Operation#getDone()}. The call's deadline is {@code timeout} plus the client's default deadline.
   */
  public Operation wait(String name, Duration timeout) {
    return blocking.withDeadline(waitDeadline(timeout))
        .waitOperation(waitRequest(name, timeout));
  }

  public CompletableFuture<Operation> waitAsync(String name, Duration timeout) {
    return Rpc.unary(async.withDeadline(waitDeadline(timeout))::waitOperation,
        waitRequest(name, timeout));
  }

  /**
   * Follows an operation started earlier, e.g. by another process, to its response of type
   * {@code responseType} (the type named in the starting method's documentation). A wrong type fails the future
   * with an {@link IllegalStateException}.
   */
  public <R extends Message> OperationFuture<R> future(String name, Class<R> responseType) {
    requireNonNull(responseType, "responseType");
    return poller.attach(Names.operation(name), responseType);
  }

  private Deadline waitDeadline(Duration timeout) {
    return Deadline.after(waitDeadlineNanos(timeout), TimeUnit.NANOSECONDS, ticker);
  }

  private long waitDeadlineNanos(Duration timeout) {
    requirePositive("timeout", timeout);
    return Checks.saturatedNanos(timeout.plus(callBudget));
  }

  private static GetOperationRequest getRequest(String name) {
    return GetOperationRequest.newBuilder().setName(Names.operation(name)).build();
  }

  private static CancelOperationRequest cancelRequest(String name) {
    return CancelOperationRequest.newBuilder().setName(Names.operation(name)).build();
  }

  private static DeleteOperationRequest deleteRequest(String name) {
    return DeleteOperationRequest.newBuilder().setName(Names.operation(name)).build();
  }

  private static WaitOperationRequest waitRequest(String name, Duration timeout) {
    return WaitOperationRequest.newBuilder()
        .setName(Names.operation(name))
        .setTimeout(com.google.protobuf.Duration.newBuilder()
            .setSeconds(timeout.getSeconds()).setNanos(timeout.getNano()))
        .build();
  }
}
