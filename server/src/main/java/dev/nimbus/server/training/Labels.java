package dev.nimbus.server.training;

import dev.nimbus.v1.ClassificationType;
import java.util.Arrays;
import java.util.Objects;

/**
 * Training targets for {@code count} examples over {@code labelCount} labels, stored dense ({@code count x
 * labelCount} floats, one-hot for MULTICLASS, multi-hot for MULTILABEL) because that is what both loss functions
 * consume; the class index is kept for MULTICLASS so accuracy and class weights need no argmax.
 */
public final class Labels {

  private final ClassificationType type;
  private final int count;
  private final int labelCount;
  private final float[] dense;
  private final int[] classIndex;

  private Labels(ClassificationType type, int count, int labelCount, float[] dense, int[] classIndex) {
    this.type = type;
    this.count = count;
    this.labelCount = labelCount;
    this.dense = dense;
    this.classIndex = classIndex;
  }

  /** One label per example: {@code classes[i]} in {@code [0, labelCount)}. */
  public static Labels multiclass(int[] classes, int labelCount) {
    Objects.requireNonNull(classes, "classes");
    requireLabelCount(labelCount, 2);
    float[] dense = new float[classes.length * labelCount];
    for (int i = 0; i < classes.length; i++) {
      if (classes[i] < 0 || classes[i] >= labelCount) {
        throw new IllegalArgumentException(
            "classes[%s]: %s (expected: 0 <= class < %s)".formatted(i, classes[i], labelCount));
      }
      dense[i * labelCount + classes[i]] = 1f;
    }
    return new Labels(ClassificationType.MULTICLASS, classes.length, labelCount, dense, classes.clone());
  }

  /** Any subset of labels per example: {@code multiHot[i][l]} is true when example i has label l. */
  public static Labels multilabel(boolean[][] multiHot, int labelCount) {
    Objects.requireNonNull(multiHot, "multiHot");
    requireLabelCount(labelCount, 1);
    float[] dense = new float[multiHot.length * labelCount];
    for (int i = 0; i < multiHot.length; i++) {
      if (multiHot[i].length != labelCount) {
        throw new IllegalArgumentException(
            "multiHot[%s].length: %s (expected: %s)".formatted(i, multiHot[i].length, labelCount));
      }
      for (int l = 0; l < labelCount; l++) {
        dense[i * labelCount + l] = multiHot[i][l] ? 1f : 0f;
      }
    }
    return new Labels(ClassificationType.MULTILABEL, multiHot.length, labelCount, dense, null);
  }

  private static void requireLabelCount(int labelCount, int min) {
    if (labelCount < min) {
      throw new IllegalArgumentException("labelCount: %s (expected: >= %s)".formatted(labelCount, min));
    }
  }

  public ClassificationType type() {
    return type;
  }

  public int count() {
    return count;
  }

  public int labelCount() {
    return labelCount;
  }

  /** The class of example {@code i}; only for MULTICLASS. */
  public int classOf(int i) {
    if (classIndex == null) {
      throw new IllegalStateException("classOf: MULTILABEL labels have no single class");
    }
    return classIndex[i];
  }

  /** Whether example {@code i} has label {@code label}. */
  public boolean has(int i, int label) {
    return dense[i * labelCount + label] != 0f;
  }

  /** Copies the dense targets of the examples at {@code indices} into {@code out} (length >= n * labelCount). */
  void copyDense(int[] indices, int from, int n, float[] out) {
    for (int i = 0; i < n; i++) {
      System.arraycopy(dense, indices[from + i] * labelCount, out, i * labelCount, labelCount);
    }
  }

  /** The dense targets of examples {@code [from, to)}; a copy. */
  float[] denseRange(int from, int to) {
    return Arrays.copyOfRange(dense, from * labelCount, to * labelCount);
  }

  /** The labels at {@code indices}, in that order. */
  public Labels select(int[] indices) {
    float[] out = new float[indices.length * labelCount];
    copyDense(indices, 0, indices.length, out);
    int[] classes = null;
    if (classIndex != null) {
      classes = new int[indices.length];
      for (int i = 0; i < indices.length; i++) {
        classes[i] = classIndex[indices[i]];
      }
    }
    return new Labels(type, indices.length, labelCount, out, classes);
  }

  /** Examples {@code [from, to)}. */
  public Labels range(int from, int to) {
    Objects.checkFromToIndex(from, to, count);
    return new Labels(
        type,
        to - from,
        labelCount,
        denseRange(from, to),
        classIndex == null ? null : Arrays.copyOfRange(classIndex, from, to));
  }

  /** How many examples carry each label. */
  public int[] labelFrequencies() {
    int[] counts = new int[labelCount];
    for (int i = 0; i < count; i++) {
      for (int l = 0; l < labelCount; l++) {
        if (dense[i * labelCount + l] != 0f) {
          counts[l]++;
        }
      }
    }
    return counts;
  }
}
