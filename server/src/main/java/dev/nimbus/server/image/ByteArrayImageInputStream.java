package dev.nimbus.server.image;

import java.util.Objects;
import javax.imageio.stream.ImageInputStreamImpl;

/**
 * An {@link javax.imageio.stream.ImageInputStream} over a byte array that never copies the data
 * (unlike {@code MemoryCacheImageInputStream}, which caches everything it reads a second time).
 *
 * <p>It also records the furthest position any read reached ({@link #highWaterMark()}), which is
 * how the tests prove that reading an image's dimensions touches only its header.
 *
 * <p>Not thread-safe, like every {@code ImageInputStream}: one instance per inspection.
 */
final class ByteArrayImageInputStream extends ImageInputStreamImpl {

  private final byte[] data;
  private long highWaterMark;

  ByteArrayImageInputStream(byte[] data) {
    this.data = Objects.requireNonNull(data, "data");
  }

  @Override
  public int read() {
    bitOffset = 0;
    if (streamPos >= data.length) {
      return -1;
    }
    int b = data[(int) streamPos++] & 0xFF;
    advanceHighWaterMark(streamPos);
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    bitOffset = 0;
    if (len == 0) {
      return 0;
    }
    if (streamPos >= data.length) {
      return -1;
    }
    int n = (int) Math.min(len, data.length - streamPos);
    System.arraycopy(data, (int) streamPos, b, off, n);
    streamPos += n;
    advanceHighWaterMark(streamPos);
    return n;
  }

  private void advanceHighWaterMark(long pos) {
    if (pos > highWaterMark) {
      highWaterMark = pos;
    }
  }

  @Override
  public long length() {
    return data.length;
  }

  /** The number of bytes from the start of the data that some read has covered so far. */
  long highWaterMark() {
    return highWaterMark;
  }
}
