package dev.nimbus.server.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.RenderedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;

/** Test images, made in code wherever the JDK (or TwelveMonkeys) can write them. */
final class Fixtures {

  private Fixtures() {}

  // ------------------------------------------------------------------------- pictures

  /** A picture with gradients, shapes and some noise, so that compressed data is not trivial. */
  static BufferedImage picture(int width, int height, int type) {
    BufferedImage image = new BufferedImage(width, height, type);
    Graphics2D g = image.createGraphics();
    for (int y = 0; y < height; y++) {
      g.setColor(new Color(40 + y * 200 / height, 90, 200 - y * 150 / height));
      g.drawLine(0, y, width, y);
    }
    g.setColor(new Color(250, 210, 40, 200));
    g.fillOval(width / 4, height / 4, width / 2, height / 2);
    g.setColor(Color.DARK_GRAY);
    g.drawString("Nimbus", width / 3, height / 2);
    g.dispose();
    Random random = new Random(7);
    for (int i = 0; i < width * height / 8; i++) {
      int x = random.nextInt(width);
      int y = random.nextInt(height);
      image.setRGB(x, y, image.getRGB(x, y) ^ (random.nextInt() & 0x1F1F1F));
    }
    return image;
  }

  static BufferedImage rgb(int width, int height) {
    return picture(width, height, BufferedImage.TYPE_INT_RGB);
  }

  // -------------------------------------------------------------------------- writing

  /** Writes with the first ImageIO writer for the format (TwelveMonkeys' where it has one). */
  static byte[] write(RenderedImage image, String format) {
    return write(image, format, param -> {});
  }

  static byte[] write(RenderedImage image, String format, Consumer<ImageWriteParam> configure) {
    return write(new IIOImage(image, null, null), format, configure, "");
  }

  /** Writes with the JDK's own writer (com.sun.imageio), e.g. for its TIFF layout. */
  static byte[] writeWithJdk(RenderedImage image, String format, Consumer<ImageWriteParam> configure) {
    return write(new IIOImage(image, null, null), format, configure, "com.sun.");
  }

  /** Writes with the TwelveMonkeys writer, e.g. for 32-bit BMP. */
  static byte[] writeWithTwelveMonkeys(RenderedImage image, String format) {
    return write(new IIOImage(image, null, null), format, param -> {}, "com.twelvemonkeys.");
  }

  /** Writes a raster (no colour model): how a 4-channel (CMYK) JPEG is made. */
  static byte[] writeRaster(Raster raster, String format) {
    return writeRaster(raster, format, param -> {});
  }

  static byte[] writeRaster(Raster raster, String format, Consumer<ImageWriteParam> configure) {
    return write(new IIOImage(raster, null, null), format, configure, "");
  }

  private static byte[] write(
      IIOImage image, String format, Consumer<ImageWriteParam> configure, String vendorPrefix) {
    ImageWriter writer = null;
    for (var it = ImageIO.getImageWritersByFormatName(format); it.hasNext(); ) {
      ImageWriter candidate = it.next();
      if (candidate.getClass().getName().startsWith(vendorPrefix)) {
        writer = candidate;
        break;
      }
    }
    assertThat(writer).as("an ImageIO writer for %s", format).isNotNull();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
      writer.setOutput(stream);
      ImageWriteParam param = writer.getDefaultWriteParam();
      configure.accept(param);
      writer.write(null, image, param);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }

  static Consumer<ImageWriteParam> compression(String type) {
    return param -> {
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionType(type);
    };
  }

  static Consumer<ImageWriteParam> progressive() {
    return param -> param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
  }

  /** A JPEG with a restart interval (DRI) of {@code mcus} MCUs, so its scan holds RSTn markers. */
  static byte[] jpegWithRestartInterval(BufferedImage image, int mcus) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
      ImageWriteParam param = writer.getDefaultWriteParam();
      IIOMetadata metadata = writer.getDefaultImageMetadata(new ImageTypeSpecifier(image), param);
      String format = "javax_imageio_jpeg_image_1.0";
      IIOMetadataNode root = (IIOMetadataNode) metadata.getAsTree(format);
      IIOMetadataNode markers = (IIOMetadataNode) root.getElementsByTagName("markerSequence").item(0);
      IIOMetadataNode dri = new IIOMetadataNode("dri");
      dri.setAttribute("interval", Integer.toString(mcus));
      markers.insertBefore(dri, markers.getFirstChild());
      metadata.setFromTree(format, root);
      writer.setOutput(stream);
      writer.write(null, new IIOImage(image, null, metadata), param);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }

  /** A multi-frame (animated) GIF, with the JDK writer's sequence support. */
  static byte[] animatedGif(List<BufferedImage> frames) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
      writer.setOutput(stream);
      writer.prepareWriteSequence(null);
      for (BufferedImage frame : frames) {
        writer.writeToSequence(new IIOImage(frame, null, null), null);
      }
      writer.endWriteSequence();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }

  /** A CMYK raster, 4 interleaved byte bands. */
  static WritableRaster cmykRaster(int width, int height) {
    WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, width, height, 4, null);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        raster.setSample(x, y, 0, x * 255 / width);
        raster.setSample(x, y, 1, y * 255 / height);
        raster.setSample(x, y, 2, (x + y) & 0xFF);
        raster.setSample(x, y, 3, x * y & 0x3F);
      }
    }
    return raster;
  }

  // ------------------------------------------------------------------ crafted formats

  static byte[] pngChunk(String type, byte[] data) {
    ByteBuffer chunk = ByteBuffer.allocate(12 + data.length);
    byte[] typeBytes = type.getBytes(StandardCharsets.ISO_8859_1);
    chunk.putInt(data.length).put(typeBytes).put(data);
    CRC32 crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data);
    chunk.putInt((int) crc.getValue());
    return chunk.array();
  }

  static byte[] ihdr(long width, long height, int bitDepth, int colorType) {
    return ByteBuffer.allocate(13)
        .putInt((int) width).putInt((int) height)
        .put((byte) bitDepth).put((byte) colorType).put((byte) 0).put((byte) 0).put((byte) 0)
        .array();
  }

  static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

  /**
   * A PNG written by hand: signature, IHDR (8-bit RGB), one IDAT holding {@code rows} scanlines of
   * zero bytes (filter 0 each), IEND. Every CRC is correct. Streams the zeros through the
   * deflater, so a 100-megapixel image costs no 300 MB buffer.
   */
  static byte[] craftedRgbPng(long width, long height, long rows) {
    ByteArrayOutputStream compressed = new ByteArrayOutputStream();
    try (DeflaterOutputStream deflate =
        new DeflaterOutputStream(compressed, new Deflater(Deflater.BEST_SPEED), 64 * 1024)) {
      byte[] row = new byte[(int) (1 + 3 * width)];
      for (long y = 0; y < rows; y++) {
        deflate.write(row);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return concat(
        PNG_SIGNATURE,
        pngChunk("IHDR", ihdr(width, height, 8, 2)),
        pngChunk("IDAT", compressed.toByteArray()),
        pngChunk("IEND", new byte[0]));
  }

  /**
   * A little-endian, uncompressed, 8-bit greyscale TIFF written by hand, with one strip of
   * {@code stripBytes} bytes.
   */
  static byte[] craftedGrayTiff(long width, long height, int stripBytes) {
    int entries = 9;
    int ifd = 8;
    int data = ifd + 2 + entries * 12 + 4;
    ByteBuffer b = ByteBuffer.allocate(data + stripBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(ifd);
    b.putShort((short) entries);
    tiffEntry(b, 256, 4, width); // ImageWidth, LONG
    tiffEntry(b, 257, 4, height); // ImageLength
    tiffEntry(b, 258, 3, 8); // BitsPerSample
    tiffEntry(b, 259, 3, 1); // Compression: none
    tiffEntry(b, 262, 3, 1); // Photometric: black is zero
    tiffEntry(b, 273, 4, data); // StripOffsets
    tiffEntry(b, 277, 3, 1); // SamplesPerPixel
    tiffEntry(b, 278, 4, height); // RowsPerStrip
    tiffEntry(b, 279, 4, stripBytes); // StripByteCounts
    b.putInt(0); // no next IFD
    for (int i = 0; i < stripBytes; i++) {
      b.put((byte) (i * 7));
    }
    return b.array();
  }

  private static void tiffEntry(ByteBuffer b, int tag, int type, long value) {
    b.putShort((short) tag).putShort((short) type).putInt(1);
    if (type == 3) {
      b.putShort((short) value).putShort((short) 0);
    } else {
      b.putInt((int) value);
    }
  }

  /**
   * An APP1 "Exif" segment as cameras write it: a TIFF structure with IFD0 (Orientation) and
   * IFD1 pointing at an embedded JPEG thumbnail — which has its own SOI and EOI inside the segment.
   */
  static byte[] exifSegment(byte[] thumbnail) {
    ByteBuffer tiff = ByteBuffer.allocate(8 + 18 + 30 + thumbnail.length).order(ByteOrder.BIG_ENDIAN);
    tiff.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8);
    tiff.putShort((short) 1); // IFD0: one entry
    tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) 1).putShort((short) 0);
    tiff.putInt(8 + 18); // next IFD: IFD1
    tiff.putShort((short) 2); // IFD1: thumbnail offset and length
    tiff.putShort((short) 0x0201).putShort((short) 4).putInt(1).putInt(8 + 18 + 30);
    tiff.putShort((short) 0x0202).putShort((short) 4).putInt(1).putInt(thumbnail.length);
    tiff.putInt(0);
    tiff.put(thumbnail);
    byte[] payload = concat("Exif\0\0".getBytes(StandardCharsets.ISO_8859_1), tiff.array());
    return concat(new byte[] {(byte) 0xFF, (byte) 0xE1, (byte) ((payload.length + 2) >> 8), (byte) (payload.length + 2)}, payload);
  }

  /** An Adobe APP14 segment; transform 0 means CMYK, 2 means YCCK. */
  static byte[] adobeSegment(int transform) {
    return new byte[] {
      (byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, (byte) transform
    };
  }

  /** Inserts a marker segment right after SOI. */
  static byte[] withSegmentAfterSoi(byte[] jpeg, byte[] segment) {
    return insert(jpeg, 2, segment);
  }

  // --------------------------------------------------------------------------- bytes

  static byte[] resource(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/images/" + name)) {
      assertThat(in).as("test resource /images/%s", name).isNotNull();
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first {@code fraction} of the bytes. */
  static byte[] cut(byte[] bytes, double fraction) {
    return Arrays.copyOf(bytes, (int) (bytes.length * fraction));
  }

  static byte[] insert(byte[] bytes, int at, byte[] extra) {
    byte[] out = new byte[bytes.length + extra.length];
    System.arraycopy(bytes, 0, out, 0, at);
    System.arraycopy(extra, 0, out, at, extra.length);
    System.arraycopy(bytes, at, out, at + extra.length, bytes.length - at);
    return out;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  static int indexOf(byte[] bytes, int... pattern) {
    return indexOfFrom(bytes, 0, pattern);
  }

  static int indexOfFrom(byte[] bytes, int from, int... pattern) {
    outer:
    for (int i = from; i + pattern.length <= bytes.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if ((bytes[i + j] & 0xFF) != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** The offset of a PNG chunk's length field. */
  static int pngChunkOffset(byte[] png, String type) {
    byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
    int at = indexOf(png, t[0] & 0xFF, t[1] & 0xFF, t[2] & 0xFF, t[3] & 0xFF);
    assertThat(at).as("%s chunk", type).isGreaterThan(8);
    return at - 4;
  }

  static int pngChunkLength(byte[] png, int chunkOffset) {
    return ByteBuffer.wrap(png).getInt(chunkOffset);
  }

  /** Recomputes the CRC of the chunk at the offset. */
  static void fixPngCrc(byte[] png, int chunkOffset) {
    int length = pngChunkLength(png, chunkOffset);
    CRC32 crc = new CRC32();
    crc.update(png, chunkOffset + 4, 4 + length);
    ByteBuffer.wrap(png).putInt(chunkOffset + 8 + length, (int) crc.getValue());
  }

  static void putLeInt(byte[] bytes, int offset, int value) {
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(offset, value);
  }

  static void putLeShort(byte[] bytes, int offset, int value) {
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putShort(offset, (short) value);
  }

  static void putBeShort(byte[] bytes, int offset, int value) {
    ByteBuffer.wrap(bytes).putShort(offset, (short) value);
  }
}
