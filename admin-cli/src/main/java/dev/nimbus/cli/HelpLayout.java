package dev.nimbus.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Keeps each command's {@code --help} about that command. The global options are inherited by every command, so
 * picocli would repeat all seven in every synopsis and option list; below the root they are summed up in one line
 * that points to {@code nimbus --help}.
 */
final class HelpLayout {
  private HelpLayout() {}

  static void apply(CommandLine root) {
    for (CommandLine sub : root.getSubcommands().values()) {
      applyBelowRoot(sub);
    }
    root.getCommandSpec().usageMessage().optionListHeading("%nGlobal options (every command takes them):%n")
        .commandListHeading("%nCommands:%n");
  }

  private static void applyBelowRoot(CommandLine commandLine) {
    CommandSpec spec = commandLine.getCommandSpec();
    spec.usageMessage()
        .abbreviateSynopsis(true)
        .parameterListHeading("%nArguments:%n")
        .optionListHeading("%nOptions:%n")
        .commandListHeading("%nCommands:%n");
    commandLine.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST, help -> {
      List<OptionSpec> own = help.commandSpec().options().stream()
          .filter(option -> !option.inherited() || option.usageHelp())
          .filter(option -> !option.hidden())
          .sorted(help.createDefaultOptionSort())
          .toList();
      return help.optionListExcludingGroups(own)
          + "  Global options --target --format --api-key --tls --tls-ca --deadline -v:"
          + System.lineSeparator() + "  see 'nimbus --help'." + System.lineSeparator();
    });
    for (CommandLine sub : commandLine.getSubcommands().values()) {
      applyBelowRoot(sub);
    }
  }
}
