package dev.nimbus.server.grpc;

import com.google.longrunning.CancelOperationRequest;
import com.google.longrunning.DeleteOperationRequest;
import com.google.longrunning.GetOperationRequest;
import com.google.longrunning.ListOperationsRequest;
import com.google.longrunning.ListOperationsResponse;
import com.google.longrunning.Operation;
import com.google.longrunning.OperationsGrpc;
import com.google.longrunning.WaitOperationRequest;
import com.google.protobuf.Empty;
import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.operation.OperationManager;
import dev.nimbus.server.operation.OperationRecord;
import dev.nimbus.server.util.ListQueries;
import dev.nimbus.server.util.Protos;
import dev.nimbus.server.util.ResourceNames;
import dev.nimbus.v1.OperationMetadata;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The standard {@code google.longrunning.Operations} service. ListOperations filters on {@code kind},
 * {@code state}, {@code target} and {@code done}, newest first. WaitOperation holds no thread while it waits.
 * Names another API gives its operations (Cloud AutoML's {@code projects/p/locations/l/operations/x}) are
 * answered through that API's {@link Dialect}: the same operations, shown as that API shows them.
 */
public final class OperationsGrpcService extends OperationsGrpc.OperationsImplBase {
  /** WaitOperation returns after at most this long, done or not; callers wait again. */
  static final Duration MAX_WAIT = Duration.ofMinutes(5);

  /** How another API names and shows operations. */
  public interface Dialect {
    /** Whether {@code name} (an operation, or a collection's parent for ListOperations) is this dialect's. */
    boolean owns(String name);

    /** The operation {@code name} denotes, if the dialect answers it without a native one (one created done). */
    Optional<Operation> own(String name);

    /** The native operation id {@code name} denotes. */
    String nativeId(String name);

    /** A native operation as the dialect shows it; {@code name} is the name the caller used, or the parent. */
    Operation present(String name, Operation operation);

    /** The dialect's name for native operation {@code id}, under the parent a ListOperations call named. */
    String childName(String parent, String id);
  }

  private final OperationManager operations;
  private final List<Dialect> dialects;

  public OperationsGrpcService(OperationManager operations, List<Dialect> dialects) {
    this.operations = operations;
    this.dialects = List.copyOf(dialects);
  }

  private Optional<Dialect> dialect(String name) {
    return dialects.stream().filter(d -> d.owns(name)).findFirst();
  }

  /** The native operation {@code name} denotes; empty for one a dialect answers itself (nothing to cancel). */
  private Optional<String> nativeId(String name) {
    Optional<Dialect> dialect = dialect(name);
    if (dialect.isEmpty()) {
      return Optional.of(ResourceNames.operationId("name", name));
    }
    return dialect.get().own(name).isPresent() ? Optional.empty() : Optional.of(dialect.get().nativeId(name));
  }

  @Override
  public void getOperation(GetOperationRequest request, StreamObserver<Operation> response) {
    String name = request.getName();
    Optional<Dialect> dialect = dialect(name);
    if (dialect.isPresent()) {
      Dialect d = dialect.get();
      Optional<Operation> own = d.own(name);
      Unary.reply(response, own.orElseGet(() -> d.present(name, operations.get(d.nativeId(name)))));
      return;
    }
    Unary.reply(response, operations.get(ResourceNames.operationId("name", name)));
  }

  @Override
  public void listOperations(ListOperationsRequest request, StreamObserver<ListOperationsResponse> response) {
    Optional<Dialect> dialect = dialect(request.getName());
    if (dialect.isPresent()) {
      dialect.get().childName(request.getName(), "x"); // checks the parent's name before anything is listed
      ListOperationsResponse all = list(request.toBuilder().setName("").build());
      ListOperationsResponse.Builder b = all.toBuilder().clearOperations();
      for (Operation o : all.getOperationsList()) {
        String id = o.getName().substring("operations/".length());
        b.addOperations(dialect.get().present(dialect.get().childName(request.getName(), id), o));
      }
      Unary.reply(response, b.build());
      return;
    }
    Unary.reply(response, list(request));
  }

  private ListOperationsResponse list(ListOperationsRequest request) {
    if (!request.getName().isEmpty() && !request.getName().equals("operations")) {
      throw ApiException.invalidArgument("name", "name: '" + ResourceNames.abbreviate(request.getName())
          + "' (expected: empty or 'operations')");
    }
    int size = ListQueries.pageSize(request.getPageSize());
    Map<String, String> filter = ListQueries.filter(request.getFilter(), Set.of("kind", "state", "target", "done"));
    Integer kind = null;
    if (filter.containsKey("kind")) {
      kind = ListQueries.enumValue("kind", filter.get("kind"), OperationMetadata.Kind.values()).getNumber();
    }
    Integer state = null;
    if (filter.containsKey("state")) {
      state = ListQueries.enumValue("state", filter.get("state"), OperationMetadata.State.values()).getNumber();
    }
    Boolean done = null;
    if (filter.containsKey("done")) {
      String d = filter.get("done").toLowerCase(Locale.ROOT);
      if (!d.equals("true") && !d.equals("false")) {
        throw ApiException.invalidArgument("filter", "filter: done = '" + ResourceNames.abbreviate(d)
            + "' (expected: true or false)");
      }
      done = d.equals("true");
    }
    String scope = "operations|" + request.getFilter();
    String after = ListQueries.resumeKey(scope, request.getPageToken());
    long[] afterTime = null;
    String afterId = null;
    if (!after.isEmpty()) {
      int colon = after.indexOf(':');
      try {
        afterTime = new long[] {Long.parseLong(after.substring(0, colon))};
        afterId = after.substring(colon + 1);
      } catch (RuntimeException e) {
        throw ApiException.invalidArgument("page_token", "page_token is not one this list returned");
      }
    }
    List<OperationRecord> rows = operations.operations().list(kind, state, filter.get("target"), done, afterTime,
        afterId, size + 1);
    ListOperationsResponse.Builder b = ListOperationsResponse.newBuilder();
    for (int i = 0; i < Math.min(size, rows.size()); i++) {
      OperationRecord r = rows.get(i);
      b.addOperations(operations.view(r));
    }
    if (rows.size() > size) {
      OperationRecord last = rows.get(size - 1);
      long t = last.metadata().getCreateTime().getSeconds() * 1000 + last.metadata().getCreateTime().getNanos() / 1_000_000;
      b.setNextPageToken(ListQueries.token(scope, t + ":" + last.id()));
    }
    return b.build();
  }

  @Override
  public void deleteOperation(DeleteOperationRequest request, StreamObserver<Empty> response) {
    nativeId(request.getName()).ifPresent(operations::delete);
    Unary.reply(response, Empty.getDefaultInstance());
  }

  @Override
  public void cancelOperation(CancelOperationRequest request, StreamObserver<Empty> response) {
    nativeId(request.getName()).ifPresent(operations::cancel);
    Unary.reply(response, Empty.getDefaultInstance());
  }

  /**
   * Returns when the operation is done, or when the timeout passes (default and cap: 5 minutes), or shortly
   * before the call's own deadline, whichever is first.
   */
  @Override
  public void waitOperation(WaitOperationRequest request, StreamObserver<Operation> response) {
    String name = request.getName();
    Optional<Dialect> dialect = dialect(name);
    Optional<Operation> own = dialect.flatMap(d -> d.own(name));
    if (own.isPresent()) {
      Unary.reply(response, own.get());
      return;
    }
    String id = dialect.isPresent() ? dialect.get().nativeId(name) : ResourceNames.operationId("name", name);
    Duration timeout = request.hasTimeout() ? Protos.duration(request.getTimeout()) : MAX_WAIT;
    if (timeout.isNegative()) {
      throw ApiException.invalidArgument("timeout", "timeout: " + timeout + " (expected: >= 0)");
    }
    if (timeout.compareTo(MAX_WAIT) > 0) {
      timeout = MAX_WAIT;
    }
    Deadline deadline = Context.current().getDeadline();
    if (deadline != null) {
      long left = deadline.timeRemaining(TimeUnit.MILLISECONDS) - 50;
      timeout = Duration.ofMillis(Math.max(0, Math.min(timeout.toMillis(), left)));
    }
    Unary.replyLater(response, dialect.isEmpty() ? operations.await(id, timeout)
        : operations.await(id, timeout).thenApply(o -> dialect.get().present(name, o)));
  }


}
