package dev.nimbus.server.evaluation;

import dev.nimbus.v1.ClassificationType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Not a test (Surefire does not pick it up): a timing loop to run by hand, e.g.
 *
 * <pre>
 *   mvn -q -o test-compile
 *   java -Xmx2g -cp target/classes:target/test-classes dev.nimbus.server.evaluation.EvaluatorBenchmark
 * </pre>
 */
public final class EvaluatorBenchmark {

  private EvaluatorBenchmark() {}

  /** No arguments: the standard runs. Or: TYPE N L ROUNDS, e.g. MULTILABEL 100000 100 1. */
  public static void main(String[] args) {
    if (args.length == 4) {
      run(ClassificationType.valueOf(args[0]), Integer.parseInt(args[1]),
          Integer.parseInt(args[2]), Integer.parseInt(args[3]));
      return;
    }
    run(ClassificationType.MULTICLASS, 10_000, 10, 10);
    run(ClassificationType.MULTILABEL, 10_000, 10, 10);
    run(ClassificationType.MULTICLASS, 100_000, 100, 3);
    run(ClassificationType.MULTILABEL, 100_000, 100, 3);
  }

  private static void run(ClassificationType type, int n, int labels, int rounds) {
    Random random = new Random(42);
    List<String> names = new ArrayList<>();
    for (int l = 0; l < labels; l++) {
      names.add("label-" + l);
    }
    List<String> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add("img-" + i);
    }
    float[][] scores = new float[n][labels];
    int[] truthIndex = new int[n];
    int[][] truthSets = new int[n][];
    for (int i = 0; i < n; i++) {
      int t = random.nextInt(labels);
      truthIndex[i] = t;
      if (type == ClassificationType.MULTICLASS) {
        double sum = 0;
        double[] logits = new double[labels];
        for (int l = 0; l < labels; l++) {
          logits[l] = Math.exp(random.nextGaussian() + (l == t ? 2.0 : 0.0));
          sum += logits[l];
        }
        for (int l = 0; l < labels; l++) {
          scores[i][l] = (float) (logits[l] / sum);
        }
      } else {
        List<Integer> set = new ArrayList<>();
        for (int l = 0; l < labels; l++) {
          boolean has = random.nextInt(10) == 0;
          if (has) {
            set.add(l);
          }
          double z = random.nextGaussian() + (has ? 1.5 : -1.5);
          scores[i][l] = (float) (1 / (1 + Math.exp(-z)));
        }
        truthSets[i] = set.stream().mapToInt(Integer::intValue).toArray();
      }
    }
    for (int round = 0; round < rounds; round++) {
      System.gc();
      long start = System.nanoTime();
      EvaluationInput input =
          type == ClassificationType.MULTICLASS
              ? EvaluationInput.multiclass(names, ids, scores, truthIndex)
              : EvaluationInput.multilabel(names, ids, scores, truthSets);
      long validated = System.nanoTime();
      EvaluationResult result = Evaluator.evaluate(input);
      long done = System.nanoTime();
      System.out.printf(
          "%s N=%d L=%d round %d: input %.0f ms, evaluate %.0f ms, total %.0f ms"
              + " (auPrc %.4f auRoc %.4f acc %.4f misclassified %d)%n",
          type, n, labels, round, (validated - start) / 1e6, (done - validated) / 1e6,
          (done - start) / 1e6, result.auPrc(), result.auRoc(), result.accuracy(),
          result.misclassifiedCount());
    }
    Runtime rt = Runtime.getRuntime();
    System.gc();
    System.out.printf("  heap max %d MB%n", rt.maxMemory() >> 20);
  }
}
