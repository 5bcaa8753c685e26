package dev.nimbus.server.engine;

import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import dev.nimbus.server.engine.backbone.Backbone;
import dev.nimbus.server.training.DatasetSnapshot;
import dev.nimbus.server.training.ModelTrainer;
import dev.nimbus.server.error.ApiException;
import dev.nimbus.server.util.Protos;
import dev.nimbus.v1.ClassificationType;
import dev.nimbus.v1.CreateModelDetails;
import dev.nimbus.v1.EpochMetrics;
import dev.nimbus.v1.Model;
import dev.nimbus.v1.MlUse;
import dev.nimbus.v1.TrainingParams;
import dev.nimbus.v1.TrainingSummary;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CreateModel on TensorFlow. Transfer learning ({@code mobilenet_v2}, {@code saved_model:}, {@code tfjs:}): every
 * image is embedded once by the frozen backbone (decoded and resized in a TF graph; embeddings cached by backbone
 * and image hash, with flipped and cropped variants when data is small), then a head is trained on the
 * embeddings. {@code scratch_cnn}: the images are decoded once at a size fitted to the data and a small CNN is
 * trained on them. Either way the result is exported as one SavedModel, loaded back through DJL, and the TEST
 * split is scored through it, so the evaluation is of the model that will be served.
 */
public final class TensorFlowTrainer implements ModelTrainer {
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

  private final BaseModels baseModels;
  private final EmbeddingCache cache;
  private final int threads;

  public TensorFlowTrainer(BaseModels baseModels, EmbeddingCache cache) {
    this.baseModels = baseModels;
    this.cache = cache;
    this.threads = Math.max(1, TensorFlowRuntime.availableCores());
  }

  @Override
  public void checkBaseModel(String baseModel) {
    baseModels.check(baseModel);
  }

  @Override
  public TrainedModel train(TrainingTask task, Progress progress) throws Exception {
    try {
      TensorFlowRuntime.ensureLoaded();
    } catch (TensorFlowUnavailableException e) {
      throw ApiException.failedPrecondition("TENSORFLOW_UNAVAILABLE", "training needs the TensorFlow native"
          + " libraries: " + e.getMessage());
    }
    return BaseModels.isScratch(task.baseModel()) ? trainScratch(task, progress) : trainTransfer(task, progress);
  }

  // ---- transfer learning ----

  private TrainedModel trainTransfer(TrainingTask task, Progress progress) throws Exception {
    DatasetSnapshot data = task.data();
    Backbone backbone = baseModels.backbone(task.baseModel(), task.params().getCutLayer());
    List<DatasetSnapshot.Example> train = data.split(MlUse.TRAIN);
    List<DatasetSnapshot.Example> validation = data.split(MlUse.VALIDATION);
    boolean augment = train.size() < AUGMENT_BELOW;
    long started = System.nanoTime();
    Embedded embedded;
    try (Embedder embedder = new Embedder(backbone, threads);
         Decoding decoding = new Decoding(backbone.inputSize(), backbone.inputSize(), 3)) {
      embedded = embedAll(task, backbone, embedder, decoding, train, validation, augment, progress);
    }
    if (embedded == null) {
      return cancelledBeforeTraining(data);
    }
    int labels = data.labels().size();
    ClassificationKind kind = kind(data);
    TrainingParams p = task.params();
    HeadOptions options = HeadOptions.defaults();
    if (p.getLearningRate() > 0) {
      options = options.withLearningRate(p.getLearningRate());
    }
    if (p.getBatchSize() > 0) {
      options = options.withBatchSize(p.getBatchSize());
    }
    TrainingLimits limits = limits(p, DEFAULT_HEAD_BUDGET, HEAD_PATIENCE, task.cancelRequested());
    TrainingResult result;
    ClassifierHead head;
    try (HeadTrainer trainer = new HeadTrainer(backbone.featureDim(), kind, labels, options)) {
      result = trainer.fit(embedded.train, embedded.trainLabels, embedded.validation, embedded.validationLabels,
          limits, listener(progress, limits, CreateModelDetails.Stage.TRAINING));
      head = trainer.head();
    }
    if (result.stopReason() == StopReason.CANCELLED && result.epochs() == 0) {
      return cancelledBeforeTraining(data);
    }
    progress.update(stage(CreateModelDetails.Stage.EXPORTING));
    Path savedModel = task.outputDir().resolve("saved_model");
    new ClassifierExporter().export(ExportableClassifier.of(backbone, head, data.labels()), savedModel);
    TrainingSummary summary = summary(result, started).toBuilder()
        .setEmbeddingImagesPerSecond(embedded.imagesPerSecond)
        .setEmbeddingsReused(embedded.reused)
        .setFeatureDim(backbone.featureDim())
        .build();
    return score(task, savedModel, backbone.inputSize(), 3, result, summary, progress,
        augment ? List.of("trained on flipped and cropped copies too: fewer than " + AUGMENT_BELOW + " TRAIN images")
            : List.of());
  }

  /** Embeddings and labels of the TRAIN (with augmented variants) and VALIDATION images. */
  private record Embedded(Embeddings train, Labels trainLabels, Embeddings validation, Labels validationLabels,
      double imagesPerSecond, long reused) {}

  private Embedded embedAll(TrainingTask task, Backbone backbone, Embedder embedder, Decoding decoding,
      List<DatasetSnapshot.Example> train, List<DatasetSnapshot.Example> validation, boolean augment,
      Progress progress) {
    List<Integer> trainVariants = augment ? Embedder.VARIANTS : List.of(Embedder.ORIGINAL);
    List<DatasetSnapshot.Example> test = task.data().split(MlUse.TEST);
    long total = (long) train.size() * trainVariants.size() + validation.size() + test.size();
    long[] done = {0};
    long[] computed = {0};
    long[] reused = {0};
    long t0 = System.nanoTime();
    Map<String, float[]> trainVectors = new HashMap<>();
    List<float[]> trainRows = new ArrayList<>();
    List<int[]> trainTruth = new ArrayList<>();
    for (int variant : trainVariants) {
      Map<String, float[]> v = embed(task, backbone, embedder, decoding, train, variant, total, done, computed, reused,
          t0, progress);
      if (v == null) {
        return null;
      }
      for (DatasetSnapshot.Example e : train) {
        trainRows.add(v.get(e.sha256()));
        trainTruth.add(e.labels());
      }
      if (variant == Embedder.ORIGINAL) {
        trainVectors = v;
      }
    }
    Map<String, float[]> val = embed(task, backbone, embedder, decoding, validation, Embedder.ORIGINAL, total, done,
        computed, reused, t0, progress);
    // TEST embeddings are not needed for training (TEST is scored through the exported model), but caching them
    // now makes the next training on this dataset skip them; it costs what scoring them once would.
    if (val == null || embed(task, backbone, embedder, decoding, test, Embedder.ORIGINAL, total, done, computed,
        reused, t0, progress) == null) {
      return null;
    }
    int dim = backbone.featureDim();
    List<float[]> valRows = new ArrayList<>();
    List<int[]> valTruth = new ArrayList<>();
    for (DatasetSnapshot.Example e : validation) {
      valRows.add(val.get(e.sha256()));
      valTruth.add(e.labels());
    }
    double seconds = Math.max(1e-9, (System.nanoTime() - t0) / 1e9);
    log.info("Embedded {} images with {} ({} from the cache) in {} s", done[0], backbone.id(), reused[0],
        String.format("%.1f", seconds));
    trainVectors.clear();
    return new Embedded(embeddings(trainRows, dim), labels(task.data(), trainTruth),
        valRows.isEmpty() ? null : embeddings(valRows, dim), valRows.isEmpty() ? null : labels(task.data(), valTruth),
        computed[0] == 0 ? 0 : computed[0] / seconds, reused[0]);
  }

  /** Embeds {@code examples} (cache first); null if cancelled. */
  private Map<String, float[]> embed(TrainingTask task, Backbone backbone, Embedder embedder, Decoding decoding,
      List<DatasetSnapshot.Example> examples, int variant, long total, long[] done, long[] computed, long[] reused,
      long t0, Progress progress) {
    Map<String, float[]> out = new HashMap<>();
    int chunk = 32;
    for (int from = 0; from < examples.size(); from += chunk) {
      if (task.cancelRequested().getAsBoolean()) {
        return null;
      }
      List<DatasetSnapshot.Example> part = examples.subList(from, Math.min(examples.size(), from + chunk));
      List<String> hashes = part.stream().map(DatasetSnapshot.Example::sha256).toList();
      Map<String, float[]> cached = cache.get(backbone.id(), hashes, variant);
      out.putAll(cached);
      reused[0] += cached.size();
      List<DatasetSnapshot.Example> missing = part.stream().filter(e -> !cached.containsKey(e.sha256())).toList();
      if (!missing.isEmpty()) {
        List<byte[]> encoded = missing.stream().map(e -> TrainingImages.decodable(task.blobs(), e)).toList();
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
        computed[0] += missing.size();
      }
      done[0] += part.size();
      double seconds = Math.max(1e-9, (System.nanoTime() - t0) / 1e9);
      double rate = computed[0] / seconds;
      CreateModelDetails.Builder d = stage(CreateModelDetails.Stage.EMBEDDING).toBuilder()
          .setProcessedImages(done[0]).setTotalImages(total).setImagesPerSecond(rate);
      if (rate > 0) {
        d.setEta(Protos.duration(Duration.ofSeconds((long) ((total - done[0]) / rate))));
      }
      progress.update(d.build());
    }
    return out;
  }

  // ---- scratch CNN ----

  private TrainedModel trainScratch(TrainingTask task, Progress progress) throws Exception {
    DatasetSnapshot data = task.data();
    List<DatasetSnapshot.Example> train = data.split(MlUse.TRAIN);
    List<DatasetSnapshot.Example> validation = data.split(MlUse.VALIDATION);
    int size = inputSize(train);
    long started = System.nanoTime();
    progress.update(stage(CreateModelDetails.Stage.PREPARING));
    ImageBatch trainImages;
    ImageBatch valImages;
    try (Decoding decoding = new Decoding(size, size, 3)) {
      long total = train.size() + validation.size();
      long[] done = {0};
      Runnable tick = () -> {
        done[0] = Math.min(total, done[0] + TrainingImages.CHUNK);
        progress.update(stage(CreateModelDetails.Stage.PREPARING).toBuilder().setProcessedImages(done[0])
            .setTotalImages(total).build());
      };
      trainImages = TrainingImages.decodeAll(task.blobs(), train, size, 3, decoding, tick);
      valImages = TrainingImages.decodeAll(task.blobs(), validation, size, 3, decoding, tick);
    }
    if (task.cancelRequested().getAsBoolean()) {
      return cancelledBeforeTraining(data);
    }
    int channels = 3;
    if (TrainingImages.allGray(trainImages) && TrainingImages.allGray(valImages)) {
      channels = 1;
      trainImages = TrainingImages.firstChannel(trainImages);
      valImages = TrainingImages.firstChannel(valImages);
    }
    TrainingParams p = task.params();
    ScratchCnnOptions options = ScratchCnnOptions.defaults();
    if (p.getLearningRate() > 0) {
      options = options.withLearningRate(p.getLearningRate());
    }
    if (p.getBatchSize() > 0) {
      options = options.withBatchSize(p.getBatchSize());
    }
    if (train.size() < AUGMENT_BELOW) {
      options = options.withAugment(true);
    }
    TrainingLimits limits = limits(p, DEFAULT_CNN_BUDGET, CNN_PATIENCE, task.cancelRequested());
    List<int[]> trainTruth = train.stream().map(DatasetSnapshot.Example::labels).toList();
    List<int[]> valTruth = validation.stream().map(DatasetSnapshot.Example::labels).toList();
    TrainingResult result;
    ScratchCnnWeights weights;
    try (ScratchCnnTrainer trainer = new ScratchCnnTrainer(size, size, channels, kind(data), data.labels().size(),
        options)) {
      result = trainer.fit(trainImages, labels(data, trainTruth), validation.isEmpty() ? null : valImages,
          validation.isEmpty() ? null : labels(data, valTruth), limits,
          listener(progress, limits, CreateModelDetails.Stage.TRAINING));
      weights = trainer.weights();
    }
    if (result.stopReason() == StopReason.CANCELLED && result.epochs() == 0) {
      return cancelledBeforeTraining(data);
    }
    progress.update(stage(CreateModelDetails.Stage.EXPORTING));
    Path savedModel = task.outputDir().resolve("saved_model");
    new ClassifierExporter().export(weights.exportable(data.labels()), savedModel);
    List<String> notes = new ArrayList<>();
    notes.add("scratch_cnn trained at " + size + "x" + size + "x" + channels);
    return score(task, savedModel, size, channels, result, summary(result, started), progress, notes);
  }

  /** The median of the TRAIN images' longer side, within [28, 96]: small images stay small, photos get 96. */
  static int inputSize(List<DatasetSnapshot.Example> train) {
    int[] sides = train.stream().mapToInt(e -> Math.max(e.width(), e.height())).sorted().toArray();
    int median = sides.length == 0 ? MIN_CNN_SIZE : sides[sides.length / 2];
    return Math.max(MIN_CNN_SIZE, Math.min(MAX_CNN_SIZE, median));
  }

  // ---- scoring the TEST split through the exported model ----

  private TrainedModel score(TrainingTask task, Path savedModel, int size, int channels, TrainingResult result,
      TrainingSummary summary, Progress progress, List<String> notes) throws Exception {
    List<DatasetSnapshot.Example> test = task.data().split(MlUse.TEST);
    float[][] scores = new float[test.size()][];
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
        List<DatasetSnapshot.Example> part = test.subList(from, Math.min(test.size(), from + TrainingImages.CHUNK));
        ImageBatch images = TrainingImages.decodeAll(task.blobs(), part, size, 3, decoding, () -> {});
        if (channels == 1) {
          images = TrainingImages.firstChannel(images);
        }
        float[][] s = predictor.predict(images);
        System.arraycopy(s, 0, scores, from, s.length);
        progress.update(stage(CreateModelDetails.Stage.EVALUATING).toBuilder()
            .setProcessedImages(from + part.size()).setTotalImages(test.size()).build());
      }
    }
    if (task.data().type() == ClassificationType.MULTICLASS) {
      normalize(scores);
    }
    return new TrainedModel(size, channels, summary, stopReason(result.stopReason()), scores, test, notes);
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

  private static TrainedModel cancelledBeforeTraining(DatasetSnapshot data) {
    return new TrainedModel(0, 0, TrainingSummary.getDefaultInstance(), Model.StopReason.CANCELLED, null, List.of(),
        List.of());
  }

  private static ClassificationKind kind(DatasetSnapshot data) {
    return data.type() == ClassificationType.MULTILABEL ? ClassificationKind.MULTILABEL : ClassificationKind.MULTICLASS;
  }

  private static Labels labels(DatasetSnapshot data, List<int[]> truth) {
    int n = data.labels().size();
    if (data.type() == ClassificationType.MULTILABEL) {
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

  private static TrainingLimits limits(TrainingParams p, Duration defaultBudget, int patience,
      BooleanSupplier cancelled) {
    Duration budget = p.getTrainBudgetSeconds() > 0 ? Duration.ofSeconds(p.getTrainBudgetSeconds()) : defaultBudget;
    int epochs = p.getMaxEpochs() > 0 ? p.getMaxEpochs() : DEFAULT_MAX_EPOCHS;
    return TrainingLimits.of(epochs, budget).withPatience(patience).withCancel(cancelled);
  }

  /** Turns the trainers' callbacks into CreateModel progress, steps at most a few times a second. */
  private static TrainingListener listener(Progress progress, TrainingLimits limits, CreateModelDetails.Stage stage) {
    long start = System.nanoTime();
    return new TrainingListener() {
      private long lastStep;
      private EpochProgress last;
      private long steps;

      @Override
      public void onStep(StepProgress s) {
        steps++;
        long now = System.nanoTime();
        if (now - lastStep < 500_000_000L) {
          return;
        }
        lastStep = now;
        CreateModelDetails.Builder d = base(s.epoch()).setStep(steps).setTrainLoss((float) s.trainLoss())
            .setImagesPerSecond(s.imagesPerSecond());
        progress.update(d.build());
      }

      @Override
      public void onEpoch(EpochProgress e) {
        last = e;
        CreateModelDetails.Builder d = base(e.epoch()).setStep(steps).setTrainLoss((float) e.trainLoss())
            .setImagesPerSecond(e.epochImagesPerSecond());
        if (e.validation() != null) {
          d.setValidationLoss((float) e.validation().loss()).setValidationAccuracy((float) e.validation().accuracy());
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        double perEpoch = elapsed / Math.max(1, e.epoch());
        double left = Math.min(limits.timeBudget().toSeconds() - elapsed, perEpoch * (limits.maxEpochs() - e.epoch()));
        d.setEta(Protos.duration(Duration.ofSeconds((long) Math.max(0, left))));
        progress.update(d.build());
      }

      private CreateModelDetails.Builder base(int epoch) {
        CreateModelDetails.Builder d = stage(stage).toBuilder().setEpoch(epoch).setMaxEpochs(limits.maxEpochs());
        if (last != null && last.validation() != null) {
          d.setValidationLoss((float) last.validation().loss())
              .setValidationAccuracy((float) last.validation().accuracy());
        }
        return d;
      }
    };
  }

  private static CreateModelDetails stage(CreateModelDetails.Stage stage) {
    return CreateModelDetails.newBuilder().setStage(stage).build();
  }

  private static TrainingSummary summary(TrainingResult r, long startedNanos) {
    TrainingSummary.Builder s = TrainingSummary.newBuilder()
        .setTrainingDuration(Protos.duration(Duration.ofNanos(System.nanoTime() - startedNanos)));
    double rate = 0;
    for (EpochProgress e : r.history()) {
      EpochMetrics.Builder m = EpochMetrics.newBuilder().setEpoch(e.epoch()).setTrainLoss((float) e.trainLoss())
          .setElapsed(Protos.duration(e.elapsed()));
      if (e.validation() != null) {
        m.setValidationLoss((float) e.validation().loss()).setValidationAccuracy((float) e.validation().accuracy());
      }
      s.addCurve(m);
      rate += e.trainImagesPerSecond();
    }
    if (!r.history().isEmpty()) {
      s.setTrainImagesPerSecond(rate / r.history().size());
    }
    return s.build();
  }

  static Model.StopReason stopReason(StopReason r) {
    return switch (r) {
      case MAX_EPOCHS -> Model.StopReason.MAX_EPOCHS_REACHED;
      case TIME_BUDGET -> Model.StopReason.BUDGET_REACHED;
      case EARLY_STOPPING -> Model.StopReason.CONVERGED;
      case CANCELLED -> Model.StopReason.CANCELLED;
      case DIVERGED -> Model.StopReason.DIVERGED;
    };
  }
}
