package dev.nimbus.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * CPU used between two snapshots: by the load generator's own threads (those whose name starts with {@link
 * #THREAD_PREFIX}: its event loop, its scheduler, the REST transport's callback pool; and the JDK HttpClients'
 * selector threads, whose names cannot be chosen: the REST transport's, plus the metrics reader's, idle but for one
 * read per window), by this whole JVM, and by the whole machine (from
 * /proc/stat, so what other builds on a shared machine used shows too).
 */
public final class CpuMeter {
  static final String THREAD_PREFIX = "nimbus-loadgen";
  /** java.net.http's I/O thread: {@code HttpClient-<n>-SelectorManager}. */
  private static final Pattern HTTP_CLIENT_SELECTOR = Pattern.compile("HttpClient-\\d+-SelectorManager");

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** {@code generatorThreads}: CPU nanoseconds so far of each generator thread, by thread id. */
  record Snapshot(long nanoTime, Map<Long, Long> generatorThreads, long processCpuNanos, long machineBusyTicks,
      long machineTotalTicks) {}

  /**
   * @param generatorCpuSeconds CPU time of the generator's threads
   * @param generatorCores that divided by the wall time (1.0 = one core busy)
   * @param processCores this JVM's CPU time divided by the wall time (includes an in-process server, if any)
   * @param machineBusy share of all cores' time the machine was busy (0..1), or null where /proc/stat is missing
   */
  public record Usage(double generatorCpuSeconds, double generatorCores, double processCores, Double machineBusy) {}

  private CpuMeter() {}

  static boolean isGenerator(String threadName) {
    return threadName.startsWith(THREAD_PREFIX) || HTTP_CLIENT_SELECTOR.matcher(threadName).matches();
  }

  static Snapshot snapshot() {
    Map<Long, Long> gen = new HashMap<>();
    if (THREADS.isThreadCpuTimeSupported()) {
      long[] ids = THREADS.getAllThreadIds();
      ThreadInfo[] infos = THREADS.getThreadInfo(ids);
      for (int i = 0; i < ids.length; i++) {
        if (infos[i] != null && isGenerator(infos[i].getThreadName())) {
          long t = THREADS.getThreadCpuTime(ids[i]);
          if (t >= 0) {
            gen.put(ids[i], t);
          }
        }
      }
    }
    long proc = -1;
    if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
      proc = os.getProcessCpuTime();
    }
    long busy = -1;
    long total = -1;
    try {
      String line = Files.readAllLines(Path.of("/proc/stat")).get(0); // cpu user nice system idle iowait irq ...
      String[] f = line.trim().split("\\s+");
      long idle = 0;
      long sum = 0;
      for (int i = 1; i < f.length && i <= 8; i++) { // user..steal; guest is already counted in user
        long v = Long.parseLong(f[i]);
        sum += v;
        if (i == 4 || i == 5) {
          idle += v;
        }
      }
      busy = sum - idle;
      total = sum;
    } catch (IOException | RuntimeException e) {
      // not Linux: leave the machine figure out
    }
    return new Snapshot(System.nanoTime(), gen, proc, busy, total);
  }

  static Usage between(Snapshot a, Snapshot b) {
    double wall = Math.max(1, b.nanoTime() - a.nanoTime()) / 1e9;
    // threads alive at both ends: their difference; threads started meanwhile: all of theirs. A thread that ended
    // meanwhile is missed (the generator's threads live as long as the run).
    long genNanos = 0;
    for (Map.Entry<Long, Long> e : b.generatorThreads().entrySet()) {
      genNanos += Math.max(0, e.getValue() - a.generatorThreads().getOrDefault(e.getKey(), 0L));
    }
    double gen = genNanos / 1e9;
    double proc = a.processCpuNanos() < 0 ? Double.NaN : (b.processCpuNanos() - a.processCpuNanos()) / 1e9;
    Double machine = null;
    if (a.machineTotalTicks() >= 0 && b.machineTotalTicks() > a.machineTotalTicks()) {
      machine = round((double) (b.machineBusyTicks() - a.machineBusyTicks())
          / (b.machineTotalTicks() - a.machineTotalTicks()));
    }
    return new Usage(round(gen), round(gen / wall), round(proc / wall), machine);
  }

  private static double round(double v) {
    return Double.isNaN(v) ? -1 : Math.round(v * 1000.0) / 1000.0;
  }
}
