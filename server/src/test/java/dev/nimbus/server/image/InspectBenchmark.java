package dev.nimbus.server.image;

import java.util.Arrays;
import java.util.Locale;

/**
 * A hand-run timing of {@link ImageInspector#inspect} (not a test: timings do not belong in a
 * test run). Run after {@code mvn test-compile}:
 *
 * <pre>
 * java -cp target/classes:target/test-classes:$(cat cp.txt) dev.nimbus.server.image.InspectBenchmark [runs]
 * </pre>
 *
 * where cp.txt comes from {@code mvn dependency:build-classpath -Dmdep.outputFile=cp.txt}.
 */
public final class InspectBenchmark {

  private InspectBenchmark() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
    ImageInspector inspector = new ImageInspector();
    measure(inspector, "JPEG 224x224", Fixtures.write(Fixtures.rgb(224, 224), "jpeg"), runs);
    measure(inspector, "JPEG 640x480", Fixtures.write(Fixtures.rgb(640, 480), "jpeg"), runs);
    measure(inspector, "JPEG 640x480 progressive", Fixtures.write(Fixtures.rgb(640, 480), "jpeg", Fixtures.progressive()), runs);
    measure(inspector, "PNG 640x480", Fixtures.write(Fixtures.rgb(640, 480), "png"), runs);
    measure(inspector, "JPEG 4000x3000 (12 MP)", Fixtures.write(Fixtures.rgb(4000, 3000), "jpeg"), Math.max(20, runs / 100));
  }

  private static void measure(ImageInspector inspector, String name, byte[] image, int runs) throws Exception {
    for (int i = 0; i < Math.max(200, runs / 4); i++) { // warm-up: JIT, class loading
      inspector.inspect(image);
    }
    long[] nanos = new long[runs];
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      ImageInfo info = inspector.inspect(image);
      nanos[i] = System.nanoTime() - start;
      if (info.width() <= 0) {
        throw new AssertionError(info);
      }
    }
    Arrays.sort(nanos);
    double mean = Arrays.stream(nanos).average().orElseThrow() / 1e6;
    System.out.printf(Locale.ROOT, "%-26s %7d bytes  mean %7.3f ms  median %7.3f ms  p95 %7.3f ms  (%d runs)%n",
        name, image.length, mean, nanos[runs / 2] / 1e6, nanos[(int) (runs * 0.95)] / 1e6, runs);
  }

}
