package dev.nimbus.server.training.export;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.tensorflow.engine.TfNDManager;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import java.nio.ByteBuffer;

/**
 * DJL translator for the exported model's {@code image_bytes} signature (load the model with option
 * {@code SignatureDefKey=image_bytes}): one encoded image in, its probabilities out.
 *
 * <p>The bytes go in as a TF string tensor. DJL's generic {@code create(String)} would re-encode them as UTF-8 and
 * corrupt binary data, hence the TensorFlow-specific {@link TfNDManager#createStringTensor}.
 */
public final class EncodedImageTranslator implements NoBatchifyTranslator<byte[], float[]> {

  @Override
  public NDList processInput(TranslatorContext ctx, byte[] encoded) {
    if (!(ctx.getNDManager() instanceof TfNDManager manager)) {
      throw new IllegalStateException(
          "NDManager: %s (expected: the TensorFlow engine's)".formatted(ctx.getNDManager().getClass().getName()));
    }
    return new NDList(manager.createStringTensor(new Shape(), ByteBuffer.wrap(encoded)));
  }

  @Override
  public float[] processOutput(TranslatorContext ctx, NDList list) {
    return list.get(0).toFloatArray();
  }
}
