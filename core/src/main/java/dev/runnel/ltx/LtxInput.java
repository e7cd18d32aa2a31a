package dev.runnel.ltx;

import java.io.IOException;
import java.io.InputStream;

/**
 * Buffered big-endian reader over an LTX stream that knows its file offset and turns every early
 * end of input into an {@link LtxCorruptException} naming what was being read. Not thread-safe.
 */
final class LtxInput {
  private final InputStream in;
  private final String source;
  private final byte[] buf;
  private int pos;
  private int lim;
  /** File offset of {@code buf[0]}. */
  private long bufStart;
  /** Page whose frame is being read (0: none); error fields are prefixed with it lazily. */
  private int page;

  LtxInput(InputStream in, String source, int bufferSize) {
    this(in, source, bufferSize, 0);
  }

  /** A reader whose first byte sits at file offset {@code start} (for frames read out of place). */
  LtxInput(InputStream in, String source, int bufferSize, long start) {
    this.in = in;
    this.source = source;
    this.buf = new byte[bufferSize];
    this.bufStart = start;
  }

  String source() {
    return source;
  }

  /** Sets the page being read so error messages can name it without per-page string building. */
  void page(int pgno) {
    this.page = pgno;
  }

  /** The field name for {@code part}, prefixed with the current page if any. */
  String field(String part) {
    return page == 0 ? part : "page " + Integer.toUnsignedString(page) + " " + part;
  }

  /** File offset of the next byte to be read. */
  long offset() {
    return bufStart + pos;
  }

  private boolean fill() throws IOException {
    bufStart += lim;
    pos = 0;
    lim = 0;
    int n = in.read(buf, 0, buf.length);
    if (n <= 0) {
      // A misbehaving stream returning 0 forever must not make us spin: treat it as the end.
      return false;
    }
    lim = n;
    return true;
  }

  private LtxCorruptException eof(String what, int got, int wanted) {
    return new LtxCorruptException(source, field(what), "unexpected end of file at offset " + offset()
        + " (read " + got + " of " + wanted + " bytes)");
  }

  void readFully(byte[] dst, int off, int len, String what) throws IOException {
    int done = 0;
    while (done < len) {
      if (pos == lim && !fill()) {
        throw eof(what, done, len);
      }
      int n = Math.min(len - done, lim - pos);
      System.arraycopy(buf, pos, dst, off + done, n);
      pos += n;
      done += n;
    }
  }

  int readU8(String what) throws IOException {
    if (pos == lim && !fill()) {
      throw eof(what, 0, 1);
    }
    return buf[pos++] & 0xff;
  }

  int readIntBE(String what) throws IOException {
    if (lim - pos >= 4) {
      int v = ((buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16) | ((buf[pos + 2] & 0xff) << 8) | (buf[pos + 3] & 0xff);
      pos += 4;
      return v;
    }
    int v = 0;
    for (int i = 0; i < 4; i++) {
      if (pos == lim && !fill()) {
        throw eof(what, i, 4);
      }
      v = (v << 8) | (buf[pos++] & 0xff);
    }
    return v;
  }

  int readIntLE(String what) throws IOException {
    return Integer.reverseBytes(readIntBE(what));
  }

  /**
   * Reads the rest of the stream into {@code dst[0..]}, at most {@code dst.length} bytes.
   *
   * @return the number of bytes read, or -1 if the stream holds more than {@code dst.length}
   */
  int readToEnd(byte[] dst) throws IOException {
    int done = 0;
    while (true) {
      if (pos == lim && !fill()) {
        return done;
      }
      if (done == dst.length) {
        return -1;
      }
      int n = Math.min(dst.length - done, lim - pos);
      System.arraycopy(buf, pos, dst, done, n);
      pos += n;
      done += n;
    }
  }
}
