package dev.runnel.restore.v3;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Checks the WAL bytes of one WAL index while they are copied to {@code <out>.tmp-wal}, with the
 * same rules SQLite applies when it recovers a WAL (header magic, version, page size, header
 * checksum, per-frame salts and cumulative checksums). SQLite silently ignores every frame from
 * the first invalid one on, so a damaged segment would otherwise restore an older database
 * without any error. Here any invalid frame is an error; only frames after the last commit frame
 * (an unfinished transaction) are legitimately skipped by SQLite, and {@link #commitFrames()}
 * tells the restorer how many frames SQLite must report.
 *
 * <p>Memory: one frame buffer (24 bytes + page size). Not thread-safe; one instance per index.
 */
final class V3WalValidator {
  static final int HEADER_SIZE = 32;
  static final int FRAME_HEADER_SIZE = 24;
  private static final int MAGIC_LE = 0x377f0682;
  private static final int MAGIC_BE = 0x377f0683;
  private static final int VERSION = 3007000;

  private final String generation;
  private final long index;
  private final int pageSize;
  private final byte[] frame;
  private boolean bigEndian;
  private int salt1;
  private int salt2;
  private int s0;
  private int s1;
  private long bytes;
  private long frames;
  private long commitFrames;
  private long commitDbPages;

  /**
   * @param pageSize the database page size in bytes; the WAL header must agree
   */
  V3WalValidator(String generation, long index, int pageSize) {
    this.generation = generation;
    this.index = index;
    this.pageSize = pageSize;
    this.frame = new byte[FRAME_HEADER_SIZE + pageSize];
  }

  /** Bytes of this WAL index copied so far: the offset the next segment must start at. */
  long bytes() {
    return bytes;
  }

  /** Frames up to and including the last commit frame: what SQLite will checkpoint. */
  long commitFrames() {
    return commitFrames;
  }

  /** Database size in pages after the last commit frame, 0 if no frame committed yet. */
  long commitDbPages() {
    return commitDbPages;
  }

  /**
   * Copies one decompressed segment. A segment holds whole frames; the first one of the index
   * starts with the WAL header.
   */
  void copySegment(V3Segment seg, InputStream in, OutputStream out) throws IOException {
    if (bytes == 0) {
      byte[] h = in.readNBytes(HEADER_SIZE);
      if (h.length != HEADER_SIZE) {
        throw corrupt(seg, "WAL header truncated (" + h.length + " bytes)");
      }
      readHeader(seg, h);
      out.write(h);
      bytes += HEADER_SIZE;
    }
    while (true) {
      int n = in.readNBytes(frame, 0, frame.length);
      if (n == 0) {
        return;
      }
      if (n != frame.length) {
        throw corrupt(seg, "ends inside a frame (" + n + " of " + frame.length + " bytes)");
      }
      checkFrame(seg);
      out.write(frame);
      bytes += frame.length;
    }
  }

  private void readHeader(V3Segment seg, byte[] h) throws V3CorruptReplicaException {
    int magic = be(h, 0);
    if (magic != MAGIC_LE && magic != MAGIC_BE) {
      throw corrupt(seg, String.format("bad WAL magic 0x%08x", magic));
    }
    bigEndian = magic == MAGIC_BE;
    if (be(h, 4) != VERSION) {
      throw corrupt(seg, "unsupported WAL version " + be(h, 4));
    }
    if (be(h, 8) != pageSize) {
      throw corrupt(seg, "WAL page size " + be(h, 8) + " differs from snapshot page size "
          + pageSize);
    }
    salt1 = be(h, 16);
    salt2 = be(h, 20);
    s0 = 0;
    s1 = 0;
    checksum(h, 0, 24);
    if (s0 != be(h, 24) || s1 != be(h, 28)) {
      throw corrupt(seg, "WAL header checksum mismatch");
    }
  }

  private void checkFrame(V3Segment seg) throws V3CorruptReplicaException {
    long frameNo = frames + 1;
    if (be(frame, 8) != salt1 || be(frame, 12) != salt2) {
      throw corrupt(seg, "frame " + frameNo + " salt does not match the WAL header");
    }
    int pgno = be(frame, 0);
    if (pgno == 0) {
      throw corrupt(seg, "frame " + frameNo + " has page number 0");
    }
    checksum(frame, 0, 8);
    checksum(frame, FRAME_HEADER_SIZE, pageSize);
    if (s0 != be(frame, 16) || s1 != be(frame, 20)) {
      throw corrupt(seg, "frame " + frameNo + " (page " + Integer.toUnsignedString(pgno)
          + ") checksum mismatch");
    }
    frames = frameNo;
    int commit = be(frame, 4);
    if (commit != 0) {
      commitFrames = frameNo;
      commitDbPages = Integer.toUnsignedLong(commit);
    }
  }

  // SQLite's WAL checksum (wal.c walChecksumBytes): pairs of 32-bit words in the byte order the
  // magic selects, accumulated with wrap-around; int overflow gives exactly that.
  private void checksum(byte[] b, int off, int len) {
    int a = s0;
    int c = s1;
    for (int i = off; i < off + len; i += 8) {
      int x0 = bigEndian ? be(b, i) : le(b, i);
      int x1 = bigEndian ? be(b, i + 4) : le(b, i + 4);
      a += x0 + c;
      c += x1 + a;
    }
    s0 = a;
    s1 = c;
  }

  private V3CorruptReplicaException corrupt(V3Segment seg, String what) {
    return new V3CorruptReplicaException("corrupt WAL segment " + seg.key() + " (generation "
        + generation + " index " + V3Names.hex8(index) + "): " + what);
  }

  static int be(byte[] b, int i) {
    return ((b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8)
        | (b[i + 3] & 0xff);
  }

  private static int le(byte[] b, int i) {
    return ((b[i + 3] & 0xff) << 24) | ((b[i + 2] & 0xff) << 16) | ((b[i + 1] & 0xff) << 8)
        | (b[i] & 0xff);
  }
}
