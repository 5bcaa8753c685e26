package dev.nimbus.server.model;

import dev.nimbus.v1.CreateModelDetails;
import java.util.Locale;

/** The one-line status of a training operation. */
final class TrainingText {
  private TrainingText() {}

  static String line(CreateModelDetails d) {
    StringBuilder b = new StringBuilder(d.getStage().name().toLowerCase(Locale.ROOT));
    if (d.getEpoch() > 0) {
      b.append(String.format(Locale.ROOT, ": epoch %d%s, loss %.4f", d.getEpoch(),
          d.getMaxEpochs() > 0 ? "/" + d.getMaxEpochs() : "", d.getTrainLoss()));
      if (d.getValidationLoss() > 0) {
        b.append(String.format(Locale.ROOT, ", validation loss %.4f, accuracy %.3f", d.getValidationLoss(),
            d.getValidationAccuracy()));
      }
    }
    if (d.getImagesPerSecond() > 0) {
      b.append(String.format(Locale.ROOT, ", %.0f images/s", d.getImagesPerSecond()));
    }
    return b.toString();
  }
}
