package dev.nimbus.cli;

import java.io.Console;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.Map;

/**
 * What the commands take from the process they run in, so that tests can run them in-process: the environment
 * the server settings are read from, whether a person is watching (progress bars), where progress goes, and how
 * shutdown hooks are registered (a test must not leave hooks behind in its JVM).
 *
 * @param env environment variables, as {@link System#getenv()}
 * @param interactive a terminal is attached: progress bars are drawn
 * @param progress where progress bars are drawn (stderr), never stdout, which carries the result
 * @param progressWidth the width of a progress bar line; 0 asks the terminal
 * @param shutdownHooks registers and removes JVM shutdown hooks
 */
public record CliContext(Map<String, String> env, boolean interactive, PrintStream progress, int progressWidth,
    ShutdownHooks shutdownHooks) {

  /** Registers and removes JVM shutdown hooks; {@link #RUNTIME} in production. */
  public interface ShutdownHooks {
    ShutdownHooks RUNTIME = new ShutdownHooks() {
      @Override
      public void add(Thread hook) {
        Runtime.getRuntime().addShutdownHook(hook);
      }

      @Override
      public void remove(Thread hook) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // The JVM is exiting and runs the hook anyway.
        }
      }
    };

    void add(Thread hook);

    void remove(Thread hook);
  }

  /** The real process: its environment, its terminal and stderr. */
  public static CliContext system() {
    return new CliContext(System.getenv(), attachedToTerminal(), System.err, 0, ShutdownHooks.RUNTIME);
  }

  /**
   * Java 17's {@code System.console()} is non-null only when stdin and stdout are both terminals; from Java 22 it
   * is non-null more often, and {@code Console.isTerminal()} tells the truth, so ask that when it exists.
   */
  static boolean attachedToTerminal() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      Method isTerminal = Console.class.getMethod("isTerminal");
      return (Boolean) isTerminal.invoke(console);
    } catch (ReflectiveOperationException olderJava) {
      return true;
    }
  }
}
