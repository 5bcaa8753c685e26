package dev.nimbus.server.training.backbone;

import dev.nimbus.server.engine.TensorFlowRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Throughput and memory of the MobileNetV2 backbone on this machine; not a test. Run in its own JVM (RSS is
 * per process):
 *
 * <pre>
 * mvn test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) \
 *   -Dnimbus.tensorflow.library.path=target/tensorflow-native/native/lib \
 *   dev.nimbus.server.training.backbone.BackboneBench target/backbones/mobilenet_v2/model.json [seconds per point]
 *   [all | tfjs | saved_model | layer[,layer...]]
 * </pre>
 */
public final class BackboneBench {
  public static void main(String[] args) throws IOException {
    Path modelJson = Path.of(args.length > 0 ? args[0] : "target/backbones/mobilenet_v2/model.json");
    double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 5;
    String only = args.length > 2 ? args[2] : "all";
    System.out.printf("start: rss %d MB%n", rssMb());
    long t0 = System.nanoTime();
    TensorFlowRuntime.Info info = TensorFlowRuntime.ensureLoaded();
    System.out.printf("engine load: %d ms (TensorFlow %s), rss %d MB%n",
        (System.nanoTime() - t0) / 1_000_000, info.tensorflowVersion(), rssMb());

    if (!only.equals("all") && !only.equals("tfjs") && !only.equals("saved_model")) {
      // A single configuration, e.g. "block_10_project_BN" or "block_6_project_BN,block_10_project_BN".
      TfjsBackbone b = TfjsBackbone.load(modelJson, List.of(only.split(",")));
      System.out.printf("%n%s: rss %d MB before the graph%n", b.id(), rssMb());
      measure(b, seconds);
    }
    if (only.equals("all") || only.equals("tfjs")) {
      for (List<String> cuts : List.of(List.of("block_10_project_BN"), List.of("out_relu"),
          List.of("block_6_project_BN", "block_10_project_BN"))) {
        for (boolean fold : new boolean[] {true, false}) {
          if (!fold && cuts.size() > 1) {
            continue;
          }
          long l0 = System.nanoTime();
          TfjsBackbone b = TfjsBackbone.load(modelJson, cuts, fold);
          System.out.printf("%n%s fold=%s: load (parse + dequantize) %d ms%n", b.id(), fold, (System.nanoTime() - l0) / 1_000_000);
          measure(b, seconds);
        }
      }
    }
    if (only.equals("all") || only.equals("saved_model")) {
      Path tmp = Files.createTempDirectory("bench-saved-model");
      Path dir = tmp.resolve("mobilenet_v2_block10");
      export(TfjsBackbone.load(modelJson), dir);
      long l0 = System.nanoTime();
      SavedModelBackbone sm = SavedModelBackbone.load(dir);
      System.out.printf("%n%s: load + freeze %d ms, saved_model.pb %d KB%n", sm.id(), (System.nanoTime() - l0) / 1_000_000,
          Files.size(dir.resolve("saved_model.pb")) >> 10);
      try (var files = Files.walk(tmp)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
      measure(sm, seconds);
    }
    System.out.printf("%nend: rss %d MB, java heap used %d MB%n", rssMb(),
        (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
  }

  private static void measure(Backbone b, double seconds) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      int size = b.inputSize();
      var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, size, size, 3)));
      long g0 = System.nanoTime();
      Operand<TFloat32> f = b.features(tf, x);
      System.out.printf("  graph build %d ms, %d ops%n", (System.nanoTime() - g0) / 1_000_000, count(g));
      for (int batch : new int[] {1, 8, 32}) {
        float[] data = new float[batch * size * size * 3];
        for (int i = 0; i < data.length; i++) {
          data[i] = (i * 7919 % 256) / 255f;
        }
        try (TFloat32 images = TFloat32.tensorOf(Shape.of(batch, size, size, 3), DataBuffers.of(data))) {
          long w0 = System.nanoTime();
          run(s, x, images, f);
          long first = System.nanoTime() - w0;
          run(s, x, images, f);
          // Three windows; the best one is the least disturbed by other processes on the machine.
          double[] rates = new double[3];
          for (int wdw = 0; wdw < rates.length; wdw++) {
            int runs = 0;
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            while (System.nanoTime() < end || runs < 2) {
              run(s, x, images, f);
              runs++;
            }
            rates[wdw] = batch * runs / ((System.nanoTime() - start) / 1e9);
          }
          Arrays.sort(rates);
          System.out.printf(Locale.ROOT, "  batch %2d: best %6.1f images/s (%6.1f ms/image), median %6.1f; first run %d ms; rss %d MB%n",
              batch, rates[2], 1e3 / rates[2], rates[1], first / 1_000_000, rssMb());
        }
      }
    }
  }

  private static void run(Session s, Operand<TFloat32> x, TFloat32 images, Operand<TFloat32> f) {
    try (Result r = s.runner().feed(x, images).fetch(f).run()) {
      r.get(0);
    }
  }

  private static void export(Backbone b, Path dir) throws IOException {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      var x = tf.withName("images").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, b.inputSize(), b.inputSize(), 3)));
      Operand<TFloat32> f = b.features(tf, x);
      SavedModelBundle.exporter(dir.toString()).withSession(s)
          .withSignature(Signature.builder().key(Signature.DEFAULT_KEY).input("images", x).output("features", f).build())
          .export();
    }
  }

  private static int count(Graph g) {
    int n = 0;
    for (var it = g.operations(); it.hasNext(); it.next()) {
      n++;
    }
    return n;
  }

  static long rssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return -1;
  }
}
