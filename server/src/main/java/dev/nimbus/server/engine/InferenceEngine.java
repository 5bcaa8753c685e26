package dev.nimbus.server.engine;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import ai.djl.util.cuda.CudaUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serving's view of the engine: loads an exported SavedModel with DJL's TensorFlow engine on a device and hands
 * out runners, one per thread that will call it (a DJL Predictor is not thread-safe).
 */
public final class InferenceEngine {
  private static final Pattern GPU = Pattern.compile("gpu:(\\d+)");

  /** A loaded model; close it when no runner is in use any more. */
  public interface LoadedModel extends AutoCloseable {
    /** A runner for one thread. */
    Runner newRunner();

    /** Bytes of the model on disk, a proxy for its memory weight. */
    long sizeBytes();

    @Override
    void close();
  }

  /** Runs uint8 image batches [N,H,W,C] through the model: probabilities [N][labels]. Not thread-safe. */
  public interface Runner extends AutoCloseable {
    float[][] run(ImageBatch batch);

    @Override
    void close();
  }

  /**
   * A device name in its canonical form: {@code cpu} (also for an empty name) or {@code gpu:N}.
   *
   * @throws IllegalArgumentException for anything else
   */
  public static String checkDevice(String name) {
    return device(name).isGpu() ? "gpu:" + device(name).getDeviceId() : "cpu";
  }

  private static Device device(String name) {
    String n = name.strip().toLowerCase(Locale.ROOT);
    if (n.isEmpty() || n.equals("cpu")) {
      return Device.cpu();
    }
    Matcher m = GPU.matcher(n);
    if (m.matches()) {
      return Device.gpu(Integer.parseInt(m.group(1)));
    }
    throw new IllegalArgumentException("device: '" + name + "' (expected: cpu or gpu:N)");
  }

  /**
   * Loads the SavedModel in {@code dir} on {@code device}.
   *
   * @throws TensorFlowUnavailableException if TensorFlow's native libraries cannot be loaded
   * @throws ModelLoadException if the device does not exist or the model cannot be loaded
   */
  public LoadedModel load(Path dir, String device) {
    TensorFlowRuntime.ensureLoaded();
    Device d = device(device);
    if (d.isGpu() && CudaUtils.getGpuCount() <= d.getDeviceId()) {
      throw new ModelLoadException(ModelLoadException.Reason.NO_SUCH_GPU, "device " + device + " is not available:"
          + " this machine has " + CudaUtils.getGpuCount() + " usable GPUs (CUDA 12.1 and cuDNN 8.9 are needed);"
          + " use cpu", null);
    }
    Criteria<ImageBatch, float[][]> criteria = Criteria.builder()
        .setTypes(ImageBatch.class, float[][].class)
        .optEngine("TensorFlow")
        .optDevice(d)
        .optModelPath(dir)
        .optTranslator(new ImageBatchTranslator())
        .build();
    ZooModel<ImageBatch, float[][]> model;
    try {
      model = criteria.loadModel();
    } catch (ModelNotFoundException | MalformedModelException | IOException e) {
      throw new ModelLoadException(ModelLoadException.Reason.MODEL_LOAD_FAILED, "TensorFlow could not load the"
          + " SavedModel in " + dir, e);
    }
    long size = sizeOf(dir);
    return new LoadedModel() {
      @Override
      public Runner newRunner() {
        Predictor<ImageBatch, float[][]> predictor = model.newPredictor();
        return new Runner() {
          @Override
          public float[][] run(ImageBatch batch) {
            try {
              return predictor.predict(batch);
            } catch (TranslateException e) {
              throw new IllegalStateException("the engine failed on a batch of " + batch.count() + ": "
                  + e.getMessage(), e);
            }
          }

          @Override
          public void close() {
            predictor.close();
          }
        };
      }

      @Override
      public long sizeBytes() {
        return size;
      }

      @Override
      public void close() {
        model.close();
      }
    };
  }

  private static long sizeOf(Path dir) {
    try (var files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    } catch (IOException e) {
      return 0;
    }
  }
}
