package dev.nimbus.cli;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.imageio.ImageIO;

/** Small real images, each with its own pixels, so that every file is a distinct example on the server. */
final class Images {
  private Images() {}

  /** A 24x16 image whose pixels follow from {@code seed}; format "png" or "jpg". */
  static byte[] encode(int seed, String format) {
    BufferedImage image = new BufferedImage(24, 16, BufferedImage.TYPE_INT_RGB);
    for (int x = 0; x < image.getWidth(); x++) {
      for (int y = 0; y < image.getHeight(); y++) {
        image.setRGB(x, y, ((seed * 53 + x * 11) & 0xff) << 16 | ((seed * 29 + y * 13) & 0xff) << 8
            | ((seed * 97 + x * y) & 0xff));
      }
    }
    // The pattern above repeats every 256 seeds; these two pixels make every seed an image of its own.
    image.setRGB(0, 0, seed & 0xffffff);
    image.setRGB(1, 0, seed >>> 24);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, format.equals("jpg") ? "jpeg" : format, out)) {
        throw new IllegalStateException("no ImageIO writer for " + format);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Writes the image of {@code seed} to {@code file}, in the format its extension names; returns the bytes. */
  static byte[] write(Path file, int seed) throws IOException {
    String name = file.getFileName().toString();
    byte[] bytes = encode(seed, name.substring(name.lastIndexOf('.') + 1));
    Files.createDirectories(file.getParent());
    Files.write(file, bytes);
    return bytes;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
