package dev.nimbus.server.image;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Small JPEG previews of stored images, for the console's grids. The source is decoded subsampled (never at full
 * size, so a 30,000-pixel-wide panorama costs what a screen-sized image does), then scaled in halving steps with
 * bilinear filtering, which looks close to area averaging at a fraction of its cost.
 */
public final class Thumbnailer {
  private static final float QUALITY = 0.82f;

  private Thumbnailer() {}

  /**
   * A JPEG of {@code bytes} no larger than {@code maxSide} pixels a side (the image's own size when it is smaller),
   * transparent parts on white.
   *
   * @throws InvalidImageException if the image cannot be decoded
   */
  public static byte[] jpeg(byte[] bytes, int maxSide) throws InvalidImageException {
    ImageFormat format = ImageFormat.sniff(bytes).orElseThrow(() -> Messages.unsupported(bytes));
    ImageReader reader = Readers.create(format);
    BufferedImage decoded;
    try (ByteArrayImageInputStream input = new ByteArrayImageInputStream(bytes)) {
      reader.setInput(input, true, true);
      int width = reader.getWidth(0);
      int height = reader.getHeight(0);
      ImageReadParam param = reader.getDefaultReadParam();
      // Decode at no less than twice the target, so the last scaling step still has pixels to average.
      int step = Math.max(1, Math.max(width, height) / (2 * maxSide));
      if (step > 1) {
        param.setSourceSubsampling(step, step, 0, 0);
      }
      decoded = reader.read(0, param);
    } catch (OutOfMemoryError e) {
      throw e;
    } catch (Throwable t) {
      throw Messages.corrupt(format, Messages.describe(t), t);
    } finally {
      reader.dispose();
    }
    if (decoded == null) {
      throw Messages.corrupt(format, "the decoder returned no image");
    }
    return encode(scale(decoded, maxSide));
  }

  private static BufferedImage scale(BufferedImage src, int maxSide) {
    double ratio = Math.min(1.0, (double) maxSide / Math.max(src.getWidth(), src.getHeight()));
    int targetW = Math.max(1, (int) Math.round(src.getWidth() * ratio));
    int targetH = Math.max(1, (int) Math.round(src.getHeight() * ratio));
    BufferedImage current = src;
    int w = src.getWidth();
    int h = src.getHeight();
    do {
      w = Math.max(targetW, w / 2);
      h = Math.max(targetH, h / 2);
      BufferedImage next = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
      Graphics2D g = next.createGraphics();
      try {
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(current, 0, 0, w, h, null);
      } finally {
        g.dispose();
      }
      current = next;
    } while (w != targetW || h != targetH);
    return current;
  }

  private static byte[] encode(BufferedImage image) {
    Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
    ImageWriter writer = writers.next();
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
      writer.setOutput(stream);
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(QUALITY);
      writer.write(null, new IIOImage(image, null, null), param);
    } catch (IOException e) {
      throw new IllegalStateException("JPEG encoding into memory failed", e);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }
}
