package dev.nimbus.server.training;

/**
 * Hyper-parameters of {@link HeadTrainer}.
 *
 * @param hiddenUnits 0 for a single dense layer (a linear probe, the default: with frozen features and few images
 *     per label it overfits least), or the width of one ReLU hidden layer
 * @param learningRate Adam's step size
 * @param batchSize embeddings per step
 * @param l2 weight of {@code sum(kernel^2)} added to the loss (kernels only, not biases)
 * @param dropout fraction of input features (and hidden units) dropped during training
 * @param balanceClasses weight the loss by inverse label frequency
 * @param seed initial weights, shuffling and dropout
 * @param interOpThreads independent ops run side by side (the Adam updates of the layers); 2 measured equal
 *     or up to 25 % faster than 1 on 2 cores
 */
public record HeadOptions(
    int hiddenUnits,
    float learningRate,
    int batchSize,
    float l2,
    float dropout,
    boolean balanceClasses,
    long seed,
    int interOpThreads) {

  public HeadOptions {
    if (hiddenUnits < 0) {
      throw new IllegalArgumentException("hiddenUnits: %s (expected: >= 0)".formatted(hiddenUnits));
    }
    if (!(learningRate > 0f)) {
      throw new IllegalArgumentException("learningRate: %s (expected: > 0)".formatted(learningRate));
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize: %s (expected: >= 1)".formatted(batchSize));
    }
    if (!(l2 >= 0f)) {
      throw new IllegalArgumentException("l2: %s (expected: >= 0)".formatted(l2));
    }
    if (!(dropout >= 0f && dropout < 1f)) {
      throw new IllegalArgumentException("dropout: %s (expected: 0 <= dropout < 1)".formatted(dropout));
    }
    if (interOpThreads < 0) {
      throw new IllegalArgumentException("interOpThreads: %s (expected: >= 0)".formatted(interOpThreads));
    }
  }

  /** Linear head, Adam 1e-3, batch 32, L2 1e-4, no dropout, balanced classes, 2 inter-op threads. */
  public static HeadOptions defaults() {
    return new HeadOptions(0, 1e-3f, 32, 1e-4f, 0f, true, 42L, 2);
  }

  public HeadOptions withHiddenUnits(int value) {
    return new HeadOptions(value, learningRate, batchSize, l2, dropout, balanceClasses, seed,
        interOpThreads);
  }

  public HeadOptions withLearningRate(float value) {
    return new HeadOptions(hiddenUnits, value, batchSize, l2, dropout, balanceClasses, seed,
        interOpThreads);
  }

  public HeadOptions withBatchSize(int value) {
    return new HeadOptions(hiddenUnits, learningRate, value, l2, dropout, balanceClasses, seed,
        interOpThreads);
  }

  public HeadOptions withL2(float value) {
    return new HeadOptions(hiddenUnits, learningRate, batchSize, value, dropout, balanceClasses, seed,
        interOpThreads);
  }

  public HeadOptions withDropout(float value) {
    return new HeadOptions(hiddenUnits, learningRate, batchSize, l2, value, balanceClasses, seed,
        interOpThreads);
  }

  public HeadOptions withBalanceClasses(boolean value) {
    return new HeadOptions(hiddenUnits, learningRate, batchSize, l2, dropout, value, seed,
        interOpThreads);
  }

  public HeadOptions withSeed(long value) {
    return new HeadOptions(hiddenUnits, learningRate, batchSize, l2, dropout, balanceClasses, value,
        interOpThreads);
  }

  public HeadOptions withInterOpThreads(int interOp) {
    return new HeadOptions(hiddenUnits, learningRate, batchSize, l2, dropout, balanceClasses, seed,
        interOp);
  }
}
