package dev.nimbus.server.training;

import dev.nimbus.server.engine.Sessions;
import dev.nimbus.server.engine.TensorFlowRuntime;
import dev.nimbus.server.training.graph.AdamOptimizer;
import dev.nimbus.server.training.graph.ClassifierHead;
import dev.nimbus.server.training.graph.DenseLayer;
import dev.nimbus.server.training.graph.GraphVariables;
import dev.nimbus.server.training.graph.Initializers;
import dev.nimbus.server.training.graph.Losses;
import dev.nimbus.v1.ClassificationType;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Trains a classification head on precomputed embeddings of a frozen backbone.
 *
 * <p>A head step is tiny (one small matmul), so the cost that matters is per step, not per image: the training
 * embeddings are copied into the session once per {@code fit} and each step feeds only the batch's indices,
 * reusing one index tensor. Not thread-safe: one trainer per training job.
 */
public final class HeadTrainer implements AutoCloseable {

  private static final int EVAL_BATCH = 4096;

  private final int featureDim;
  private final ClassificationType type;
  private final int labelCount;
  private final HeadOptions options;

  private final Graph graph;
  private final Session session;
  private final GraphVariables weights;
  private final GraphVariables classWeights;
  private final AdamOptimizer adam;
  private final Placeholder<TFloat32> datasetFeaturesValue;
  private final Placeholder<TFloat32> datasetTargetsValue;
  private final Assign<TFloat32> datasetFeaturesAssign;
  private final Assign<TFloat32> datasetTargetsAssign;
  private final Placeholder<TInt32> batchIndices;
  private final Operand<TFloat32> features;
  private final Operand<TFloat32> targets;
  private final Operand<TFloat32> trainLoss;
  private final Operand<TFloat32> evalLossSum;
  private final Operand<TFloat32> evalCorrectSum;
  private final Operand<TFloat32> probabilities;

  public HeadTrainer(int featureDim, ClassificationType type, int labelCount, HeadOptions options) {
    if (featureDim < 1) {
      throw new IllegalArgumentException("featureDim: %s (expected: >= 1)".formatted(featureDim));
    }
    if (labelCount < (type == ClassificationType.MULTICLASS ? 2 : 1)) {
      throw new IllegalArgumentException("labelCount: %s (expected: >= 2 for MULTICLASS, >= 1)".formatted(labelCount));
    }
    this.featureDim = featureDim;
    this.type = Objects.requireNonNull(type, "type");
    this.labelCount = labelCount;
    this.options = Objects.requireNonNull(options, "options");
    TensorFlowRuntime.ensureLoaded();

    graph = new Graph();
    Ops tf = Ops.create(graph);
    weights = new GraphVariables(tf);
    List<Variable<TFloat32>[]> layers = new ArrayList<>();
    int in = featureDim;
    for (int units : layerWidths()) {
      @SuppressWarnings("unchecked")
      Variable<TFloat32>[] layer =
          new Variable[] {
            weights.add("kernel" + layers.size(), Shape.of(in, units)),
            weights.add("bias" + layers.size(), Shape.of(units))
          };
      layers.add(layer);
      in = units;
    }
    classWeights = new GraphVariables(tf);
    Variable<TFloat32> lossWeights = classWeights.add("class_weights", Shape.of(labelCount));

    Variable<TFloat32> datasetFeatures = tf.withName("dataset_features").variable(Shape.unknown(), TFloat32.class);
    Variable<TFloat32> datasetTargets = tf.withName("dataset_targets").variable(Shape.unknown(), TFloat32.class);
    datasetFeaturesValue = tf.withName("dataset_features_value").placeholder(TFloat32.class);
    datasetTargetsValue = tf.withName("dataset_targets_value").placeholder(TFloat32.class);
    datasetFeaturesAssign = tf.assign(datasetFeatures, datasetFeaturesValue, Assign.validateShape(false));
    datasetTargetsAssign = tf.assign(datasetTargets, datasetTargetsValue, Assign.validateShape(false));
    batchIndices = tf.withName("batch_indices").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    Operand<TInt32> axis0 = tf.constant(0);
    features =
        tf.withName("features")
            .placeholderWithDefault(
                tf.reshape(tf.gather(datasetFeatures, batchIndices, axis0), tf.constant(new int[] {-1, featureDim})),
                Shape.of(-1, featureDim));
    targets =
        tf.withName("targets")
            .placeholderWithDefault(
                tf.reshape(tf.gather(datasetTargets, batchIndices, axis0), tf.constant(new int[] {-1, labelCount})),
                Shape.of(-1, labelCount));

    Operand<TFloat32> trainLogits = logits(tf, features, layers, true);
    Operand<TFloat32> loss = tf.math.mean(Losses.perExample(tf, type, trainLogits, targets, lossWeights), axis0);
    if (options.l2() > 0f) {
      Operand<TFloat32> penalty = tf.constant(0f);
      for (Variable<TFloat32>[] layer : layers) {
        // Read the kernel through Identity: built directly on the variable's reference-typed output, this
        // penalty makes TF 2.16's TF_AddGradients crash the JVM (SIGSEGV in Node::output_type).
        Operand<TFloat32> kernel = tf.identity(layer[0]);
        penalty = tf.math.add(penalty, tf.reduceSum(tf.math.square(kernel), tf.constant(new int[] {0, 1})));
      }
      loss = tf.math.add(loss, tf.math.mul(tf.constant(options.l2()), penalty));
    }
    trainLoss = tf.withName("train_loss").identity(loss);
    adam = AdamOptimizer.minimize(tf, trainLoss, weights.all(), options.learningRate());

    Operand<TFloat32> evalLogits = logits(tf, features, layers, false);
    evalLossSum = tf.reduceSum(Losses.perExample(tf, type, evalLogits, targets, lossWeights), axis0);
    evalCorrectSum = tf.reduceSum(Losses.correct(tf, type, evalLogits, targets), axis0);
    probabilities = tf.withName("probabilities").identity(ClassifierHead.activation(tf, evalLogits, type));

    session = Sessions.newSession(graph, options.interOpThreads());
    weights.assign(session, initialWeights());
    classWeights.assign(session, List.of(ClassWeights.uniform(labelCount)));
  }

  private int[] layerWidths() {
    return options.hiddenUnits() > 0 ? new int[] {options.hiddenUnits(), labelCount} : new int[] {labelCount};
  }

  private Operand<TFloat32> logits(
      Ops tf, Operand<TFloat32> x, List<Variable<TFloat32>[]> layers, boolean training) {
    for (int i = 0; i < layers.size(); i++) {
      if (training) {
        x = ScratchCnnGraph.dropout(tf, x, options.dropout(), options.seed() + 31L * i);
      }
      x = tf.nn.biasAdd(tf.linalg.matMul(x, layers.get(i)[0]), layers.get(i)[1]);
      if (i < layers.size() - 1) {
        x = tf.nn.relu(x);
      }
    }
    return x;
  }

  private List<float[]> initialWeights() {
    SplittableRandom random = new SplittableRandom(options.seed());
    List<float[]> values = new ArrayList<>();
    int in = featureDim;
    for (int units : layerWidths()) {
      values.add(Initializers.glorotUniform(random, in, units, in * units));
      values.add(new float[units]);
      in = units;
    }
    return values;
  }

  /**
   * Starts from a trained head instead of the fresh initialisation (warm start): its hidden layers as they are, and
   * in the output layer, each label's column (kernel and bias) taken from the source label {@code
   * sourceColumns[label]}, or left freshly initialised where that is -1. Call before {@link #fit}.
   *
   * @throws IllegalArgumentException if {@code source} has another shape than this trainer's head
   */
  public void startFrom(ClassifierHead source, int[] sourceColumns) {
    Objects.requireNonNull(source, "source");
    int[] widths = layerWidths();
    if (source.layers().size() != widths.length || source.inputDim() != featureDim) {
      throw new IllegalArgumentException("source: %s layers on %s features (expected: %s on %s)"
          .formatted(source.layers().size(), source.inputDim(), widths.length, featureDim));
    }
    if (sourceColumns.length != labelCount) {
      throw new IllegalArgumentException(
          "sourceColumns.length: %s (expected: %s, one per label)".formatted(sourceColumns.length, labelCount));
    }
    List<float[]> values = initialWeights();
    for (int i = 0; i < widths.length - 1; i++) {
      DenseLayer layer = source.layers().get(i);
      if (layer.outputs() != widths[i]) {
        throw new IllegalArgumentException(
            "source.layers[%s].outputs: %s (expected: %s)".formatted(i, layer.outputs(), widths[i]));
      }
      values.set(2 * i, layer.kernel().clone());
      values.set(2 * i + 1, layer.bias().clone());
    }
    int last = widths.length - 1;
    DenseLayer from = source.layers().get(last);
    float[] kernel = values.get(2 * last);
    float[] bias = values.get(2 * last + 1);
    for (int label = 0; label < labelCount; label++) {
      int c = sourceColumns[label];
      if (c < -1 || c >= from.outputs()) {
        throw new IllegalArgumentException(
            "sourceColumns[%s]: %s (expected: -1 or 0..%s)".formatted(label, c, from.outputs() - 1));
      }
      if (c < 0) {
        continue;
      }
      for (int r = 0; r < from.inputs(); r++) {
        kernel[r * labelCount + label] = from.kernel()[r * from.outputs() + c];
      }
      bias[label] = from.bias()[c];
    }
    weights.assign(session, values);
  }

  /**
   * Trains from the current weights until a limit is reached, then keeps the weights of the epoch with the lowest
   * validation loss.
   *
   * @param validation may be null (then the training loss decides the best epoch and early stopping)
   */
  public TrainingResult fit(
      Embeddings train,
      Labels trainLabels,
      Embeddings validation,
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
    setDataset(train, trainLabels);
    try (TInt32 fullBatch = TInt32.tensorOf(Shape.of(options.batchSize()));
        TInt32 lastBatch = TInt32.tensorOf(Shape.of(train.count() % options.batchSize()))) {
      TrainingLoop.Trainable<List<float[]>> trainable = new SessionLoops.SessionTrainable(session, weights,
          adam.train(), trainLoss, train.count(), options.batchSize(), validation == null ? 0 : validation.count()) {
        @Override
        Session.Runner feed(Session.Runner runner, int[] order, int from, int n) {
          TInt32 indices = n == options.batchSize() ? fullBatch : lastBatch;
          indices.asRawTensor().data().asInts().write(order, from, n);
          return runner.feed(batchIndices, indices);
        }

        @Override
        public Evaluation validate(TrainingLimits l) {
          return validation == null ? null : evaluate(validation, validationLabels, l.cancelled());
        }
      };
      return TrainingLoop.run(trainable, limits, listener, options.seed());
    } finally {
      setDataset(new Embeddings(new float[0], 0, featureDim), null);
    }
  }

  /** Copies the training set into the session (or releases it when {@code labels} is null). */
  private void setDataset(Embeddings data, Labels labels) {
    float[] dense = labels == null ? new float[0] : labels.denseRange(0, labels.count());
    try (TFloat32 x = TFloat32.tensorOf(Shape.of(data.count(), featureDim), DataBuffers.of(data.values(), true, false));
        TFloat32 y = TFloat32.tensorOf(Shape.of(data.count(), labelCount), DataBuffers.of(dense, true, false))) {
      session.runner()
          .feed(datasetFeaturesValue, x)
          .feed(datasetTargetsValue, y)
          .addTarget(datasetFeaturesAssign)
          .addTarget(datasetTargetsAssign)
          .run()
          .close();
    }
  }

  /** Loss and accuracy with the current weights (no dropout). */
  public Evaluation evaluate(Embeddings data, Labels labels) {
    requireMatches(data, labels, "data");
    return evaluate(data, labels, () -> false);
  }

  private Evaluation evaluate(Embeddings data, Labels labels, BooleanSupplier cancelled) {
    return SessionLoops.evaluate(session, features, targets, evalLossSum, evalCorrectSum, labels, data.count(),
        EVAL_BATCH, (from, to) -> featuresTensor(data, from, to), cancelled);
  }

  /** Probabilities [count][labelCount] with the current weights. */
  public float[][] predict(Embeddings data) {
    requireDim(data, "data");
    return SessionLoops.predict(session, features, probabilities, data.count(), labelCount, EVAL_BATCH,
        (from, to) -> featuresTensor(data, from, to));
  }

  /** The trained head, detached from the session. */
  public ClassifierHead head() {
    List<float[]> values = weights.read(session);
    List<DenseLayer> layers = new ArrayList<>();
    int in = featureDim;
    int i = 0;
    for (int units : layerWidths()) {
      layers.add(new DenseLayer(in, units, values.get(i), values.get(i + 1)));
      i += 2;
      in = units;
    }
    return new ClassifierHead(layers, type);
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }

  private TFloat32 featuresTensor(Embeddings data, int from, int to) {
    TFloat32 tensor = TFloat32.tensorOf(Shape.of(to - from, featureDim));
    tensor.asRawTensor().data().asFloats().write(data.values(), from * featureDim, (to - from) * featureDim);
    return tensor;
  }

  private void requireMatches(Embeddings data, Labels labels, String what) {
    requireDim(data, what);
    Objects.requireNonNull(labels, what + "Labels");
    if (labels.count() != data.count() || labels.labelCount() != labelCount || labels.type() != type) {
      throw new IllegalArgumentException(
          "%sLabels: %s %s examples over %s labels (expected: %s %s over %s)"
              .formatted(what, labels.count(), labels.type(), labels.labelCount(), data.count(), type, labelCount));
    }
  }

  private void requireDim(Embeddings data, String what) {
    Objects.requireNonNull(data, what);
    if (data.dim() != featureDim) {
      throw new IllegalArgumentException("%s.dim: %s (expected: %s)".formatted(what, data.dim(), featureDim));
    }
  }
}
