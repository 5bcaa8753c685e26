package dev.nimbus.cli;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.assertj.core.api.Assertions;
import picocli.CommandLine;

/** Runs the {@code nimbus} command line in this JVM with captured stdout and stderr, as a person would type it. */
final class Cli {
  /** What a command printed and how it exited. */
  record Result(int exitCode, String out, String err) {
    /** The lines of stdout. */
    List<String> outLines() {
      return out.lines().toList();
    }

    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
    }
  }

  /** Shutdown hooks recorded rather than registered with the JVM. */
  static final class RecordingHooks implements CliContext.ShutdownHooks {
    final List<Thread> hooks = new CopyOnWriteArrayList<>();

    @Override
    public void add(Thread hook) {
      hooks.add(hook);
    }

    @Override
    public void remove(Thread hook) {
      hooks.remove(hook);
    }
  }

  private Cli() {}

  /** No terminal: no progress bars, as when output is piped. */
  static CliContext quiet() {
    return new CliContext(Map.of(), false, new PrintStream(OutputStream.nullOutputStream()), 120,
        new RecordingHooks());
  }

  /** A terminal whose progress output lands in {@code progress}. */
  static CliContext terminal(ByteArrayOutputStream progress) {
    return new CliContext(Map.of(), true, new PrintStream(progress, true, StandardCharsets.UTF_8), 160,
        new RecordingHooks());
  }

  /** Asserts that a command exited 0, showing its output if not; returns it for more assertions. */
  static Result succeeded(Result result) {
    Assertions.assertThat(result.exitCode()).as(result.toString()).isZero();
    return result;
  }

  static Result run(String... args) {
    return run(quiet(), args);
  }

  static Result run(CliContext context, String... args) {
    return run(Main.newCommandLine(context), args);
  }

  static Result run(CommandLine commandLine, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exitCode = commandLine.execute(args);
    return new Result(exitCode, out.toString(), err.toString());
  }
}
