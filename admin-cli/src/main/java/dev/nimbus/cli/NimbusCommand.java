package dev.nimbus.cli;

import dev.nimbus.client.NimbusClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The base of every command that does something. Exit codes tell scripts whose fault a failure was:
 * <ul>
 *   <li>{@link #OK} 0: done;
 *   <li>{@link #FAILURE} 1: the server said no (any gRPC error), an operation failed or was cancelled, a wait
 *       timed out, or the server could not be reached;
 *   <li>{@link #USAGE} 2: the command line is wrong (unknown option, missing or malformed argument, a local file
 *       that does not exist, options that do not go together, server settings that do not validate).
 * </ul>
 */
public abstract class NimbusCommand implements Callable<Integer> {
  public static final int OK = 0;
  public static final int FAILURE = 1;
  public static final int USAGE = 2;

  @Spec
  protected CommandSpec spec;

  protected final Main root() {
    return (Main) spec.root().userObject();
  }

  protected final GlobalOptions globals() {
    return root().globals();
  }

  protected final CliContext context() {
    return root().context();
  }

  protected final boolean json() {
    return globals().json();
  }

  /** The result: a table or JSON. Nothing else goes here in JSON mode. */
  protected final PrintWriter out() {
    return spec.commandLine().getOut();
  }

  /** Notes for the person, errors, progress. */
  protected final PrintWriter err() {
    return spec.commandLine().getErr();
  }

  /** A command that talks to a server: gets a client built from the global options, closed when it returns. */
  public abstract static class WithClient extends NimbusCommand {
    @Override
    public final Integer call() throws Exception {
      try (NimbusClient client = globals().newClient(context())) {
        return run(client);
      } finally {
        out().flush();
        err().flush();
      }
    }

    protected abstract int run(NimbusClient client) throws Exception;
  }
}
