package dev.nimbus.server.training.export;

import dev.nimbus.server.training.graph.ClassifierHead;
import dev.nimbus.server.training.graph.DenseLayer;
import dev.nimbus.v1.ClassificationType;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A trained head's weights as a small file beside the SavedModel ({@value #NAME}), so a later training can start
 * from them: inside the SavedModel they are graph constants that only a graph walk could get back. Big-endian:
 * magic {@code NHW1}, the classification type's number, the layer count, then per layer its inputs, outputs,
 * kernel (row-major {@code inputs x outputs}) and bias as float32. A few KB for a linear probe (96 x labels).
 */
public final class HeadWeightsFile {
  public static final String NAME = "head_weights.bin";
  private static final int MAGIC = 0x4E485731; // "NHW1"
  /** A head wider than this is not one Nimbus wrote: refuse it instead of allocating it. */
  private static final long MAX_VALUES = 64L * 1024 * 1024;

  private HeadWeightsFile() {}

  /**
   * Writes {@code head} as {@code dir/}{@value #NAME}: to a temporary name, fsynced, renamed atomically, the folder
   * fsynced; an existing file is never overwritten.
   */
  public static void write(ClassifierHead head, Path dir) throws IOException {
    Objects.requireNonNull(head, "head");
    Path target = dir.resolve(NAME);
    if (Files.exists(target)) {
      throw new IllegalArgumentException("%s: exists (expected: a folder without head weights)".formatted(target));
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(bytes))) {
      out.writeInt(MAGIC);
      out.writeInt(head.type().getNumber());
      out.writeInt(head.layers().size());
      for (DenseLayer layer : head.layers()) {
        out.writeInt(layer.inputs());
        out.writeInt(layer.outputs());
        for (float v : layer.kernel()) {
          out.writeFloat(v);
        }
        for (float v : layer.bias()) {
          out.writeFloat(v);
        }
      }
    }
    Path tmp = dir.resolve(NAME + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes.toByteArray());
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }

  /**
   * The head in {@code dir/}{@value #NAME}.
   *
   * @throws NoSuchFileException if the folder has none (a model trained before heads were kept, or a scratch CNN)
   * @throws IOException if the file is not one this class wrote
   */
  public static ClassifierHead read(Path dir) throws IOException {
    Path file = dir.resolve(NAME);
    try (InputStream raw = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new BufferedInputStream(raw))) {
      if (in.readInt() != MAGIC) {
        throw new IOException(file + " is not a head weights file");
      }
      ClassificationType type = ClassificationType.forNumber(in.readInt());
      int count = in.readInt();
      if (type == null || type == ClassificationType.UNRECOGNIZED || count < 1 || count > 16) {
        throw new IOException(file + " has an unknown classification type or " + count + " layers");
      }
      List<DenseLayer> layers = new ArrayList<>(count);
      for (int l = 0; l < count; l++) {
        int inputs = in.readInt();
        int outputs = in.readInt();
        if (inputs < 1 || outputs < 1 || (long) inputs * outputs > MAX_VALUES) {
          throw new IOException(file + " has a layer of " + inputs + " x " + outputs);
        }
        float[] kernel = new float[inputs * outputs];
        for (int i = 0; i < kernel.length; i++) {
          kernel[i] = in.readFloat();
        }
        float[] bias = new float[outputs];
        for (int i = 0; i < bias.length; i++) {
          bias[i] = in.readFloat();
        }
        layers.add(new DenseLayer(inputs, outputs, kernel, bias));
      }
      if (in.read() != -1) {
        throw new IOException(file + " has bytes after its last layer");
      }
      return new ClassifierHead(layers, type);
    } catch (EOFException e) {
      throw new IOException(file + " is truncated", e);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + " holds layers that do not chain: " + e.getMessage(), e);
    }
  }
}
