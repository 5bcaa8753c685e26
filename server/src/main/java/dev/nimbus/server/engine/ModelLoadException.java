package dev.nimbus.server.engine;

/** A SavedModel could not be loaded for serving; {@link #reason()} says whether the device or the model is at fault. */
public final class ModelLoadException extends RuntimeException {
  public enum Reason {
    /** The device asked for does not exist on this machine (or CUDA/cuDNN cannot drive it). */
    NO_SUCH_GPU,
    /** The SavedModel is missing or TensorFlow refused it. */
    MODEL_LOAD_FAILED
  }

  private final Reason reason;

  public ModelLoadException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
