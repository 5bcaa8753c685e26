package dev.nimbus.server.batching;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what a scheduler reports, as lines like {@code "m:2:QUEUE_FULL"}. */
final class RecordingListener implements BatchListener {
  final List<BatchRun> batches = new CopyOnWriteArrayList<>();
  final List<String> rejected = new CopyOnWriteArrayList<>();
  final List<String> dropped = new CopyOnWriteArrayList<>();
  final List<Boolean> heldLock = new CopyOnWriteArrayList<>();
  volatile BatchScheduler scheduler;

  @Override
  public void onBatch(BatchRun batch) {
    record();
    batches.add(batch);
  }

  @Override
  public void onRejected(String modelKey, int images, BatchingException.Kind kind) {
    record();
    rejected.add(modelKey + ":" + images + ":" + kind);
  }

  @Override
  public void onDropped(String modelKey, int images, BatchingException.Kind kind) {
    record();
    dropped.add(modelKey + ":" + images + ":" + kind);
  }

  private void record() {
    BatchScheduler s = scheduler;
    if (s != null) {
      heldLock.add(s.holdsLock());
    }
  }
}
