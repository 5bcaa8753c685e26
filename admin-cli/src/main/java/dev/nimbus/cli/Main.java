package dev.nimbus.cli;

import java.io.PrintWriter;
import java.nio.charset.Charset;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code nimbus} command: nouns, then verbs ({@code nimbus datasets import}). This class is the root of the
 * tree and holds the options every command inherits; {@link #newCommandLine} builds the whole tree, which is
 * what tests drive with their own output streams.
 */
@Command(name = "nimbus",
    description = "Nimbus, a self-hosted AutoML Vision: run the server, import labeled images, train, evaluate,"
        + " deploy and predict; follow long-running operations.",
    subcommands = {QuickstartCommand.class, ServerCommand.class, SampleDataCommand.class, DatasetsCommand.class,
        ModelsCommand.class, PredictCommand.class, OperationsCommand.class},
    synopsisSubcommandLabel = "COMMAND",
    versionProvider = VersionProvider.class,
    footerHeading = "%nExamples:%n",
    footer = {
        "  nimbus quickstart                    # the whole lab, start to finish",
        "  nimbus server --data-dir ./nimbus-data",
        "  nimbus sample-data clouds --out ./clouds",
        "  nimbus datasets create clouds",
        "  nimbus datasets import clouds ./clouds/labels.csv",
        "  nimbus datasets stats clouds --format json",
        "  nimbus operations list --state RUNNING",
        "",
        "Exit codes:",
        "  0  done",
        "  1  the server refused, or could not be reached; an operation failed or was",
        "     cancelled",
        "  2  the command line is wrong: unknown option, missing argument, missing",
        "     local file",
        "Run 'nimbus COMMAND --help' for the options of a command."})
public final class Main {
  @Mixin
  private GlobalOptions globals = new GlobalOptions();

  @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT, description = "Show this help.")
  boolean help;

  @Option(names = "--version", versionHelp = true, description = "Show the version of Nimbus and exit.")
  boolean version;

  private final CliContext context;

  private Main(CliContext context) {
    this.context = context;
  }

  public static void main(String[] args) {
    System.exit(newCommandLine(CliContext.system()).execute(args));
  }

  /**
   * The whole command tree, ready to {@link CommandLine#execute}. Output goes to stdout and stderr unless the
   * caller sets its own writers ({@link CommandLine#setOut}, {@link CommandLine#setErr}) before executing.
   */
  public static CommandLine newCommandLine(CliContext context) {
    CommandLine commandLine = new CommandLine(new Main(context));
    ServerCommand.addSettingOptions(commandLine.getSubcommands().get("server").getCommandSpec());
    HelpLayout.apply(commandLine);
    ErrorReporter errors = new ErrorReporter(context);
    commandLine.setCaseInsensitiveEnumValuesAllowed(true)
        .setUsageHelpAutoWidth(false)
        .setOut(new PrintWriter(System.out, true, Charset.defaultCharset()))
        .setErr(new PrintWriter(System.err, true, Charset.defaultCharset()))
        .setParameterExceptionHandler(errors)
        .setExecutionExceptionHandler(errors);
    return commandLine;
  }

  GlobalOptions globals() {
    return globals;
  }

  CliContext context() {
    return context;
  }
}
