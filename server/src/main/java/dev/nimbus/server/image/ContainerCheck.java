package dev.nimbus.server.image;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * Checks that a file's container is complete: that every length-prefixed unit the format defines
 * lies inside the file and that the format's end marker is there. Byte walking, no decoding:
 * linear in the file size (30 MB: ~10 ms for PNG CRCs, ~50 ms for a JPEG walk), far below a decode.
 *
 * <p>Why this exists next to the decoders: measured on the decoders used here, several accept a
 * truncated file without a word. The JDK PNG reader ignores every CRC and a missing IEND; the
 * TwelveMonkeys WebP reader decodes a lossless (VP8L) image cut at 20% without complaint; the
 * TwelveMonkeys TIFF reader fills CCITT-compressed strips cut short; the JDK JPEG reader only
 * warns. The rule applied is therefore the container's own: a file is complete when its framing
 * is — and, as the decoders cannot tell a cut at a unit boundary from a missing end marker, a
 * missing end marker (JPEG EOI, PNG IEND, GIF trailer) counts as truncation.
 *
 * <ul>
 *   <li>JPEG: marker segments and entropy-coded scans are walked up to EOI, the way libjpeg reads
 *       them (bytes between segments are skipped, as libjpeg does with a benign warning). Data
 *       after EOI (camera "motion photo" videos, MPO secondary images) is ignored. At most
 *       {@value #MAX_JPEG_SCANS} scans: more is a CPU bomb, real progressive JPEGs have ~10.
 *   <li>PNG: chunks up to IEND; the CRC of every critical chunk (IHDR, PLTE, IDAT, IEND...) must
 *       match. A bad CRC in an ancillary chunk is tolerated, as libpng does by default.
 *   <li>GIF: header, colour tables, extension and image blocks with their sub-blocks, up to the
 *       trailer. After at least one image, an unknown byte where a block should start ends the
 *       walk, as browsers do.
 *   <li>WebP: the RIFF size must fit in the file and every chunk must fit in the RIFF data.
 *   <li>TIFF: the first IFD, and every strip or tile it points to, must lie inside the file.
 *   <li>BMP: no container check: the TwelveMonkeys BMP reader reads every row, with or without
 *       subsampling, and throws EOFException on a short file (uncompressed and RLE).
 * </ul>
 */
final class ContainerCheck {

  static final int MAX_JPEG_SCANS = 500;

  private ContainerCheck() {}

  static void check(ImageFormat format, byte[] b) throws InvalidImageException {
    String problem = switch (format) {
      case JPEG -> jpeg(b);
      case PNG -> png(b);
      case GIF -> gif(b);
      case WEBP -> webp(b);
      case TIFF -> tiff(b);
      case BMP -> null;
    };
    if (problem != null) {
      throw Messages.corrupt(format, problem);
    }
  }

  // ---------------------------------------------------------------------------------- JPEG

  private static final String JPEG_NO_EOI = "the file ends before the end-of-image marker";

  static String jpeg(byte[] b) {
    int n = b.length;
    int pos = 2; // after SOI
    int scans = 0;
    while (true) {
      // Find the next marker: skip stray bytes (libjpeg: "N extraneous bytes before marker"),
      // then the 0xFF fill bytes. A stray FF 00 outside a scan is skipped the same way.
      while (pos < n && (b[pos] & 0xFF) != 0xFF) {
        pos++;
      }
      while (pos < n && (b[pos] & 0xFF) == 0xFF) {
        pos++;
      }
      if (pos >= n) {
        return JPEG_NO_EOI;
      }
      int marker = b[pos++] & 0xFF;
      if (marker == 0xD9) { // EOI
        return null;
      }
      if (marker == 0x00 || marker == 0x01 || marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7)) {
        continue; // no length field (a misplaced SOI is left to the decoder to judge)
      }
      if (pos + 2 > n) {
        return JPEG_NO_EOI;
      }
      int length = ((b[pos] & 0xFF) << 8) | (b[pos + 1] & 0xFF);
      if (length < 2) {
        return String.format(Locale.ROOT, "invalid length %d of marker 0x%02X at offset %d", length, marker, pos - 2);
      }
      if ((long) pos + length > n) {
        return String.format(Locale.ROOT, "the file ends inside the segment of marker 0x%02X at offset %d", marker, pos - 2);
      }
      pos += length;
      if (marker != 0xDA) { // not SOS
        continue;
      }
      if (++scans > MAX_JPEG_SCANS) {
        return "more than " + MAX_JPEG_SCANS + " scans";
      }
      // Entropy-coded data: runs until a marker other than RSTn; FF 00 is a stuffed FF.
      while (true) {
        while (pos < n && (b[pos] & 0xFF) != 0xFF) {
          pos++;
        }
        if (pos + 1 >= n) {
          return "the file ends inside the image data of scan " + scans + ", before the end-of-image marker";
        }
        int next = b[pos + 1] & 0xFF;
        if (next == 0x00 || (next >= 0xD0 && next <= 0xD7)) {
          pos += 2;
        } else if (next == 0xFF) {
          pos++;
        } else {
          break; // a marker: handled by the outer loop
        }
      }
    }
  }

  /**
   * Whether the JPEG's frame header (SOFn) is progressive (SOF2, SOF6, SOF10, SOF14): libjpeg then
   * decodes in buffered-image mode, in which every scan is entropy-decoded in full whatever part of
   * the image is output. Walks the segments before the first scan; false when there is no SOF.
   */
  static boolean isProgressiveJpeg(byte[] b) {
    int n = b.length;
    int pos = 2;
    while (pos < n) {
      while (pos < n && (b[pos] & 0xFF) != 0xFF) {
        pos++;
      }
      while (pos < n && (b[pos] & 0xFF) == 0xFF) {
        pos++;
      }
      if (pos + 2 >= n) {
        return false;
      }
      int marker = b[pos++] & 0xFF;
      if (marker == 0x00 || marker == 0x01 || marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7)) {
        continue;
      }
      if (marker == 0xDA || marker == 0xD9) {
        return false;
      }
      if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
        return (marker & 0x03) == 0x02;
      }
      pos += ((b[pos] & 0xFF) << 8) | (b[pos + 1] & 0xFF);
    }
    return false;
  }

  // ----------------------------------------------------------------------------------- PNG

  static String png(byte[] b) {
    int n = b.length;
    long pos = 8; // after the signature
    CRC32 crc = new CRC32();
    while (true) {
      if (pos + 8 > n) {
        return "the file ends before the IEND chunk";
      }
      int p = (int) pos;
      long length = beUInt(b, p);
      String type = new String(b, p + 4, 4, StandardCharsets.ISO_8859_1);
      if (length > Integer.MAX_VALUE || !isChunkType(b, p + 4)) {
        return String.format(Locale.ROOT, "invalid chunk header at offset %d", p);
      }
      if (pos + 12 + length > n) {
        return String.format(Locale.ROOT, "the file ends inside the %s chunk at offset %d", type, p);
      }
      boolean critical = (b[p + 4] & 0x20) == 0;
      if (critical) {
        crc.reset();
        crc.update(b, p + 4, 4 + (int) length);
        if (crc.getValue() != beUInt(b, p + 8 + (int) length)) {
          return String.format(Locale.ROOT, "CRC mismatch in the %s chunk at offset %d", type, p);
        }
      }
      if (type.equals("IEND")) {
        return null;
      }
      pos += 12 + length;
    }
  }

  private static boolean isChunkType(byte[] b, int offset) {
    for (int i = offset; i < offset + 4; i++) {
      int c = b[i] & 0xFF;
      if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
        return false;
      }
    }
    return true;
  }

  // ----------------------------------------------------------------------------------- GIF

  private static final String GIF_NO_TRAILER = "the file ends before the GIF trailer";

  /** The GIF canvas: the logical screen, grown to hold the first frame. */
  record GifCanvas(long width, long height) {}

  /**
   * Reads the logical screen size and the first image descriptor's placement; skips extension
   * blocks on the way. Returns null when the file ends or is malformed before the first image
   * (the decoder then reports the problem).
   */
  static GifCanvas gifCanvas(byte[] b) {
    if (b.length < 13) {
      return null;
    }
    long width = leUShort(b, 6);
    long height = leUShort(b, 8);
    int pos = 13 + colorTableSize(b[10]);
    while (pos < b.length) {
      int introducer = b[pos] & 0xFF;
      if (introducer == 0x21) {
        pos = skipSubBlocks(b, pos + 2);
        if (pos < 0) {
          return null;
        }
      } else if (introducer == 0x2C) {
        if (pos + 10 > b.length) {
          return null;
        }
        long right = leUShort(b, pos + 1) + leUShort(b, pos + 5);
        long bottom = leUShort(b, pos + 3) + leUShort(b, pos + 7);
        return new GifCanvas(Math.max(width, right), Math.max(height, bottom));
      } else {
        return null;
      }
    }
    return null;
  }

  static String gif(byte[] b) {
    int n = b.length;
    if (n < 13) {
      return GIF_NO_TRAILER;
    }
    int pos = 13 + colorTableSize(b[10]);
    int images = 0;
    while (true) {
      if (pos >= n) {
        return GIF_NO_TRAILER;
      }
      int introducer = b[pos] & 0xFF;
      switch (introducer) {
        case 0x3B -> { // trailer
          return images > 0 ? null : "the file has no image";
        }
        case 0x21 -> { // extension: label, then sub-blocks
          pos = skipSubBlocks(b, pos + 2);
          if (pos < 0) {
            return GIF_NO_TRAILER;
          }
        }
        case 0x2C -> { // image descriptor, optional local colour table, LZW code size, data
          if (pos + 10 > n) {
            return GIF_NO_TRAILER;
          }
          pos += 10 + colorTableSize(b[pos + 9]) + 1;
          pos = skipSubBlocks(b, pos);
          if (pos < 0) {
            return GIF_NO_TRAILER;
          }
          images++;
        }
        default -> {
          if (images > 0) {
            return null; // stray bytes after complete images: browsers stop here too
          }
          return String.format(Locale.ROOT, "unexpected byte 0x%02X at offset %d where a block should start", introducer, pos);
        }
      }
    }
  }

  private static int colorTableSize(byte packed) {
    return (packed & 0x80) != 0 ? 3 << ((packed & 0x07) + 1) : 0;
  }

  /** Returns the position after the block terminator, or -1 when the file ends first. */
  private static int skipSubBlocks(byte[] b, int pos) {
    while (true) {
      if (pos >= b.length) {
        return -1;
      }
      int size = b[pos] & 0xFF;
      pos += 1 + size;
      if (size == 0) {
        return pos;
      }
    }
  }

  // ---------------------------------------------------------------------------------- WebP

  static String webp(byte[] b) {
    int n = b.length;
    long riffEnd = 8 + leUInt(b, 4);
    if (riffEnd > n) {
      return String.format(Locale.ROOT, "the RIFF header declares %d bytes but the file has %d", riffEnd, n);
    }
    long pos = 12;
    int chunks = 0;
    while (pos < riffEnd) {
      if (pos + 8 > riffEnd) {
        return String.format(Locale.ROOT, "incomplete chunk header at offset %d", pos);
      }
      String type = new String(b, (int) pos, 4, StandardCharsets.ISO_8859_1);
      long size = leUInt(b, (int) pos + 4);
      long end = pos + 8 + size;
      if (end > riffEnd) {
        return String.format(Locale.ROOT, "the %s chunk at offset %d runs past the end of the data", type.strip(), pos);
      }
      chunks++;
      pos = end + (size & 1); // chunks are padded to an even size
    }
    return chunks > 0 ? null : "the file has no chunks";
  }

  // ---------------------------------------------------------------------------------- TIFF

  private static final int TAG_STRIP_OFFSETS = 273;
  private static final int TAG_STRIP_BYTE_COUNTS = 279;
  private static final int TAG_TILE_OFFSETS = 324;
  private static final int TAG_TILE_BYTE_COUNTS = 325;

  static String tiff(byte[] b) {
    int n = b.length;
    if (n < 8) {
      return "the file ends inside the TIFF header";
    }
    boolean le = b[0] == 'I';
    long ifd = uInt(b, 4, le);
    if (ifd < 8 || ifd + 2 > n) {
      return String.format(Locale.ROOT, "the first directory (IFD) is at offset %d, outside the file of %d bytes", ifd, n);
    }
    int entries = uShort(b, (int) ifd, le);
    if (ifd + 2 + 12L * entries > n) {
      return String.format(Locale.ROOT, "the file ends inside the first directory (IFD) at offset %d", ifd);
    }
    long[] stripOffsets = null;
    long[] stripCounts = null;
    long[] tileOffsets = null;
    long[] tileCounts = null;
    for (int i = 0; i < entries; i++) {
      int entry = (int) ifd + 2 + 12 * i;
      int tag = uShort(b, entry, le);
      if (tag != TAG_STRIP_OFFSETS && tag != TAG_STRIP_BYTE_COUNTS && tag != TAG_TILE_OFFSETS
          && tag != TAG_TILE_BYTE_COUNTS) {
        continue;
      }
      long[] values = readValues(b, entry, le);
      if (values == null) {
        return String.format(Locale.ROOT, "the values of tag %d lie outside the file", tag);
      }
      switch (tag) {
        case TAG_STRIP_OFFSETS -> stripOffsets = values;
        case TAG_STRIP_BYTE_COUNTS -> stripCounts = values;
        case TAG_TILE_OFFSETS -> tileOffsets = values;
        default -> tileCounts = values;
      }
    }
    String problem = checkSegments("strip", stripOffsets, stripCounts, n);
    return problem != null ? problem : checkSegments("tile", tileOffsets, tileCounts, n);
  }

  private static String checkSegments(String what, long[] offsets, long[] counts, int n) {
    if (offsets == null) {
      return null;
    }
    for (int i = 0; i < offsets.length; i++) {
      long end = offsets[i] + (counts != null && i < counts.length ? counts[i] : 0);
      if (offsets[i] >= n || end > n) {
        return String.format(Locale.ROOT, "%s %d of %d (offset %d, %d bytes) ends past the end of the file (%d bytes)",
            what, i + 1, offsets.length, offsets[i], end - offsets[i], n);
      }
    }
    return null;
  }

  /** The SHORT or LONG values of an IFD entry, or null when they lie outside the file. */
  private static long[] readValues(byte[] b, int entry, boolean le) {
    int type = uShort(b, entry + 2, le);
    long count = uInt(b, entry + 4, le);
    int size = type == 3 ? 2 : type == 4 ? 4 : 0;
    if (size == 0) {
      return new long[0]; // an unexpected type: leave it to the decoder
    }
    long bytes = count * size;
    long at = bytes <= 4 ? entry + 8 : uInt(b, entry + 8, le);
    if (at + bytes > b.length) {
      return null;
    }
    long[] values = new long[(int) count];
    for (int i = 0; i < values.length; i++) {
      int p = (int) at + i * size;
      values[i] = size == 2 ? uShort(b, p, le) : uInt(b, p, le);
    }
    return values;
  }

  // -------------------------------------------------------------------------------- helpers

  private static long beUInt(byte[] b, int p) {
    return (b[p] & 0xFFL) << 24 | (b[p + 1] & 0xFFL) << 16 | (b[p + 2] & 0xFFL) << 8 | (b[p + 3] & 0xFFL);
  }

  private static long leUInt(byte[] b, int p) {
    return (b[p] & 0xFFL) | (b[p + 1] & 0xFFL) << 8 | (b[p + 2] & 0xFFL) << 16 | (b[p + 3] & 0xFFL) << 24;
  }

  private static int leUShort(byte[] b, int p) {
    return (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8;
  }

  private static long uInt(byte[] b, int p, boolean le) {
    return le ? leUInt(b, p) : beUInt(b, p);
  }

  private static int uShort(byte[] b, int p, boolean le) {
    return le ? leUShort(b, p) : (b[p] & 0xFF) << 8 | (b[p + 1] & 0xFF);
  }
}
