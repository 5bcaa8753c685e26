package dev.nimbus.server.engine;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.op.image.DecodeImage;
import org.tensorflow.op.image.ResizeBilinear;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/**
 * Decode-and-resize ops shared by {@link Decoding} and the exported {@code image_bytes} signature, so an image sent
 * as bytes to the exported model gets exactly the pixels that {@link Decoding} would give the trainer.
 */
public final class ImageGraphs {

  /** ITU-R BT.601 luma, the weights of {@code tf.image.rgb_to_grayscale} (and of PIL's "L" mode). */
  private static final float[] LUMA = {0.2989f, 0.5870f, 0.1140f};

  private ImageGraphs() {}

  /**
   * One encoded image (scalar string: JPEG, PNG, GIF (first frame) or BMP) to uint8 [1, height, width, channels].
   *
   * <p>Always decodes to RGB, then converts to gray in the graph when {@code channels == 1}: the GIF decoder only
   * produces RGB, so asking DecodeImage for one channel would fail on GIFs. Resizing is bilinear with half-pixel
   * centres (what {@code tf.image.resize} does in TF2), then rounded back to uint8.
   */
  public static Operand<TUint8> decodeResize(Ops tf, Operand<TString> encoded, int height, int width, int channels) {
    Operand<TUint8> rgb =
        tf.image.decodeImage(
            encoded, TUint8.class, DecodeImage.channels(3L), DecodeImage.expandAnimations(false));
    Operand<TFloat32> resized =
        tf.image.resizeBilinear(
            tf.expandDims(rgb, tf.constant(0)),
            tf.constant(new int[] {height, width}),
            ResizeBilinear.halfPixelCenters(true));
    if (channels == 1) {
      resized =
          tf.reduceSum(
              tf.math.mul(resized, tf.constant(LUMA)),
              tf.constant(new int[] {3}),
              ReduceSum.keepDims(true));
    }
    Operand<TFloat32> clipped =
        tf.clipByValue(tf.math.round(resized), tf.constant(0f), tf.constant(255f));
    return tf.dtypes.cast(clipped, TUint8.class);
  }

  /** uint8 pixels to float in [0, 1], the input scale every feature extractor here expects. */
  public static Operand<TFloat32> toUnitRange(Ops tf, Operand<TUint8> images) {
    return tf.math.mul(tf.dtypes.cast(images, TFloat32.class), tf.constant(1f / 255f));
  }
}
