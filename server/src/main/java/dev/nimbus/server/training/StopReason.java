package dev.nimbus.server.training;

/** Why a training run ended; a user sees this next to the model. */
public enum StopReason {
  /** All requested epochs ran. */
  MAX_EPOCHS,
  /** The wall-clock budget ran out; the best weights seen so far are kept. */
  TIME_BUDGET,
  /** Validation loss stopped improving for {@code patience} epochs. */
  EARLY_STOPPING,
  /** The caller cancelled; the best weights seen so far are kept but the caller usually discards them. */
  CANCELLED,
  /** The training loss became NaN or infinite; the best finite weights seen so far are kept. */
  DIVERGED
}
