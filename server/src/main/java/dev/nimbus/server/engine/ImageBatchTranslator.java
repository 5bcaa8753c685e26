package dev.nimbus.server.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import java.nio.ByteBuffer;

/**
 * DJL translator for the exported model's {@code serving_default} signature: a whole {@link ImageBatch} in (one
 * uint8 tensor, no per-image NDArrays), probabilities {@code [count][labels]} out. The batch is already formed by
 * the caller (Nimbus's batcher), so DJL's batchifier is not used.
 */
public final class ImageBatchTranslator implements NoBatchifyTranslator<ImageBatch, float[][]> {

  @Override
  public NDList processInput(TranslatorContext ctx, ImageBatch input) {
    // DJL copies the buffer's contents into a new TF tensor, so wrapping the array adds no copy
    ByteBuffer buffer = ByteBuffer.wrap(input.pixels());
    NDArray images =
        ctx.getNDManager()
            .create(buffer, new Shape(input.count(), input.height(), input.width(), input.channels()), DataType.UINT8);
    return new NDList(images);
  }

  @Override
  public float[][] processOutput(TranslatorContext ctx, NDList list) {
    NDArray probabilities = list.get(0);
    long[] shape = probabilities.getShape().getShape();
    float[] flat = probabilities.toFloatArray();
    int rows = (int) shape[0];
    int labels = (int) shape[1];
    float[][] out = new float[rows][labels];
    for (int i = 0; i < rows; i++) {
      System.arraycopy(flat, i * labels, out[i], 0, labels);
    }
    return out;
  }
}
