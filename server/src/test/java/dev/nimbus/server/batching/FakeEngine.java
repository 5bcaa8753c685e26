package dev.nimbus.server.batching;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A model's runner factory for tests: each runner maps an input {@code x} to {@code "out:" + x} (unless told to
 * behave otherwise), records every batch it runs, and counts its closes.
 */
final class FakeEngine implements Supplier<BatchRunner<String, String>> {

  @FunctionalInterface
  interface Behaviour {
    List<String> run(FakeRunner runner, List<String> inputs) throws Exception;
  }

  final String name;
  /** Every batch of this engine, in the order they ran. */
  final List<List<String>> batches = new CopyOnWriteArrayList<>();
  final List<FakeRunner> runners = new CopyOnWriteArrayList<>();
  private final List<String> sharedLog;
  private volatile Behaviour behaviour = (runner, inputs) -> echo(inputs);

  FakeEngine(String name) {
    this(name, new CopyOnWriteArrayList<>());
  }

  /** @param sharedLog gets this engine's name each time one of its batches runs */
  FakeEngine(String name, List<String> sharedLog) {
    this.name = name;
    this.sharedLog = sharedLog;
  }

  static List<String> echo(List<String> inputs) {
    return inputs.stream().map(x -> "out:" + x).toList();
  }

  /** {@code prefix0, prefix1, ...} */
  static List<String> images(String prefix, int n) {
    List<String> images = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      images.add(prefix + i);
    }
    return images;
  }

  FakeEngine behave(Behaviour behaviour) {
    this.behaviour = behaviour;
    return this;
  }

  @Override
  public BatchRunner<String, String> get() {
    FakeRunner runner = new FakeRunner(runners.size());
    runners.add(runner);
    return runner;
  }

  int closes() {
    return runners.stream().mapToInt(r -> r.closes.get()).sum();
  }

  final class FakeRunner implements BatchRunner<String, String> {
    final int id;
    final AtomicInteger closes = new AtomicInteger();
    final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    final AtomicInteger runs = new AtomicInteger();

    FakeRunner(int id) {
      this.id = id;
    }

    @Override
    public List<String> run(List<String> inputs) throws Exception {
      if (closes.get() > 0) {
        throw new IllegalStateException("runner " + id + " of " + name + " ran after close");
      }
      threads.add(Thread.currentThread());
      runs.incrementAndGet();
      batches.add(List.copyOf(inputs));
      sharedLog.add(name);
      return behaviour.run(this, inputs);
    }

    @Override
    public void close() {
      closes.incrementAndGet();
    }
  }
}
