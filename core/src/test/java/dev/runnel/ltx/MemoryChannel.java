package dev.runnel.ltx;

import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.Arrays;

/** An in-memory {@link SeekableByteChannel} for materializer tests. */
final class MemoryChannel implements SeekableByteChannel {
  private byte[] data = new byte[0];
  private long size;
  private long position;

  @Override
  public int read(ByteBuffer dst) {
    throw new UnsupportedOperationException();
  }

  @Override
  public int write(ByteBuffer src) {
    int n = src.remaining();
    long end = position + n;
    if (end > data.length) {
      data = Arrays.copyOf(data, (int) Math.max(end, data.length * 2L));
    }
    src.get(data, (int) position, n);
    position = end;
    size = Math.max(size, end);
    return n;
  }

  @Override
  public long position() {
    return position;
  }

  @Override
  public SeekableByteChannel position(long p) {
    position = p;
    return this;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public SeekableByteChannel truncate(long s) {
    size = Math.min(size, s);
    return this;
  }

  @Override
  public boolean isOpen() {
    return true;
  }

  @Override
  public void close() {}

  byte[] toByteArray() {
    return Arrays.copyOf(data, (int) size);
  }
}
