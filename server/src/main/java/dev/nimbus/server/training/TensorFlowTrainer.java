package dev.nimbus.server.training;

import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import dev.nimbus.server.engine.Decoding;
import dev.nimbus.server.engine.ImageBatch;
import dev.nimbus.server.engine.ImageBatchTranslator;
import dev.nimbus.server.engine.TensorFlowRuntime;
import dev.nimbus.server.training.TrainingProgress.Stage;
import dev.nimbus.server.training.backbone.Backbone;
import dev.nimbus.server.training.export.ClassifierExporter;
import dev.nimbus.server.training.export.ExportableClassifier;
import dev.nimbus.server.training.export.HeadWeightsFile;
import dev.nimbus.server.training.graph.ClassifierHead;
import dev.nimbus.v1.ClassificationType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Training on TensorFlow. Transfer learning ({@code mobilenet_v2}, {@code saved_model:}, {@code tfjs:}): every
 * image is embedded once by the frozen backbone (decoded and resized in a TF graph; embeddings cached by backbone
 * and image hash, with flipped and cropped variants when data is small), then a head is trained on the
 * embeddings. {@code scratch_cnn}: the images are decoded once at a size fitted to the data and a small CNN is
 * trained on them. Either way the result is exported as one SavedModel, loaded back through DJL, and the TEST
 * images are scored through it, so the evaluation is of the model that will be served; the first decoded TEST
 * chunk is then scored again in serving-sized batches to time it ({@link ServingThroughput}). A transfer head may
 * start from a trained model's head ({@link TrainingJob#initialHead()}); its weights are written beside the
 * SavedModel for the next one.
 */
public final class TensorFlowTrainer implements ClassifierTrainer {
  private static final Logger log = LoggerFactory.getLogger(TensorFlowTrainer.class);
  /** Below this many TRAIN images, the head also trains on flipped and cropped versions. */
  static final int AUGMENT_BELOW = 1000;
  static final Duration DEFAULT_HEAD_BUDGET = Duration.ofMinutes(5);
  static final Duration DEFAULT_CNN_BUDGET = Duration.ofMinutes(10);
  static final int DEFAULT_MAX_EPOCHS = 200;
  static final int HEAD_PATIENCE = 10;
  static final int CNN_PATIENCE = 5;
  static final int MIN_CNN_SIZE = 28;
  static final int MAX_CNN_SIZE = 96;
  /** Images embedded per backbone run (and looked up in the cache at once). */
  private static final int EMBED_CHUNK = 32;

  private final BaseModels baseModels;
  private final EmbeddingCache cache;
  private final int servingBatchSize;
  private final int threads;

  /**
   * @param servingBatchSize the batch size a deployment uses by default ({@code max-batch-size}); the exported
   *     model's serving throughput is measured in batches of it
   */
  public TensorFlowTrainer(BaseModels baseModels, EmbeddingCache cache, int servingBatchSize) {
    if (servingBatchSize < 1) {
      throw new IllegalArgumentException("servingBatchSize: %s (expected: >= 1)".formatted(servingBatchSize));
    }
    this.baseModels = baseModels;
    this.cache = cache;
    this.servingBatchSize = servingBatchSize;
    this.threads = Math.max(1, TensorFlowRuntime.availableCores());
  }

  @Override
  public void checkBaseModel(String baseModel) {
    baseModels.check(baseModel);
  }

  @Override
  public TrainedClassifier train(TrainingJob job, Consumer<TrainingProgress> progress) throws Exception {
    TensorFlowRuntime.ensureLoaded();
    return BaseModels.isScratch(job.baseModel()) ? trainScratch(job, progress) : trainTransfer(job, progress);
  }

  // ---- transfer learning ----

  private TrainedClassifier trainTransfer(TrainingJob job, Consumer<TrainingProgress> progress) throws Exception {
    Backbone backbone = baseModels.backbone(job.baseModel(), job.options().cutLayer());
    InitialHead initial = job.initialHead();
    if (initial != null && initial.head().inputDim() != backbone.featureDim()) {
      // Same base model and cut layer, so only a changed saved_model:/tfjs: folder gets here.
      throw new InitialHeadException(initial.model() + "'s head takes " + initial.head().inputDim()
          + " features but " + backbone.id() + " now gives " + backbone.featureDim() + " (its files changed since"
          + " that model was trained); train without initial_model");
    }
    boolean augment = job.train().size() < AUGMENT_BELOW;
    long started = System.nanoTime();
    Embedded embedded;
    try (Embedder embedder = new Embedder(backbone, threads);
         Decoding decoding = new Decoding(backbone.inputSize(), backbone.inputSize(), 3)) {
      embedded = new EmbeddingRun(job, backbone, embedder, decoding, augment, progress).embedAll();
    }
    if (embedded == null) {
      return TrainedClassifier.cancelledBeforeTraining();
    }
    TrainingOptions o = job.options();
    HeadOptions options = HeadOptions.defaults();
    if (o.learningRate() > 0) {
      options = options.withLearningRate(o.learningRate());
    }
    if (o.batchSize() > 0) {
      options = options.withBatchSize(o.batchSize());
    }
    TrainingLimits limits = limits(job, DEFAULT_HEAD_BUDGET, HEAD_PATIENCE);
    TrainingResult result;
    ClassifierHead head;
    List<String> notes = new ArrayList<>();
    if (augment) {
      notes.add("trained on flipped and cropped copies too: fewer than " + AUGMENT_BELOW + " TRAIN images");
    }
    try (HeadTrainer trainer = new HeadTrainer(backbone.featureDim(), job.type(), job.labels().size(), options)) {
      if (initial != null) {
        int[] columns = initial.sourceColumns(job.labels());
        trainer.startFrom(initial.head(), columns);
        long kept = Arrays.stream(columns).filter(c -> c >= 0).count();
        notes.add("started from the head of " + initial.model() + ": " + kept + " of " + columns.length
            + " labels kept their trained weights");
      }
      result = trainer.fit(embedded.train, embedded.trainLabels, embedded.validation, embedded.validationLabels,
          limits, listener(progress, limits));
      head = trainer.head();
    }
    if (result.stopReason() == StopReason.CANCELLED && result.epochs() == 0) {
      return TrainedClassifier.cancelledBeforeTraining();
    }
    progress.accept(TrainingProgress.of(Stage.EXPORTING));
    Path savedModel = job.outputDir().resolve("saved_model");
    new ClassifierExporter().export(ExportableClassifier.of(backbone, head, job.labels()), savedModel);
    HeadWeightsFile.write(head, job.outputDir());
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    Scored scored = score(job, savedModel, backbone.inputSize(), 3, progress);
    return new TrainedClassifier(backbone.inputSize(), 3, result, took, new TrainedClassifier.Embedding(
        embedded.imagesPerSecond, embedded.reused, backbone.featureDim()), scored.scores, notes,
        scored.servingImagesPerSecond);
  }

  /** Embeddings and labels of the TRAIN (with augmented variants) and VALIDATION images. */
  private record Embedded(Embeddings train, Labels trainLabels, Embeddings validation, Labels validationLabels,
      double imagesPerSecond, long reused) {}

  /** Embeds a job's images (cache first), counting progress over all of them. */
  private final class EmbeddingRun {
    private final TrainingJob job;
    private final Backbone backbone;
    private final Embedder embedder;
    private final Decoding decoding;
    private final Consumer<TrainingProgress> progress;
    private final List<Integer> trainVariants;
    private final long total;
    private final long startNanos = System.nanoTime();
    private long done;
    private long computed;
    private long reused;

    EmbeddingRun(TrainingJob job, Backbone backbone, Embedder embedder, Decoding decoding, boolean augment,
        Consumer<TrainingProgress> progress) {
      this.job = job;
      this.backbone = backbone;
      this.embedder = embedder;
      this.decoding = decoding;
      this.progress = progress;
      this.trainVariants = augment ? Embedder.VARIANTS : List.of(Embedder.ORIGINAL);
      this.total = (long) job.train().size() * trainVariants.size() + job.validation().size() + job.test().size();
    }

    /** The embedded TRAIN and VALIDATION sets; null if cancelled. */
    Embedded embedAll() {
      List<float[]> trainRows = new ArrayList<>();
      List<int[]> trainTruth = new ArrayList<>();
      for (int variant : trainVariants) {
        Map<String, float[]> v = embed(job.train(), variant);
        if (v == null) {
          return null;
        }
        for (LabeledImage e : job.train()) {
          trainRows.add(v.get(e.sha256()));
          trainTruth.add(e.labels());
        }
      }
      Map<String, float[]> val = embed(job.validation(), Embedder.ORIGINAL);
      // TEST embeddings are not needed for training (TEST is scored through the exported model), but caching them
      // now makes the next training on this dataset skip them; it costs what scoring them once would.
      if (val == null || embed(job.test(), Embedder.ORIGINAL) == null) {
        return null;
      }
      List<float[]> valRows = new ArrayList<>();
      List<int[]> valTruth = new ArrayList<>();
      for (LabeledImage e : job.validation()) {
        valRows.add(val.get(e.sha256()));
        valTruth.add(e.labels());
      }
      double seconds = Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
      log.info("Embedded {} images with {} ({} from the cache) in {} s", done, backbone.id(), reused,
          String.format("%.1f", seconds));
      int dim = backbone.featureDim();
      return new Embedded(embeddings(trainRows, dim), labels(job, trainTruth),
          valRows.isEmpty() ? null : embeddings(valRows, dim), valRows.isEmpty() ? null : labels(job, valTruth),
          computed == 0 ? 0 : computed / seconds, reused);
    }

    /** Embeds {@code images} (cache first); null if cancelled. */
    private Map<String, float[]> embed(List<LabeledImage> images, int variant) {
      Map<String, float[]> out = new HashMap<>();
      for (int from = 0; from < images.size(); from += EMBED_CHUNK) {
        if (job.cancelled().getAsBoolean()) {
          return null;
        }
        List<LabeledImage> part = images.subList(from, Math.min(images.size(), from + EMBED_CHUNK));
        List<String> hashes = part.stream().map(LabeledImage::sha256).toList();
        Map<String, float[]> cached = cache.get(backbone.id(), hashes, variant);
        out.putAll(cached);
        reused += cached.size();
        List<LabeledImage> missing = part.stream().filter(e -> !cached.containsKey(e.sha256())).toList();
        if (!missing.isEmpty()) {
          List<byte[]> encoded = missing.stream().map(e -> TrainingImages.decodable(job.images(), e)).toList();
          float[] vectors = embedder.embed(decoding.decode(encoded), variant);
          Map<String, float[]> fresh = new HashMap<>();
          int dim = embedder.dim();
          for (int i = 0; i < missing.size(); i++) {
            float[] v = new float[dim];
            System.arraycopy(vectors, i * dim, v, 0, dim);
            fresh.put(missing.get(i).sha256(), v);
          }
          cache.put(backbone.id(), fresh, variant);
          out.putAll(fresh);
          computed += missing.size();
        }
        done += part.size();
        double rate = computed / Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
        progress.accept(TrainingProgress.images(Stage.EMBEDDING, done, total, rate,
            rate > 0 ? Duration.ofSeconds((long) ((total - done) / rate)) : null));
      }
      return out;
    }
  }

  // ---- scratch CNN ----

  private TrainedClassifier trainScratch(TrainingJob job, Consumer<TrainingProgress> progress) throws Exception {
    if (job.initialHead() != null) {
      throw new InitialHeadException("scratch_cnn trains its whole network: it cannot start from "
          + job.initialHead().model() + "'s head");
    }
    List<LabeledImage> train = job.train();
    List<LabeledImage> validation = job.validation();
    int size = inputSize(train);
    long started = System.nanoTime();
    progress.accept(TrainingProgress.of(Stage.PREPARING));
    ImageBatch trainImages;
    ImageBatch valImages;
    try (Decoding decoding = new Decoding(size, size, 3)) {
      long total = train.size() + validation.size();
      long[] done = {0};
      Runnable tick = () -> {
        done[0] = Math.min(total, done[0] + TrainingImages.CHUNK);
        progress.accept(TrainingProgress.images(Stage.PREPARING, done[0], total, 0, null));
      };
      trainImages = TrainingImages.decodeAll(job.images(), train, size, 3, decoding, tick);
      valImages = TrainingImages.decodeAll(job.images(), validation, size, 3, decoding, tick);
    }
    if (job.cancelled().getAsBoolean()) {
      return TrainedClassifier.cancelledBeforeTraining();
    }
    int channels = 3;
    if (TrainingImages.allGray(trainImages) && TrainingImages.allGray(valImages)) {
      channels = 1;
      trainImages = TrainingImages.firstChannel(trainImages);
      valImages = TrainingImages.firstChannel(valImages);
    }
    TrainingOptions o = job.options();
    ScratchCnnOptions options = ScratchCnnOptions.defaults();
    if (o.learningRate() > 0) {
      options = options.withLearningRate(o.learningRate());
    }
    if (o.batchSize() > 0) {
      options = options.withBatchSize(o.batchSize());
    }
    if (train.size() < AUGMENT_BELOW) {
      options = options.withAugment(true);
    }
    TrainingLimits limits = limits(job, DEFAULT_CNN_BUDGET, CNN_PATIENCE);
    List<int[]> trainTruth = train.stream().map(LabeledImage::labels).toList();
    List<int[]> valTruth = validation.stream().map(LabeledImage::labels).toList();
    TrainingResult result;
    ScratchCnnWeights weights;
    try (ScratchCnnTrainer trainer = new ScratchCnnTrainer(size, size, channels, job.type(), job.labels().size(),
        options)) {
      result = trainer.fit(trainImages, labels(job, trainTruth), validation.isEmpty() ? null : valImages,
          validation.isEmpty() ? null : labels(job, valTruth), limits, listener(progress, limits));
      weights = trainer.weights();
    }
    if (result.stopReason() == StopReason.CANCELLED && result.epochs() == 0) {
      return TrainedClassifier.cancelledBeforeTraining();
    }
    progress.accept(TrainingProgress.of(Stage.EXPORTING));
    Path savedModel = job.outputDir().resolve("saved_model");
    new ClassifierExporter().export(weights.exportable(job.labels()), savedModel);
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    Scored scored = score(job, savedModel, size, channels, progress);
    return new TrainedClassifier(size, channels, result, took, null, scored.scores,
        List.of("scratch_cnn trained at " + size + "x" + size + "x" + channels), scored.servingImagesPerSecond);
  }

  /** The median of the TRAIN images' longer side, within [28, 96]: small images stay small, photos get 96. */
  static int inputSize(List<LabeledImage> train) {
    int[] sides = train.stream().mapToInt(e -> Math.max(e.width(), e.height())).sorted().toArray();
    int median = sides.length == 0 ? MIN_CNN_SIZE : sides[sides.length / 2];
    return Math.max(MIN_CNN_SIZE, Math.min(MAX_CNN_SIZE, median));
  }

  // ---- scoring the TEST images through the exported model ----

  /** The TEST scores, and the serving throughput measured on the first TEST chunk (0: not measured). */
  private record Scored(float[][] scores, double servingImagesPerSecond) {}

  private Scored score(TrainingJob job, Path savedModel, int size, int channels,
      Consumer<TrainingProgress> progress) throws Exception {
    List<LabeledImage> test = job.test();
    float[][] scores = new float[test.size()][];
    ImageBatch firstChunk = null;
    Criteria<ImageBatch, float[][]> criteria = Criteria.builder()
        .setTypes(ImageBatch.class, float[][].class)
        .optEngine("TensorFlow")
        .optModelPath(savedModel)
        .optTranslator(new ImageBatchTranslator())
        .build();
    try (ZooModel<ImageBatch, float[][]> model = criteria.loadModel();
         Predictor<ImageBatch, float[][]> predictor = model.newPredictor();
         Decoding decoding = new Decoding(size, size, 3)) {
      for (int from = 0; from < test.size(); from += TrainingImages.CHUNK) {
        List<LabeledImage> part = test.subList(from, Math.min(test.size(), from + TrainingImages.CHUNK));
        ImageBatch images = TrainingImages.decodeAll(job.images(), part, size, 3, decoding, () -> {});
        if (channels == 1) {
          images = TrainingImages.firstChannel(images);
        }
        float[][] s = predictor.predict(images);
        System.arraycopy(s, 0, scores, from, s.length);
        if (firstChunk == null) {
          firstChunk = images;
        }
        progress.accept(TrainingProgress.images(Stage.EVALUATING, from + part.size(), test.size(), 0, null));
      }
      // The images are decoded and the model is loaded and warm already: timing it here costs at most the budget.
      long measuring = System.nanoTime();
      double servingRate = firstChunk == null ? 0 : ServingThroughput.measure(predictor::predict, firstChunk,
          servingBatchSize, ServingThroughput.BUDGET, System::nanoTime);
      if (servingRate > 0) {
        log.info("Exported model scored {} images/s in batches of {} (measured in {} ms)",
            String.format("%.1f", servingRate), servingBatchSize, (System.nanoTime() - measuring) / 1_000_000);
      }
      if (job.type() == ClassificationType.MULTICLASS) {
        normalize(scores);
      }
      return new Scored(scores, servingRate);
    }
  }

  /** Softmax outputs in float32 sum to 1 only within rounding; the metrics check the sum strictly. */
  private static void normalize(float[][] scores) {
    for (float[] row : scores) {
      double sum = 0;
      for (float v : row) {
        sum += v;
      }
      if (sum > 0) {
        for (int i = 0; i < row.length; i++) {
          row[i] = (float) (row[i] / sum);
        }
      }
    }
  }

  // ---- shared pieces ----

  private static Labels labels(TrainingJob job, List<int[]> truth) {
    int n = job.labels().size();
    if (job.type() == ClassificationType.MULTILABEL) {
      boolean[][] hot = new boolean[truth.size()][n];
      for (int i = 0; i < truth.size(); i++) {
        for (int l : truth.get(i)) {
          hot[i][l] = true;
        }
      }
      return Labels.multilabel(hot, n);
    }
    return Labels.multiclass(truth.stream().mapToInt(t -> t[0]).toArray(), n);
  }

  private static Embeddings embeddings(List<float[]> rows, int dim) {
    float[] values = new float[rows.size() * dim];
    for (int i = 0; i < rows.size(); i++) {
      System.arraycopy(rows.get(i), 0, values, i * dim, dim);
    }
    return new Embeddings(values, rows.size(), dim);
  }

  private static TrainingLimits limits(TrainingJob job, Duration defaultBudget, int patience) {
    TrainingOptions o = job.options();
    Duration budget = o.budget() != null && !o.budget().isNegative() && !o.budget().isZero() ? o.budget() : defaultBudget;
    int epochs = o.maxEpochs() > 0 ? o.maxEpochs() : DEFAULT_MAX_EPOCHS;
    BooleanSupplier cancelled = job.cancelled();
    return TrainingLimits.of(epochs, budget).withPatience(patience).withCancel(cancelled);
  }

  /** Turns the trainers' callbacks into progress reports, steps at most twice a second. */
  private static TrainingListener listener(Consumer<TrainingProgress> progress, TrainingLimits limits) {
    long start = System.nanoTime();
    return new TrainingListener() {
      private long lastStep;
      private Evaluation validation;
      private long steps;

      @Override
      public void onStep(StepProgress s) {
        steps++;
        long now = System.nanoTime();
        if (now - lastStep < 500_000_000L) {
          return;
        }
        lastStep = now;
        progress.accept(TrainingProgress.training(s.epoch(), limits.maxEpochs(), steps, s.trainLoss(),
            s.imagesPerSecond(), validation, null));
      }

      @Override
      public void onEpoch(EpochProgress e) {
        if (e.validation() != null) {
          validation = e.validation();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        double perEpoch = elapsed / Math.max(1, e.epoch());
        double left = Math.min(limits.timeBudget().toSeconds() - elapsed, perEpoch * (limits.maxEpochs() - e.epoch()));
        progress.accept(TrainingProgress.training(e.epoch(), limits.maxEpochs(), steps, e.trainLoss(),
            e.epochImagesPerSecond(), validation, Duration.ofSeconds((long) Math.max(0, left))));
      }
    };
  }
}
