package dev.nimbus.server.evaluation;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Tunables of an evaluation. {@link #defaults()} gives the values the service uses.
 *
 * @param thresholds confidence thresholds of the threshold tables, in the order the tables list
 *     them; each in [0, 1]. Default: {@link #DEFAULT_THRESHOLDS}.
 * @param precisionTargets precision levels for which the lowest threshold reaching them is
 *     reported as an {@link OperatingPoint} named {@code precision_at_<target>}; each in (0, 1].
 *     Default: 0.90, 0.95, 0.99.
 * @param mostConfusedLimit how many most-confused pairs to report (K); at least 0. Default: 10.
 * @param misclassifiedLimit how many misclassified examples to list (the most confidently wrong
 *     first); at least 0. The total count is always reported. Default: {@link Integer#MAX_VALUE},
 *     i.e. all of them.
 */
public record EvaluationOptions(
    List<Double> thresholds,
    List<Double> precisionTargets,
    int mostConfusedLimit,
    int misclassifiedLimit) {

  /** 0.00, 0.05, ..., 0.95, then 0.96, 0.97, 0.98, 0.99: 24 thresholds, like AutoML Vision. */
  public static final List<Double> DEFAULT_THRESHOLDS = defaultThresholds();

  /** 0.90, 0.95, 0.99. */
  public static final List<Double> DEFAULT_PRECISION_TARGETS = List.of(0.90, 0.95, 0.99);

  public static final int DEFAULT_MOST_CONFUSED_LIMIT = 10;

  public EvaluationOptions {
    Objects.requireNonNull(thresholds, "thresholds");
    Objects.requireNonNull(precisionTargets, "precisionTargets");
    thresholds = List.copyOf(thresholds);
    precisionTargets = List.copyOf(precisionTargets);
    for (int i = 0; i < thresholds.size(); i++) {
      double t = thresholds.get(i);
      if (!(t >= 0.0 && t <= 1.0)) {
        throw new IllegalArgumentException("thresholds[" + i + "]: " + t + " (expected: 0..1)");
      }
    }
    for (int i = 0; i < precisionTargets.size(); i++) {
      double p = precisionTargets.get(i);
      if (!(p > 0.0 && p <= 1.0)) {
        throw new IllegalArgumentException(
            "precisionTargets[" + i + "]: " + p + " (expected: greater than 0, at most 1)");
      }
    }
    if (mostConfusedLimit < 0) {
      throw new IllegalArgumentException(
          "mostConfusedLimit: " + mostConfusedLimit + " (expected: at least 0)");
    }
    if (misclassifiedLimit < 0) {
      throw new IllegalArgumentException(
          "misclassifiedLimit: " + misclassifiedLimit + " (expected: at least 0)");
    }
  }

  /** The service's defaults: 24 thresholds, precision targets 0.90/0.95/0.99, K = 10, all errors. */
  public static EvaluationOptions defaults() {
    return new EvaluationOptions(
        DEFAULT_THRESHOLDS,
        DEFAULT_PRECISION_TARGETS,
        DEFAULT_MOST_CONFUSED_LIMIT,
        Integer.MAX_VALUE);
  }

  public EvaluationOptions withThresholds(List<Double> newThresholds) {
    return new EvaluationOptions(
        newThresholds, precisionTargets, mostConfusedLimit, misclassifiedLimit);
  }

  public EvaluationOptions withPrecisionTargets(List<Double> newTargets) {
    return new EvaluationOptions(thresholds, newTargets, mostConfusedLimit, misclassifiedLimit);
  }

  public EvaluationOptions withMostConfusedLimit(int limit) {
    return new EvaluationOptions(thresholds, precisionTargets, limit, misclassifiedLimit);
  }

  public EvaluationOptions withMisclassifiedLimit(int limit) {
    return new EvaluationOptions(thresholds, precisionTargets, mostConfusedLimit, limit);
  }

  /**
   * The name of the operating point for a precision target: {@code precision_at_} followed by the
   * target with at least two decimals, e.g. {@code precision_at_0.90}, {@code precision_at_0.995}.
   */
  public static String precisionPointName(double target) {
    BigDecimal d = BigDecimal.valueOf(target);
    if (d.scale() < 2) {
      d = d.setScale(2);
    }
    return "precision_at_" + d.toPlainString();
  }

  private static List<Double> defaultThresholds() {
    List<Double> list = new ArrayList<>(24);
    for (int i = 0; i <= 19; i++) {
      list.add(i / 20.0); // i / 20.0 is the double nearest to the decimal, e.g. exactly 0.05
    }
    for (int i = 96; i <= 99; i++) {
      list.add(i / 100.0);
    }
    return List.copyOf(list);
  }
}
