package dev.nimbus.cli;

import com.google.longrunning.Operation;
import dev.nimbus.client.NimbusClient;
import dev.nimbus.client.OperationFuture;
import io.grpc.StatusRuntimeException;
import java.util.function.Consumer;

/** Waiting for an operation a command started, with a progress bar when a person watches. */
final class Waiting {
  private Waiting() {}

  /**
   * Waits for {@code future} and returns the operation as the server finally reports it: done, with its metadata
   * (counts, partial failures) and its response or error. A failed operation is returned, not thrown; a failure
   * to follow it (the server went away, say) is thrown.
   */
  static Operation finish(NimbusClient client, OperationFuture<?> future, NimbusCommand command, String task) {
    CliContext context = command.context();
    if (context.interactive()) {
      command.err().println("Waiting for " + future.name() + "; Ctrl-C stops waiting, not the operation.");
      command.err().flush();
    }
    try (Resumable resumable = Resumable.register(command, future.name());
        Progress progress = Progress.start(context, task)) {
      future.onProgress(progress::update);
      Operation done = awaitDone(client, future);
      // onProgress hands over updates on the SDK's thread, possibly after the future completed: draw the end
      // here, so that the bar always closes on the final counts.
      progress.update(OperationView.metadata(done));
      return done;
    }
  }

  /**
   * While a command waits for an operation: Ctrl-C ends the command, not the operation, and this says so, with
   * the commands that pick it up again or stop it.
   */
  static final class Resumable implements AutoCloseable {
    private final CliContext context;
    private final Thread hook;

    private Resumable(CliContext context, Thread hook) {
      this.context = context;
      this.hook = hook;
    }

    static Resumable register(NimbusCommand command, String operation) {
      Thread hook = new Thread(() -> {
        command.err().println();
        command.err().println("Stopped waiting. " + operation + " keeps running on the server; follow it with"
            + " 'nimbus operations wait " + operation + "', or stop it with 'nimbus operations cancel "
            + operation + "'.");
        command.err().flush();
      }, "nimbus-stopped-waiting");
      command.context().shutdownHooks().add(hook);
      return new Resumable(command.context(), hook);
    }

    @Override
    public void close() {
      context.shutdownHooks().remove(hook);
    }
  }

  /**
   * What every command that starts an operation does: with {@code noWait} print it and return; otherwise wait
   * (progress bar on a terminal), print the operation as JSON in JSON mode, fail with its error if it failed or was
   * cancelled, and let {@code summary} print the result for people in table mode.
   */
  static int follow(NimbusCommand command, NimbusClient client, OperationFuture<?> future, boolean noWait,
      String task, Consumer<Operation> summary) {
    if (noWait) {
      DatasetsCommand.printStarted(command, client, future);
      return NimbusCommand.OK;
    }
    Operation done = finish(client, future, command, task);
    if (command.json()) {
      command.out().println(Json.print(done));
    }
    if (OperationView.failed(done)) {
      throw new CommandFailedException(OperationView.failureLine(done));
    }
    if (!command.json()) {
      summary.accept(done);
    }
    return NimbusCommand.OK;
  }

  private static Operation awaitDone(NimbusClient client, OperationFuture<?> future) {
    try {
      future.await();
    } catch (StatusRuntimeException e) {
      // Either the operation failed, and the operation itself says how, or following it failed.
      Operation operation = getQuietly(client, future.name());
      if (operation != null && operation.getDone()) {
        return operation;
      }
      throw e;
    } catch (IllegalStateException e) {
      // The SDK found the server's answer malformed (done without a result, say): a server fault, said as one.
      throw new CommandFailedException("the server sent a malformed report on " + future.name() + ": "
          + e.getMessage() + "; `nimbus operations get " + future.name() + "` shows where it stands now");
    }
    // The future holds the response only; the final metadata (with every rejected row) is the server's.
    return client.operations().get(future.name());
  }

  private static Operation getQuietly(NimbusClient client, String name) {
    try {
      return client.operations().get(name);
    } catch (StatusRuntimeException e) {
      return null;
    }
  }
}
