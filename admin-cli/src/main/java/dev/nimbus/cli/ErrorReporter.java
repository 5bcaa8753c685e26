package dev.nimbus.cli;

import dev.nimbus.client.ArgumentException;
import dev.nimbus.client.NimbusErrors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The one place that turns what went wrong into an exit code and a single line on stderr a person can act on;
 * the stack trace follows only with {@code -v}. Commands just throw: gRPC errors as the SDK throws them,
 * {@link UsageException} and {@link CommandFailedException} for their own verdicts.
 */
final class ErrorReporter implements IExecutionExceptionHandler, IParameterExceptionHandler {
  private final CliContext context;

  ErrorReporter(CliContext context) {
    this.context = context;
  }

  /** Picocli could not parse the command line: exit 2, with the command and where to read its usage. */
  @Override
  public int handleParseException(ParameterException e, String[] args) {
    CommandLine commandLine = e.getCommandLine();
    PrintWriter err = commandLine.getErr();
    String command = commandLine.getCommandSpec().qualifiedName();
    if (!commandLine.getSubcommands().isEmpty() && e.getMessage().startsWith("Missing required subcommand")) {
      // "nimbus datasets" alone: the list of what it can do says more than any one-liner.
      commandLine.usage(err);
      err.flush();
      return NimbusCommand.USAGE;
    }
    String message = e.getMessage();
    if (e instanceof UnmatchedArgumentException unmatched) {
      List<String> suggestions = unmatched.getSuggestions();
      if (!suggestions.isEmpty()) {
        message += " (did you mean " + String.join(" or ", suggestions.subList(0, Math.min(3, suggestions.size())))
            + "?)";
      }
    }
    err.println(command + ": " + oneLine(message) + " (see '" + command + " --help')");
    err.flush();
    return NimbusCommand.USAGE;
  }

  @Override
  public int handleExecutionException(Exception e, CommandLine commandLine, ParseResult parseResult) {
    Main root = (Main) commandLine.getCommandSpec().root().userObject();
    GlobalOptions globals = root.globals();
    PrintWriter err = commandLine.getErr();
    commandLine.getOut().flush();
    int exitCode;
    String message;
    if (e instanceof UsageException) {
      exitCode = NimbusCommand.USAGE;
      message = commandLine.getCommandSpec().qualifiedName() + ": " + e.getMessage() + " (see '"
          + commandLine.getCommandSpec().qualifiedName() + " --help')";
    } else if (e instanceof ArgumentException) {
      // The SDK checks the shape of names and settings before calling: what was typed is wrong. (Any other
      // IllegalArgumentException is a bug, reported as unexpected below.)
      exitCode = NimbusCommand.USAGE;
      message = commandLine.getCommandSpec().qualifiedName() + ": " + e.getMessage();
    } else if (e instanceof StatusRuntimeException status) {
      exitCode = NimbusCommand.FAILURE;
      message = describe(status, globals);
    } else if (e instanceof CommandFailedException) {
      exitCode = NimbusCommand.FAILURE;
      message = e.getMessage();
    } else if (e instanceof IOException || e instanceof UncheckedIOException) {
      // A local file could not be read or written (permissions, a full disk): say which and why.
      exitCode = NimbusCommand.FAILURE;
      Throwable io = e instanceof UncheckedIOException unchecked ? unchecked.getCause() : e;
      message = (e instanceof UncheckedIOException ? e.getMessage() + ": " : "") + io.getClass().getSimpleName()
          + ": " + io.getMessage();
    } else {
      exitCode = NimbusCommand.FAILURE;
      message = "unexpected error: " + e + (globals.verbose() ? "" : " (run with -v for the stack trace)");
    }
    // A usage error names the command it is about, as picocli's own do; anything else is said by "nimbus".
    err.println((exitCode == NimbusCommand.USAGE ? "" : "nimbus: ") + oneLine(message));
    if (globals.verbose()) {
      e.printStackTrace(err);
    }
    err.flush();
    return exitCode;
  }

  /** The SDK's one line, with what to do about the errors whose fix is on this side. */
  private String describe(StatusRuntimeException e, GlobalOptions globals) {
    Status status = e.getStatus();
    String target = globals.target(context);
    return switch (status.getCode()) {
      case UNAVAILABLE -> {
        // A local cause (connection refused, TLS handshake) says why best; otherwise the server's own words.
        Throwable cause = status.getCause();
        String why = cause != null && cause.getMessage() != null ? cause.getMessage() : NimbusErrors.describe(e);
        yield "cannot reach the Nimbus server at " + target + " (" + why + "); is `nimbus server` running?";
      }
      case UNAUTHENTICATED -> NimbusErrors.describe(e)
          + (globals.apiKeyGiven(context) ? "" : " (give a key with --api-key or $" + GlobalOptions.API_KEY_ENV + ")");
      case DEADLINE_EXCEEDED -> NimbusErrors.describe(e) + " (the server at " + target
          + " did not answer in time; --deadline SECONDS allows more)";
      default -> NimbusErrors.describe(e);
    };
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").strip();
  }
}
