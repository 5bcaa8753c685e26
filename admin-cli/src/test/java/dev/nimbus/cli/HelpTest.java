package dev.nimbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command explains itself: a description, examples, and a help text that fits an 80-column terminal. */
class HelpTest {
  @Test
  void everyCommand_hasADescriptionAndExamples_andHelpFitsTheTerminal() {
    List<String> commands = new ArrayList<>();
    collect(Main.newCommandLine(Cli.quiet()), commands);
    assertThat(commands).contains("nimbus", "nimbus server", "nimbus datasets import", "nimbus operations cancel");
    for (String command : commands) {
      String[] args = (command.substring("nimbus".length()).strip() + " --help").strip().split(" ");
      Cli.Result help = Cli.succeeded(Cli.run(args));
      assertThat(help.out()).as(command).startsWith("Usage: " + command).contains("Examples:\n  nimbus");
      assertThat(help.out().lines()).as(command).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(80));
      assertThat(help.err()).as(command).isEmpty();
    }
  }

  @Test
  void nimbusAlone_showsTheCommands_andExits2() {
    Cli.Result result = Cli.run();
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("Usage: nimbus").contains("server").contains("datasets")
        .contains("operations");
  }

  @Test
  void version_printsTheBuildsVersionAndJava() {
    Cli.Result result = Cli.succeeded(Cli.run("--version"));
    assertThat(result.out()).matches("(?s)nimbus \\d+\\.\\d+\\.\\d+\\S*\nJava \\d+.*");
  }

  private static void collect(CommandLine commandLine, List<String> names) {
    CommandLine.Model.CommandSpec spec = commandLine.getCommandSpec();
    assertThat(spec.usageMessage().description()).as(spec.qualifiedName()).isNotEmpty();
    names.add(spec.qualifiedName());
    commandLine.getSubcommands().values().forEach(sub -> collect(sub, names));
  }
}
