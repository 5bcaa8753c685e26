package dev.nimbus.cli;

import com.google.longrunning.ListOperationsRequest;
import com.google.longrunning.Operation;
import dev.nimbus.client.Names;
import dev.nimbus.client.NimbusClient;
import dev.nimbus.v1.OperationMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

/** {@code nimbus operations ...}: the server's long-running operations (imports, deletions, training...). */
@Command(name = "operations",
    description = "List, inspect, wait for and cancel long-running operations (imports, deletions, training).",
    subcommands = {OperationsCommand.ListOperations.class, OperationsCommand.Get.class, OperationsCommand.Wait.class,
        OperationsCommand.Cancel.class},
    footerHeading = "%nExamples:%n",
    footer = {
        "  nimbus operations list --state RUNNING",
        "  nimbus operations wait operations/3f2a9c",
        "  nimbus operations cancel 3f2a9c"})
final class OperationsCommand {
  static final String NAME_DESCRIPTION = "The operation: operations/ID or just ID.";
  /** Without a terminal to redraw, there is no reason to come back before the server's own cap. */
  private static final Duration QUIET_WAIT_SLICE = Duration.ofSeconds(60);

  private OperationsCommand() {}

  /** Kinds and states by name, in any case, without the UNSPECIFIED and UNRECOGNIZED values nobody filters on. */
  abstract static class EnumName<E extends Enum<E>> implements ITypeConverter<E>, Iterable<String> {
    private final E[] values;

    EnumName(E[] values) {
      this.values = values;
    }

    @Override
    public E convert(String value) {
      for (E e : values) {
        if (e.name().equalsIgnoreCase(value.strip()) && usable(e)) {
          return e;
        }
      }
      throw new TypeConversionException("'" + value + "' (expected one of: " + String.join(", ", this) + ")");
    }

    @Override
    public Iterator<String> iterator() {
      return Arrays.stream(values).filter(EnumName::usable).map(Enum::name).iterator();
    }

    private static boolean usable(Enum<?> e) {
      return !e.name().endsWith("_UNSPECIFIED") && !e.name().equals("UNRECOGNIZED");
    }
  }

  static final class KindName extends EnumName<OperationMetadata.Kind> {
    KindName() {
      super(OperationMetadata.Kind.values());
    }
  }

  static final class StateName extends EnumName<OperationMetadata.State> {
    StateName() {
      super(OperationMetadata.State.values());
    }
  }

  @Command(name = "list", description = "List operations, newest first.",
      footerHeading = "%nExamples:%n",
      footer = {
          "  nimbus operations list --kind IMPORT_DATA --state RUNNING",
          "  nimbus operations list --limit 10 \\",
          "      --filter 'target = \"datasets/clouds\" AND done = true'"})
  static final class ListOperations extends NimbusCommand.WithClient {
    @Option(names = "--filter", paramLabel = "EXPR",
        description = "Terms joined by AND: kind = IMPORT_DATA, state = RUNNING, target = \"datasets/clouds\","
            + " done = true.")
    String filter;

    @Option(names = "--kind", paramLabel = "KIND", converter = KindName.class, completionCandidates = KindName.class,
        description = "Only this kind: ${COMPLETION-CANDIDATES}.")
    OperationMetadata.Kind kind;

    @Option(names = "--state", paramLabel = "STATE", converter = StateName.class,
        completionCandidates = StateName.class, description = "Only this state: ${COMPLETION-CANDIDATES}.")
    OperationMetadata.State state;

    @Option(names = "--limit", paramLabel = "N", description = "At most N operations (default: all).")
    Integer limit;

    @Override
    protected int run(NimbusClient client) {
      if (limit != null && limit <= 0) {
        throw new UsageException("--limit: " + limit + " (expected: a number > 0)");
      }
      ListOperationsRequest.Builder request = ListOperationsRequest.newBuilder().setName("operations")
          .setFilter(filter());
      if (limit != null) {
        request.setPageSize(Math.min(limit, 1000));
      }
      // The SDK's iterable fetches a page only when reached, so a limit stops the paging too.
      List<Operation> operations = client.operations().list(request.build()).stream()
          .limit(limit == null ? Long.MAX_VALUE : limit)
          .toList();
      if (json()) {
        out().println(Json.list("operations", operations));
        return OK;
      }
      if (operations.isEmpty()) {
        out().println("No operations" + (filter().isEmpty() ? "" : " match " + filter()) + ".");
        return OK;
      }
      Table table = new Table("NAME", "KIND", "TARGET", "STATE", "PROGRESS", "CREATED", "STATUS");
      for (Operation op : operations) {
        OperationMetadata m = OperationView.metadata(op);
        table.row(op.getName(), Text.name(m.getKind()), m.getTarget(), Text.name(m.getState()),
            Text.percent(m.getProgressPercent()), Text.time(m.getCreateTime()), m.getStatusMessage());
      }
      table.print(out());
      return OK;
    }

    String filter() {
      List<String> terms = new ArrayList<>();
      if (filter != null && !filter.isBlank()) {
        terms.add(filter.strip());
      }
      if (kind != null) {
        terms.add("kind = " + kind.name());
      }
      if (state != null) {
        terms.add("state = " + state.name());
      }
      return String.join(" AND ", terms);
    }
  }

  @Command(name = "get", description = "Show one operation: state, progress, counts and failed rows.",
      footerHeading = "%nExamples:%n",
      footer = {"  nimbus operations get operations/3f2a9c", "  nimbus operations get 3f2a9c --format json"})
  static final class Get extends NimbusCommand.WithClient {
    @Parameters(paramLabel = "NAME", description = NAME_DESCRIPTION)
    String name;

    @Override
    protected int run(NimbusClient client) {
      Operation op = client.operations().get(name);
      if (json()) {
        out().println(Json.print(op));
      } else {
        OperationView.printDetails(out(), op);
      }
      return OK;
    }
  }

  @Command(name = "wait",
      description = {"Wait until an operation is done and show how it ended.",
          "Exits 1 if it failed or was cancelled, or if --timeout passes first (the operation goes on)."},
      footerHeading = "%nExamples:%n",
      footer = {"  nimbus operations wait operations/3f2a9c", "  nimbus operations wait 3f2a9c --timeout 600"})
  static final class Wait extends NimbusCommand.WithClient {
    @Parameters(paramLabel = "NAME", description = NAME_DESCRIPTION)
    String name;

    @Option(names = "--timeout", paramLabel = "SECONDS", converter = GlobalOptions.PositiveSeconds.class,
        description = "Give up after this long (default: wait as long as it takes).")
    Duration timeout;

    @Override
    protected int run(NimbusClient client) {
      String operation = Names.operation(name);
      long giveUpAt = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
      Operation op = client.operations().get(operation);
      if (!op.getDone() && context().interactive()) {
        err().println("Waiting for " + operation + "; Ctrl-C stops waiting, not the operation.");
        err().flush();
      }
      try (Waiting.Resumable resumable = Waiting.Resumable.register(this, operation);
          Progress progress = Progress.start(context(), "Waiting")) {
        while (!op.getDone()) {
          progress.update(OperationView.metadata(op));
          long left = giveUpAt - System.nanoTime();
          if (left <= 0) {
            break;
          }
          // Short slices on a terminal keep the bar moving; WaitOperation returns at once when the operation ends.
          Duration slice = context().interactive() ? GlobalOptions.POLL_INTERVAL : QUIET_WAIT_SLICE;
          op = client.operations().wait(operation, Duration.ofNanos(Math.min(left, slice.toNanos())));
        }
        progress.update(OperationView.metadata(op));
      }
      if (json()) {
        out().println(Json.print(op));
      } else {
        OperationView.printDetails(out(), op);
      }
      if (!op.getDone()) {
        OperationMetadata m = OperationView.metadata(op);
        throw new CommandFailedException(String.format(Locale.ROOT,
            "gave up waiting after %s: %s is still %s (%s); it goes on on the server", seconds(timeout), operation,
            Text.name(m.getState()), Text.percent(m.getProgressPercent())));
      }
      if (OperationView.failed(op)) {
        throw new CommandFailedException(OperationView.failureLine(op));
      }
      return OK;
    }

    private static String seconds(Duration d) {
      return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : String.format(Locale.ROOT, "%.1f s",
          d.toMillis() / 1000.0);
    }
  }

  @Command(name = "cancel",
      description = {"Ask the server to cancel an operation; it stops at its next safe point.",
          "An import keeps the images imported so far. Follow it with `nimbus operations wait`."},
      footerHeading = "%nExamples:%n",
      footer = {"  nimbus operations cancel operations/3f2a9c", "  nimbus operations wait operations/3f2a9c"})
  static final class Cancel extends NimbusCommand.WithClient {
    @Parameters(paramLabel = "NAME", description = NAME_DESCRIPTION)
    String name;

    @Override
    protected int run(NimbusClient client) {
      String operation = Names.operation(name);
      client.operations().cancel(operation);
      Operation op = client.operations().get(operation);
      if (json()) {
        out().println(Json.print(op));
        return OK;
      }
      OperationMetadata m = OperationView.metadata(op);
      if (op.getDone() && !m.getCancelRequested()) {
        out().println(operation + " had already finished (" + Text.name(m.getState()) + "); nothing to cancel.");
      } else if (op.getDone()) {
        out().println(operation + " is done (" + Text.name(m.getState()) + ").");
      } else {
        out().println("Cancel requested for " + operation + " (" + Text.name(m.getKind()) + " " + m.getTarget()
            + "); it stops at its next safe point. Follow it with: nimbus operations wait " + operation);
      }
      return OK;
    }
  }
}
