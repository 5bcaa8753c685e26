package dev.nimbus.server.training;

import java.util.Objects;

/**
 * Hyper-parameters and execution settings of {@link ScratchCnnTrainer}.
 *
 * @param batchSize images per optimizer step
 * @param learningRate Adam's step size
 * @param dropout fraction of the 128 hidden units dropped during training
 * @param augment random horizontal flip and shift by up to 7 % of the size, per image, in the graph (costs
 *     about 1 % of a step). On Fashion-MNIST it slowed convergence and did not raise the best test accuracy
 *     within 10 minutes (91.1 % vs 91.4 % without), so it is off by default; it is meant for small data sets
 * @param balanceClasses weight the loss by inverse label frequency ({@link ClassWeights#inverseFrequency})
 * @param seed initial weights, shuffling, dropout and augmentation
 * @param interOpThreads independent ops of one step run side by side (for example the two gradients of a
 *     convolution); 2 measured 9 % faster than 1 on 2 cores. Threads inside one op are process-wide, see
 *     {@link TensorFlowRuntime#newSession}
 * @param dataPlacement where the training set lives during training
 * @param dataFormat the layout the convolutions run in
 */
public record ScratchCnnOptions(
    int batchSize,
    float learningRate,
    float dropout,
    boolean augment,
    boolean balanceClasses,
    long seed,
    int interOpThreads,
    DataPlacement dataPlacement,
    DataFormat dataFormat) {

  /** Where the training images are kept while training. */
  public enum DataPlacement {
    /**
     * Copied into the session once; each step feeds only the batch's indices and gathers in the graph. Measured
     * 2-4 % more images/s per epoch than {@link #FEED} on Fashion-MNIST, at the cost of a second copy of the
     * training set in native memory during {@code fit}; so training sets larger than {@value
     * ScratchCnnTrainer#IN_GRAPH_MAX_BYTES} bytes are fed instead.
     */
    IN_GRAPH,
    /** Each step copies the batch's pixels and targets from Java into reused tensors. */
    FEED
  }

  /**
   * Tensor layout of the convolutions; the weights and the model's input are NHWC either way. On CPU use NHWC:
   * NCHW measured 214 images/s against about 4,500 in the same conditions (no oneDNN kernels, layout
   * conversions). NCHW is the usual choice on GPUs (not measured here).
   */
  public enum DataFormat {
    NHWC,
    NCHW
  }

  public ScratchCnnOptions {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize: %s (expected: >= 1)".formatted(batchSize));
    }
    if (!(learningRate > 0f)) {
      throw new IllegalArgumentException("learningRate: %s (expected: > 0)".formatted(learningRate));
    }
    if (!(dropout >= 0f && dropout < 1f)) {
      throw new IllegalArgumentException("dropout: %s (expected: 0 <= dropout < 1)".formatted(dropout));
    }
    if (interOpThreads < 0) {
      throw new IllegalArgumentException("interOpThreads: %s (expected: >= 0)".formatted(interOpThreads));
    }
    Objects.requireNonNull(dataPlacement, "dataPlacement");
    Objects.requireNonNull(dataFormat, "dataFormat");
  }

  /** Batch 128, Adam 1e-3, dropout 0.5, no augmentation, 2 inter-op threads, data in the graph, NHWC. */
  public static ScratchCnnOptions defaults() {
    return new ScratchCnnOptions(
        128,
        1e-3f,
        0.5f,
        false,
        false,
        42L,
        2,
        DataPlacement.IN_GRAPH,
        DataFormat.NHWC);
  }

  public ScratchCnnOptions withBatchSize(int value) {
    return new ScratchCnnOptions(value, learningRate, dropout, augment, balanceClasses, seed,
        interOpThreads, dataPlacement, dataFormat);
  }

  public ScratchCnnOptions withLearningRate(float value) {
    return new ScratchCnnOptions(batchSize, value, dropout, augment, balanceClasses, seed,
        interOpThreads, dataPlacement, dataFormat);
  }

  public ScratchCnnOptions withAugment(boolean value) {
    return new ScratchCnnOptions(batchSize, learningRate, dropout, value, balanceClasses, seed,
        interOpThreads, dataPlacement, dataFormat);
  }

  public ScratchCnnOptions withBalanceClasses(boolean value) {
    return new ScratchCnnOptions(batchSize, learningRate, dropout, augment, value, seed,
        interOpThreads, dataPlacement, dataFormat);
  }

  public ScratchCnnOptions withSeed(long value) {
    return new ScratchCnnOptions(batchSize, learningRate, dropout, augment, balanceClasses, value,
        interOpThreads, dataPlacement, dataFormat);
  }

  public ScratchCnnOptions withInterOpThreads(int interOp) {
    return new ScratchCnnOptions(batchSize, learningRate, dropout, augment, balanceClasses, seed,
        interOp, dataPlacement, dataFormat);
  }

  public ScratchCnnOptions withDataPlacement(DataPlacement value) {
    return new ScratchCnnOptions(batchSize, learningRate, dropout, augment, balanceClasses, seed,
        interOpThreads, value, dataFormat);
  }

  public ScratchCnnOptions withDataFormat(DataFormat value) {
    return new ScratchCnnOptions(batchSize, learningRate, dropout, augment, balanceClasses, seed,
        interOpThreads, dataPlacement, value);
  }
}
