package dev.nimbus.cli;

import dev.nimbus.client.UploadProgress;
import dev.nimbus.v1.CreateModelDetails;
import dev.nimbus.v1.ImportDataDetails;
import dev.nimbus.v1.OperationMetadata;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The progress bar of an operation a command waits for: drawn on stderr, and only when a person is watching, so
 * that piped output and logs never fill up with carriage returns. Imports count rows and show how many were
 * imported, were duplicates or failed; other operations show their percent and status message.
 */
abstract class Progress implements AutoCloseable {
  private static final Progress NONE = new Progress() {
    @Override
    void update(OperationMetadata metadata) {}

    @Override
    void upload(UploadProgress progress) {}

    @Override
    public void close() {}
  };

  /** A bar when {@code context} is interactive; otherwise one that draws nothing. */
  static Progress start(CliContext context, String task) {
    return context.interactive() ? new Bar(context, task) : NONE;
  }

  /** Called from the SDK's polling thread: must be quick and must not throw. */
  abstract void update(OperationMetadata metadata);

  /** Called from the SDK's upload threads: must be quick and must not throw. */
  abstract void upload(UploadProgress progress);

  @Override
  public abstract void close();

  /** The extra text after the bar: what an import has done so far, or the operation's status message. */
  static String summary(OperationMetadata m) {
    if (m.hasImportDataDetails()) {
      ImportDataDetails d = m.getImportDataDetails();
      return String.format(Locale.ROOT, "imported %d, duplicates %d, failed %d", d.getImportedCount(),
          d.getDuplicateCount(), d.getFailedCount());
    }
    if (m.hasCreateModelDetails()) {
      return training(m.getCreateModelDetails());
    }
    return m.getStatusMessage();
  }

  /** "TRAINING epoch 3/50 loss 0.412 val loss 0.503 val acc 83.1% 412 img/s ETA 1m20s". */
  static String training(CreateModelDetails d) {
    StringBuilder b = new StringBuilder(Text.name(d.getStage()));
    if (d.getEpoch() > 0) {
      b.append(" epoch ").append(d.getEpoch());
      if (d.getMaxEpochs() > 0) {
        b.append('/').append(d.getMaxEpochs());
      }
      b.append(String.format(Locale.ROOT, " loss %.3f", d.getTrainLoss()));
      if (d.getValidationLoss() > 0) {
        b.append(String.format(Locale.ROOT, " val loss %.3f val acc %.1f%%", d.getValidationLoss(),
            100 * d.getValidationAccuracy()));
      }
    }
    if (d.getImagesPerSecond() > 0) {
      b.append(String.format(Locale.ROOT, " %.0f img/s", d.getImagesPerSecond()));
    }
    if (d.hasEta() && d.getEta().getSeconds() > 0) {
      long s = d.getEta().getSeconds();
      b.append(" ETA ").append(s >= 60 ? (s / 60) + "m" + (s % 60) + "s" : s + "s");
    }
    return b.toString();
  }

  private static final class Bar extends Progress {
    private final ProgressBar bar;
    private boolean closed;

    Bar(CliContext context, String task) {
      ConsoleProgressBarConsumer consumer = context.progressWidth() > 0
          ? new ConsoleProgressBarConsumer(context.progress(), context.progressWidth())
          : new ConsoleProgressBarConsumer(context.progress());
      this.bar = new ProgressBarBuilder()
          .setTaskName(task)
          .setInitialMax(100)
          .setStyle(ProgressBarStyle.ASCII)
          .setUpdateIntervalMillis(200)
          .setConsumer(consumer)
          .hideEta()
          .build();
    }

    @Override
    synchronized void update(OperationMetadata m) {
      if (closed) {
        return; // A late update from the SDK's thread, after the command drew the end.
      }
      try {
        ImportDataDetails d = m.getImportDataDetails();
        if (m.hasImportDataDetails() && d.getTotalRowCount() > 0) {
          // Rows rather than percent: "37/120" says more than "31%" and the bar shows the percent anyway.
          bar.maxHint(d.getTotalRowCount());
          bar.stepTo(d.getProcessedRowCount());
        } else {
          bar.maxHint(100);
          bar.stepTo(Math.round(m.getProgressPercent()));
        }
        bar.setExtraMessage(summary(m));
      } catch (RuntimeException e) {
        // A display problem must not disturb the polling thread, which also completes the operation.
      }
    }

    @Override
    synchronized void upload(UploadProgress p) {
      if (closed) {
        return;
      }
      try {
        bar.maxHint(p.imagesTotal());
        bar.stepTo(p.imagesDone());
        bar.setExtraMessage(p.stage() == UploadProgress.Stage.HASHING ? "hashing"
            : String.format(Locale.ROOT, "sent %.1f of %.1f MB", p.bytesSent() / 1e6, p.bytesToSend() / 1e6));
      } catch (RuntimeException e) {
        // A display problem must not disturb the upload.
      }
    }

    @Override
    public synchronized void close() {
      closed = true;
      bar.close();
    }
  }
}
