package dev.nimbus.server.training;

import dev.nimbus.server.engine.ImageBatch;
import dev.nimbus.server.engine.Sessions;
import dev.nimbus.server.engine.TensorFlowRuntime;
import dev.nimbus.server.training.graph.AdamOptimizer;
import dev.nimbus.server.training.graph.ClassifierHead;
import dev.nimbus.server.training.graph.ConvLayer;
import dev.nimbus.server.training.graph.DenseLayer;
import dev.nimbus.server.training.graph.GraphVariables;
import dev.nimbus.server.training.graph.Initializers;
import dev.nimbus.server.training.graph.Losses;
import dev.nimbus.v1.ClassificationType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.ndarray.buffer.IntDataBuffer;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TUint8;

/**
 * Trains the {@code scratch_cnn} base model from random weights on decoded images held in memory.
 *
 * <p>The graph is built once in the constructor: a training path (augmentation, dropout, Adam) and an inference
 * path that share the variables. Batches reach it in one of two ways ({@link ScratchCnnOptions.DataPlacement});
 * both reuse their input tensors across steps. Not thread-safe: one trainer per training job.
 */
public final class ScratchCnnTrainer implements AutoCloseable {

  public static final String BASE_MODEL_ID = "scratch_cnn";

  /** Above this many bytes of training pixels, IN_GRAPH placement falls back to feeding (see DataPlacement). */
  public static final long IN_GRAPH_MAX_BYTES = 512L << 20;

  /** Evaluation and prediction batch: large enough to amortise the per-run overhead, small in memory. */
  private static final int EVAL_BATCH = 500;

  private final int height;
  private final int width;
  private final int channels;
  private final ClassificationType type;
  private final int labelCount;
  private final ScratchCnnOptions options;

  private final Graph graph;
  private final Session session;
  private final GraphVariables weights;
  private final GraphVariables classWeights;
  private final AdamOptimizer adam;

  private final Placeholder<TUint8> datasetImagesValue;
  private final Placeholder<TFloat32> datasetTargetsValue;
  private final Assign<TUint8> datasetImagesAssign;
  private final Assign<TFloat32> datasetTargetsAssign;
  private final Placeholder<TInt32> batchIndices;
  private final Operand<TUint8> images;
  private final Operand<TFloat32> targets;
  private final Operand<TFloat32> trainLoss;
  private final Operand<TFloat32> evalLossSum;
  private final Operand<TFloat32> evalCorrectSum;
  private final Operand<TFloat32> probabilities;

  public ScratchCnnTrainer(
      int height, int width, int channels, ClassificationType type, int labelCount, ScratchCnnOptions options) {
    this(height, width, channels, type, labelCount, options, ScratchCnnGraph.BlockOrder.POOL_FIRST);
  }

  /** @param trainOrder op order of the training path; a parameter only so the benchmark can compare both */
  ScratchCnnTrainer(
      int height,
      int width,
      int channels,
      ClassificationType type,
      int labelCount,
      ScratchCnnOptions options,
      ScratchCnnGraph.BlockOrder trainOrder) {
    if (ScratchCnnGraph.pooledSize(height) < 1 || ScratchCnnGraph.pooledSize(width) < 1) {
      throw new IllegalArgumentException(
          "height: %s, width: %s (expected: >= 10, two 3x3 convolutions and two 2x2 pools must fit)"
              .formatted(height, width));
    }
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels: %s (expected: 1 or 3)".formatted(channels));
    }
    if (labelCount < (type == ClassificationType.MULTICLASS ? 2 : 1)) {
      throw new IllegalArgumentException("labelCount: %s (expected: >= 2 for MULTICLASS, >= 1)".formatted(labelCount));
    }
    this.height = height;
    this.width = width;
    this.channels = channels;
    this.type = Objects.requireNonNull(type, "type");
    this.labelCount = labelCount;
    this.options = Objects.requireNonNull(options, "options");
    TensorFlowRuntime.ensureLoaded();

    graph = new Graph();
    Ops tf = Ops.create(graph);
    int flatDim = ScratchCnnGraph.flattenedDim(height, width);
    int c1 = ScratchCnnGraph.CONV1_FILTERS;
    int c2 = ScratchCnnGraph.CONV2_FILTERS;
    int k = ScratchCnnGraph.KERNEL;
    int hiddenUnits = ScratchCnnGraph.HIDDEN_UNITS;

    weights = new GraphVariables(tf);
    ScratchCnnGraph.FeatureParams params =
        new ScratchCnnGraph.FeatureParams(
            weights.add("conv1_kernel", Shape.of(k, k, channels, c1)),
            weights.add("conv1_bias", Shape.of(c1)),
            weights.add("conv2_kernel", Shape.of(k, k, c1, c2)),
            weights.add("conv2_bias", Shape.of(c2)),
            weights.add("hidden_kernel", Shape.of(flatDim, hiddenUnits)),
            weights.add("hidden_bias", Shape.of(hiddenUnits)));
    Variable<TFloat32> outputKernel = weights.add("output_kernel", Shape.of(hiddenUnits, labelCount));
    Variable<TFloat32> outputBias = weights.add("output_bias", Shape.of(labelCount));
    classWeights = new GraphVariables(tf);
    Variable<TFloat32> lossWeights = classWeights.add("class_weights", Shape.of(labelCount));

    // In-graph training set: shape unknown until fit(), hence validateShape(false).
    Variable<TUint8> datasetImages = tf.withName("dataset_images").variable(Shape.unknown(), TUint8.class);
    Variable<TFloat32> datasetTargets = tf.withName("dataset_targets").variable(Shape.unknown(), TFloat32.class);
    datasetImagesValue = tf.withName("dataset_images_value").placeholder(TUint8.class);
    datasetTargetsValue = tf.withName("dataset_targets_value").placeholder(TFloat32.class);
    datasetImagesAssign = tf.assign(datasetImages, datasetImagesValue, Assign.validateShape(false));
    datasetTargetsAssign = tf.assign(datasetTargets, datasetTargetsValue, Assign.validateShape(false));
    batchIndices =
        tf.withName("batch_indices").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    Operand<TInt32> axis0 = tf.constant(0);
    Operand<TUint8> gatheredImages =
        tf.reshape(
            tf.gather(datasetImages, batchIndices, axis0), tf.constant(new int[] {-1, height, width, channels}));
    Operand<TFloat32> gatheredTargets =
        tf.reshape(tf.gather(datasetTargets, batchIndices, axis0), tf.constant(new int[] {-1, labelCount}));
    // Feeding "images"/"targets" replaces the gather, so evaluation and FEED mode use the same ops.
    images = tf.withName("images").placeholderWithDefault(gatheredImages, Shape.of(-1, height, width, channels));
    targets = tf.withName("targets").placeholderWithDefault(gatheredTargets, Shape.of(-1, labelCount));

    Operand<TFloat32> images01 = tf.math.mul(tf.dtypes.cast(images, TFloat32.class), tf.constant(1f / 255f));
    Operand<TFloat32> trainInput = images01;
    if (options.augment()) {
      int maxShift = Math.max(1, Math.round(Math.min(height, width) * 0.07f));
      trainInput = ScratchCnnGraph.augment(tf, images01, height, width, maxShift, options.seed());
    }
    Operand<TFloat32> trainHidden =
        ScratchCnnGraph.dropout(
            tf,
            ScratchCnnGraph.hidden(tf, trainInput, params, options.dataFormat(), trainOrder, flatDim),
            options.dropout(),
            options.seed() + 101);
    Operand<TFloat32> trainLogits =
        tf.nn.biasAdd(tf.linalg.matMul(trainHidden, outputKernel), outputBias);
    trainLoss =
        tf.withName("train_loss")
            .math
            .mean(Losses.perExample(tf, type, trainLogits, targets, lossWeights), axis0);
    adam = AdamOptimizer.minimize(tf, trainLoss, weights.all(), options.learningRate());

    Operand<TFloat32> evalLogits =
        tf.nn.biasAdd(
            tf.linalg.matMul(
                ScratchCnnGraph.hidden(tf, images01, params, options.dataFormat(), ScratchCnnGraph.BlockOrder.FUSABLE, flatDim), outputKernel),
            outputBias);
    evalLossSum = tf.reduceSum(Losses.perExample(tf, type, evalLogits, targets, lossWeights), axis0);
    evalCorrectSum = tf.reduceSum(Losses.correct(tf, type, evalLogits, targets), axis0);
    probabilities = tf.withName("probabilities").identity(ClassifierHead.activation(tf, evalLogits, type));

    session = Sessions.newSession(graph, options.interOpThreads());
    weights.assign(session, initialWeights(flatDim));
    classWeights.assign(session, List.of(ClassWeights.uniform(labelCount)));
  }

  /** Glorot-uniform kernels (Keras's default) and zero biases, from the seed so runs are reproducible. */
  private List<float[]> initialWeights(int flatDim) {
    SplittableRandom random = new SplittableRandom(options.seed());
    int k = ScratchCnnGraph.KERNEL;
    int c1 = ScratchCnnGraph.CONV1_FILTERS;
    int c2 = ScratchCnnGraph.CONV2_FILTERS;
    int hiddenUnits = ScratchCnnGraph.HIDDEN_UNITS;
    return List.of(
        Initializers.glorotUniform(random, k * k * channels, k * k * c1, k * k * channels * c1),
        new float[c1],
        Initializers.glorotUniform(random, k * k * c1, k * k * c2, k * k * c1 * c2),
        new float[c2],
        Initializers.glorotUniform(random, flatDim, hiddenUnits, flatDim * hiddenUnits),
        new float[hiddenUnits],
        Initializers.glorotUniform(random, hiddenUnits, labelCount, hiddenUnits * labelCount),
        new float[labelCount]);
  }

  /**
   * Trains from the current weights (random at construction) until a limit is reached, then keeps the weights
   * of the epoch with the lowest validation loss.
   *
   * @param validation may be null (then the training loss decides the best epoch and early stopping)
   */
  public TrainingResult fit(
      ImageBatch train,
      Labels trainLabels,
      ImageBatch validation,
      Labels validationLabels,
      TrainingLimits limits,
      TrainingListener listener) {
    requireMatches(train, trainLabels, "train");
    if (validation != null) {
      requireMatches(validation, validationLabels, "validation");
    }
    if (train.count() == 0) {
      throw new IllegalArgumentException("train.count: 0 (expected: > 0)");
    }
    classWeights.assign(
        session,
        List.of(
            options.balanceClasses()
                ? ClassWeights.inverseFrequency(trainLabels)
                : ClassWeights.uniform(labelCount)));
    session.run(adam.reset());
    try (BatchFeeder feeder = newFeeder(train, trainLabels)) {
      Trainable trainable = new Trainable(feeder, train.count(), validation, validationLabels);
      return TrainingLoop.run(trainable, limits, listener, options.seed());
    }
  }

  /** Loss and accuracy with the current weights, no dropout or augmentation. */
  public Evaluation evaluate(ImageBatch images, Labels labels) {
    requireMatches(images, labels, "images");
    return evaluate(images, labels, () -> false);
  }

  private Evaluation evaluate(ImageBatch batch, Labels labels, BooleanSupplier cancelled) {
    return SessionLoops.evaluate(session, images, targets, evalLossSum, evalCorrectSum, labels, batch.count(),
        EVAL_BATCH, (from, to) -> imagesTensor(batch, from, to), cancelled);
  }

  /** Class probabilities [count][labelCount] with the current weights. */
  public float[][] predict(ImageBatch batch) {
    requireShape(batch, "images");
    return SessionLoops.predict(session, images, probabilities, batch.count(), labelCount, EVAL_BATCH,
        (from, to) -> imagesTensor(batch, from, to));
  }

  /** A detached copy of the current weights. */
  public ScratchCnnWeights weights() {
    List<float[]> values = weights.read(session);
    int k = ScratchCnnGraph.KERNEL;
    int flatDim = ScratchCnnGraph.flattenedDim(height, width);
    return new ScratchCnnWeights(
        height,
        width,
        channels,
        type,
        new ConvLayer(k, channels, ScratchCnnGraph.CONV1_FILTERS, values.get(0), values.get(1)),
        new ConvLayer(k, ScratchCnnGraph.CONV1_FILTERS, ScratchCnnGraph.CONV2_FILTERS, values.get(2), values.get(3)),
        new DenseLayer(flatDim, ScratchCnnGraph.HIDDEN_UNITS, values.get(4), values.get(5)),
        new DenseLayer(ScratchCnnGraph.HIDDEN_UNITS, labelCount, values.get(6), values.get(7)));
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }

  private TUint8 imagesTensor(ImageBatch batch, int from, int to) {
    int size = batch.imageBytes();
    TUint8 tensor = TUint8.tensorOf(Shape.of(to - from, height, width, channels));
    tensor.asRawTensor().data().write(batch.pixels(), from * size, (to - from) * size);
    return tensor;
  }

  private void requireMatches(ImageBatch batch, Labels labels, String what) {
    requireShape(batch, what);
    Objects.requireNonNull(labels, what + "Labels");
    if (labels.count() != batch.count() || labels.labelCount() != labelCount || labels.type() != type) {
      throw new IllegalArgumentException(
          "%sLabels: %s %s examples over %s labels (expected: %s %s over %s)"
              .formatted(what, labels.count(), labels.type(), labels.labelCount(), batch.count(), type, labelCount));
    }
  }

  private void requireShape(ImageBatch batch, String what) {
    Objects.requireNonNull(batch, what);
    if (batch.height() != height || batch.width() != width || batch.channels() != channels) {
      throw new IllegalArgumentException(
          "%s: %sx%sx%s images (expected: %sx%sx%s)"
              .formatted(what, batch.height(), batch.width(), batch.channels(), height, width, channels));
    }
  }

  private BatchFeeder newFeeder(ImageBatch train, Labels labels) {
    boolean inGraph =
        options.dataPlacement() == ScratchCnnOptions.DataPlacement.IN_GRAPH
            && train.pixels().length <= IN_GRAPH_MAX_BYTES;
    return inGraph
        ? new InGraphFeeder(train, labels)
        : new CopyingFeeder(train, labels);
  }

  /** Puts one batch into the runner; the tensors stay owned by the feeder and are reused by the next step. */
  private interface BatchFeeder extends AutoCloseable {
    Session.Runner feed(Session.Runner runner, int[] order, int from, int n);

    @Override
    void close();
  }

  /** Copies the whole training set into the session once; a step then feeds only its indices. */
  private final class InGraphFeeder implements BatchFeeder {
    private final ReusedTensors<TInt32> indices;

    InGraphFeeder(ImageBatch train, Labels labels) {
      try (TUint8 x = imagesTensor(train, 0, train.count());
          TFloat32 y = TFloat32.tensorOf(Shape.of(train.count(), labelCount),
              DataBuffers.of(labels.denseRange(0, labels.count()), true, false))) {
        assignDataset(x, y);
      }
      indices = new ReusedTensors<>(n -> TInt32.tensorOf(Shape.of(n)));
    }

    @Override
    public Session.Runner feed(Session.Runner runner, int[] order, int from, int n) {
      TInt32 tensor = indices.get(n);
      IntDataBuffer data = tensor.asRawTensor().data().asInts();
      data.write(order, from, n);
      return runner.feed(batchIndices, tensor);
    }

    @Override
    public void close() {
      indices.close();
      // Release the copy of the training set: replace it with empty tensors.
      try (TUint8 x = TUint8.tensorOf(Shape.of(0, height, width, channels));
          TFloat32 y = TFloat32.tensorOf(Shape.of(0, labelCount))) {
        assignDataset(x, y);
      }
    }

    private void assignDataset(TUint8 x, TFloat32 y) {
      session.runner()
          .feed(datasetImagesValue, x)
          .feed(datasetTargetsValue, y)
          .addTarget(datasetImagesAssign)
          .addTarget(datasetTargetsAssign)
          .run()
          .close();
    }
  }

  /** Gathers each batch in Java into reused tensors (one copy into a staging array, one bulk write). */
  private final class CopyingFeeder implements BatchFeeder {
    private final ImageBatch train;
    private final Labels labels;
    private final byte[] pixelStaging;
    private final float[] targetStaging;
    private final ReusedTensors<TUint8> imageTensors;
    private final ReusedTensors<TFloat32> targetTensors;

    CopyingFeeder(ImageBatch train, Labels labels) {
      this.train = train;
      this.labels = labels;
      pixelStaging = new byte[options.batchSize() * train.imageBytes()];
      targetStaging = new float[options.batchSize() * labelCount];
      imageTensors = new ReusedTensors<>(n -> TUint8.tensorOf(Shape.of(n, height, width, channels)));
      targetTensors = new ReusedTensors<>(n -> TFloat32.tensorOf(Shape.of(n, labelCount)));
    }

    @Override
    public Session.Runner feed(Session.Runner runner, int[] order, int from, int n) {
      int size = train.imageBytes();
      byte[] pixels = train.pixels();
      for (int i = 0; i < n; i++) {
        System.arraycopy(pixels, order[from + i] * size, pixelStaging, i * size, size);
      }
      labels.copyDense(order, from, n, targetStaging);
      TUint8 x = imageTensors.get(n);
      ByteDataBuffer xData = x.asRawTensor().data();
      xData.write(pixelStaging, 0, n * size);
      TFloat32 y = targetTensors.get(n);
      y.asRawTensor().data().asFloats().write(targetStaging, 0, n * labelCount);
      return runner.feed(images, x).feed(targets, y);
    }

    @Override
    public void close() {
      imageTensors.close();
      targetTensors.close();
    }
  }

  /** Adapts this trainer to the shared loop. */
  private final class Trainable extends SessionLoops.SessionTrainable {
    private final BatchFeeder feeder;
    private final ImageBatch validation;
    private final Labels validationLabels;

    Trainable(BatchFeeder feeder, int exampleCount, ImageBatch validation, Labels validationLabels) {
      super(session, weights, adam.train(), trainLoss, exampleCount, options.batchSize(),
          validation == null ? 0 : validation.count());
      this.feeder = feeder;
      this.validation = validation;
      this.validationLabels = validationLabels;
    }

    @Override
    Session.Runner feed(Session.Runner runner, int[] order, int from, int n) {
      return feeder.feed(runner, order, from, n);
    }

    @Override
    public Evaluation validate(TrainingLimits limits) {
      return validation == null ? null : evaluate(validation, validationLabels, limits.cancelled());
    }
  }

  /** Keeps one tensor per batch size (the full size and the last partial batch), so steps allocate nothing. */
  private static final class ReusedTensors<T extends Tensor> implements AutoCloseable {
    private final IntFunction<T> factory;
    private final Map<Integer, T> bySize = new HashMap<>();

    ReusedTensors(IntFunction<T> factory) {
      this.factory = factory;
    }

    T get(int n) {
      return bySize.computeIfAbsent(n, factory::apply);
    }

    @Override
    public void close() {
      bySize.values().forEach(Tensor::close);
      bySize.clear();
    }
  }

}
