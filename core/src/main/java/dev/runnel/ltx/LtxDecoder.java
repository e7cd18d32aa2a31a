package dev.runnel.ltx;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * Streams one LTX file from an {@link InputStream}, verifying everything (spec §11).
 *
 * <p>The constructor reads and validates the header. {@link #nextPage} returns pages in file order
 * and returns 0 at the end marker; before returning 0 it has read the page index and trailer,
 * cross-checked every index entry (pgno, offset, size) and the index length against the frames,
 * verified the file checksum, checked that nothing follows the trailer and, for checksum-tracked
 * snapshots, verified the post-apply checksum. A caller that has seen 0 therefore holds a fully
 * verified file; a caller that stops earlier has unverified pages.
 *
 * <p>Both page encodings are read, also mixed in one file. Every page must decompress to exactly
 * {@code pageSize} bytes. Ordering rules (ascending pgno, pgno ≤ commit, no lock page, snapshot
 * completeness) are enforced. Buffers are bounded by the page size: no size field can make the
 * decoder allocate more. All bad input is reported as {@link LtxCorruptException} naming the
 * source; after one, the decoder is failed and further calls throw {@link IllegalStateException}.
 *
 * <p>Not thread-safe. {@link #close()} closes the underlying stream.
 */
public final class LtxDecoder implements Closeable {
  private static final int END_TAIL_SLACK = 1 + 8 + LtxTrailer.SIZE;
  /** Max bytes of one index entry: pgno (≤5) + offset (≤10) + size (≤5) varints. */
  private static final int MAX_ENTRY = 20;

  private final InputStream raw;
  private final LtxInput in;
  private final String source;
  private final LtxHeader header;
  private final int pageSize;
  private final int lockPgno;
  private final LZ4SafeDecompressor decompressor;
  private final byte[] cbuf;
  private final byte[] scratch = new byte[LtxHeader.SIZE];
  private Lz4FrameCodec frameCodec;
  private long crc = -1L;
  private final DatabaseChecksum dbChecksum;

  private int count;
  private int[] pgnos = new int[32];
  private long[] offsets = new long[32];
  private int[] sizes = new int[32];
  private int lastPgno;
  private int lastPayload;
  private PageEncoding lastEncoding;

  private LtxTrailer trailer;
  private long indexLength;
  private long fileSize;
  private boolean failed;

  /**
   * Opens a stream and reads the header.
   *
   * @param source file name or stream description used in every error message
   * @throws LtxCorruptException if the header is short or invalid
   */
  public LtxDecoder(InputStream in, String source) throws IOException {
    this.raw = Objects.requireNonNull(in, "in");
    this.source = Objects.requireNonNull(source, "source");
    this.in = new LtxInput(in, source, 64 * 1024);
    this.in.readFully(scratch, 0, LtxHeader.SIZE, "header");
    this.header = LtxHeader.parse(scratch, source);
    this.crc = Crc64Iso.updateState(crc, scratch, 0, LtxHeader.SIZE);
    this.pageSize = header.pageSize();
    this.lockPgno = header.lockPgno();
    this.decompressor = LtxEncoder.LZ4.safeDecompressor();
    this.cbuf = new byte[LtxEncoder.LZ4.fastCompressor().maxCompressedLength(pageSize)];
    this.dbChecksum = header.isSnapshot() && !header.noChecksum() ? new DatabaseChecksum() : null;
  }

  /** The source name given at construction. */
  public String source() {
    return source;
  }

  /** The validated header. */
  public LtxHeader header() {
    return header;
  }

  /** Page frames decoded so far. */
  public int pageCount() {
    return count;
  }

  /** True once {@link #nextPage} has returned 0 (the file is fully verified). */
  public boolean isFinished() {
    return trailer != null;
  }

  /**
   * The verified trailer.
   *
   * @throws IllegalStateException before {@link #nextPage} has returned 0
   */
  public LtxTrailer trailer() {
    if (trailer == null) {
      throw new IllegalStateException(source + ": trailer not read yet; call nextPage until it returns 0");
    }
    return trailer;
  }

  /** As {@link #nextPage(byte[], int)} at offset 0. */
  public int nextPage(byte[] dst) throws IOException {
    return nextPage(dst, 0);
  }

  /**
   * Decodes the next page into {@code dst[off..off+pageSize)}.
   *
   * @return its pgno, or 0 at the end of the page block, after the whole file has been verified
   *     (subsequent calls keep returning 0)
   * @throws LtxCorruptException on any invalid input
   */
  public int nextPage(byte[] dst, int off) throws IOException {
    if (failed) {
      throw new IllegalStateException(source + ": decoder failed earlier");
    }
    if (trailer != null) {
      return 0;
    }
    Objects.checkFromIndexSize(off, pageSize, dst.length);
    boolean ok = false;
    try {
      int pgno = readFrame(dst, off);
      ok = true;
      return pgno;
    } finally {
      if (!ok) {
        failed = true;
      }
    }
  }

  private int readFrame(byte[] dst, int off) throws IOException {
    long frameOffset = in.offset();
    in.readFully(scratch, 0, 6, "page header");
    int pgno = getIntBE(scratch, 0);
    int flags = ((scratch[4] & 0xff) << 8) | (scratch[5] & 0xff);
    if (pgno == 0) {
      if (flags != 0) {
        throw new LtxCorruptException(source, "end marker at offset " + frameOffset, "flags 0x0000", String.format("0x%04x", flags));
      }
      crc = Crc64Iso.updateState(crc, scratch, 0, 6);
      readEnd(frameOffset);
      return 0;
    }
    checkPgno(pgno, frameOffset);
    in.page(pgno);
    int payload;
    if (flags == PageEncoding.CURRENT.pageFlags()) {
      int n = in.readIntBE("size");
      if (n <= 0 || n > cbuf.length) {
        throw new LtxCorruptException(source, in.field("size"), "1.." + cbuf.length + " (LZ4 bound of page size)", Integer.toUnsignedString(n));
      }
      // Re-serialize the size field: the file checksum covers it as stored.
      LtxEncoder.putIntBE(scratch, 6, n);
      in.readFully(cbuf, 0, n, "data");
      int got;
      try {
        got = decompressor.decompress(cbuf, 0, n, dst, off, pageSize);
      } catch (LZ4Exception e) {
        throw new LtxCorruptException(source, in.field("data"), "an LZ4 block of at most " + pageSize + " bytes (" + e.getMessage() + ")", e);
      }
      if (got != pageSize) {
        throw new LtxCorruptException(source, in.field("decompressed size"), Integer.toString(pageSize), Integer.toString(got));
      }
      crc = Crc64Iso.updateState(crc, scratch, 0, 10);
      payload = n;
      lastEncoding = PageEncoding.CURRENT;
    } else if (flags == PageEncoding.LEGACY.pageFlags()) {
      if (frameCodec == null) {
        frameCodec = new Lz4FrameCodec(null, decompressor);
      }
      payload = frameCodec.read(in, dst, off, pageSize, cbuf);
      crc = Crc64Iso.updateState(crc, scratch, 0, 6);
      lastEncoding = PageEncoding.LEGACY;
    } else {
      throw new LtxCorruptException(source, in.field("flags"), "0x0000 or 0x0001", String.format("0x%04x", flags));
    }
    crc = Crc64Iso.updateState(crc, dst, off, pageSize);
    if (dbChecksum != null) {
      dbChecksum.addPage(pgno, dst, off, pageSize);
    }
    in.page(0);
    lastPayload = payload;
    record(pgno, frameOffset, (int) (in.offset() - frameOffset));
    lastPgno = pgno;
    return pgno;
  }

  private void checkPgno(int pgno, long frameOffset) throws LtxCorruptException {
    String expected = pgnoProblem(header, pgno, lastPgno);
    if (expected != null) {
      throw new LtxCorruptException(source, "page header at offset " + frameOffset + " pgno", expected,
          Integer.toUnsignedString(pgno));
    }
  }

  /**
   * The ordering rule {@code pgno} breaks after {@code prev} (0 for the first frame), as the
   * "expected" text of an error, or null if it is fine. Messages are built only on failure: this
   * runs for every page.
   */
  static String pgnoProblem(LtxHeader header, int pgno, int prev) {
    int lock = header.lockPgno();
    if (pgno < 0 || pgno > header.commit()) {
      return "1..commit " + header.commit();
    } else if (pgno == lock) {
      return "not the lock page " + lock;
    } else if (pgno <= prev) {
      return "greater than previous pgno " + prev;
    } else if (header.isSnapshot() && pgno != nextSnapshotPgno(prev, lock)) {
      return nextSnapshotPgno(prev, lock) + " (snapshots hold every page)";
    }
    return null;
  }

  private static int nextSnapshotPgno(int prev, int lock) {
    int next = prev + 1;
    return next == lock ? next + 1 : next;
  }

  private int nextSnapshotPgno() {
    return nextSnapshotPgno(lastPgno, lockPgno);
  }

  private void record(int pgno, long offset, int size) {
    if (count == pgnos.length) {
      int n = count * 2;
      pgnos = Arrays.copyOf(pgnos, n);
      offsets = Arrays.copyOf(offsets, n);
      sizes = Arrays.copyOf(sizes, n);
    }
    pgnos[count] = pgno;
    offsets[count] = offset;
    sizes[count] = size;
    count++;
  }

  /** Reads and checks everything after the end marker, which started at {@code endOffset}. */
  private void readEnd(long endOffset) throws IOException {
    if (header.isSnapshot() && nextSnapshotPgno() <= header.commit()) {
      throw new LtxCorruptException(source, "snapshot pages", "every page 1.." + header.commit(),
          "end marker after page " + lastPgno);
    }
    long indexOffset = endOffset + 6;
    // The rest (index + length + trailer) is bounded by the number of frames seen.
    byte[] tail = new byte[Math.toIntExact(Math.min(Integer.MAX_VALUE - 16, (long) count * MAX_ENTRY + END_TAIL_SLACK))];
    int len = in.readToEnd(tail);
    if (len < 0) {
      throw new LtxCorruptException(source, "trailing data", "at most " + tail.length
          + " bytes of index and trailer after offset " + indexOffset, "more");
    }
    int p = 0;
    long[] v = new long[1];
    int i = 0;
    while (true) {
      p = uvarint(tail, p, len, v, indexOffset, i, "pgno");
      long pgno = v[0];
      if (pgno == 0) {
        break;
      }
      if (i >= count) {
        throw new LtxCorruptException(source, "page index", count + " entries", "an extra entry for pgno " + pgno);
      }
      if (pgno != Integer.toUnsignedLong(pgnos[i])) {
        throw new LtxCorruptException(source, "page index entry " + i + " pgno", Integer.toUnsignedString(pgnos[i]), Long.toUnsignedString(pgno));
      }
      p = uvarint(tail, p, len, v, indexOffset, i, "offset");
      if (v[0] != offsets[i]) {
        throw new LtxCorruptException(source, "page index entry " + i + " offset", Long.toString(offsets[i]), Long.toUnsignedString(v[0]));
      }
      p = uvarint(tail, p, len, v, indexOffset, i, "size");
      if (v[0] != sizes[i]) {
        throw new LtxCorruptException(source, in.field("size"), Integer.toString(sizes[i]), Long.toUnsignedString(v[0]));
      }
      i++;
    }
    if (i != count) {
      throw new LtxCorruptException(source, "page index", count + " entries", i + " entries");
    }
    if (len - p < 8) {
      throw eof("page index length", indexOffset + len);
    }
    long storedLen = getLongBE(tail, p);
    if (storedLen != p) {
      throw new LtxCorruptException(source, "page index length", Integer.toString(p), Long.toUnsignedString(storedLen));
    }
    p += 8;
    if (len - p < LtxTrailer.SIZE) {
      throw eof("trailer", indexOffset + len);
    }
    if (len - p > LtxTrailer.SIZE) {
      throw new LtxCorruptException(source, "trailing data", "end of file at offset " + (indexOffset + p + LtxTrailer.SIZE),
          (len - p - LtxTrailer.SIZE) + " more bytes");
    }
    long post = getLongBE(tail, p);
    long stored = getLongBE(tail, p + 8);
    crc = Crc64Iso.updateState(crc, tail, 0, p + 8);
    long actual = DatabaseChecksum.FLAG | ~crc;
    if (stored != actual) {
      throw new LtxCorruptException(source, "file checksum", LtxCorruptException.hex64(actual), LtxCorruptException.hex64(stored));
    }
    LtxHeader.Problem problem = LtxTrailer.problem(header, post, stored);
    if (problem != null) {
      throw problem.toException(source);
    }
    if (dbChecksum != null && dbChecksum.value() != post) {
      throw new LtxCorruptException(source, "post-apply checksum", LtxCorruptException.hex64(dbChecksum.value()), LtxCorruptException.hex64(post));
    }
    indexLength = storedLen;
    fileSize = indexOffset + len;
    trailer = new LtxTrailer(post, stored);
  }

  private LtxCorruptException eof(String what, long at) {
    return new LtxCorruptException(source, what, "unexpected end of file at offset " + at);
  }

  /** Go-compatible uvarint (≤ 10 bytes, no overflow); returns the position after it. */
  private int uvarint(byte[] b, int p, int len, long[] out, long base, int entry, String part)
      throws LtxCorruptException {
    long x = 0;
    for (int shift = 0, i = 0; ; shift += 7, i++) {
      if (p >= len) {
        throw eof("page index entry " + entry + " " + part, base + p);
      }
      int c = b[p++] & 0xff;
      if (i == 9 && c > 1) {
        throw new LtxCorruptException(source, "page index entry " + entry + " " + part, "a varint below 2^64", "an overflowing varint at offset " + (base + p - 1));
      }
      x |= (long) (c & 0x7f) << shift;
      if (c < 0x80) {
        out[0] = x;
        return p;
      }
    }
  }

  /** Frame offset of the page last returned (package-private for verify/dump). */
  long lastFrameOffset() {
    return offsets[count - 1];
  }

  int lastFrameSize() {
    return sizes[count - 1];
  }

  int lastPayloadSize() {
    return lastPayload;
  }

  PageEncoding lastEncoding() {
    return lastEncoding;
  }

  /**
   * Reads and verifies a whole file, collecting per-page information (for {@code runnel ltx verify}
   * and {@code dump}). Does not close the stream.
   *
   * @throws LtxCorruptException if anything is wrong
   */
  public static LtxFileSummary verify(InputStream in, String source) throws IOException {
    LtxDecoder d = new LtxDecoder(in, source);
    byte[] page = new byte[d.pageSize];
    List<LtxPageInfo> pages = new ArrayList<>();
    DatabaseChecksum db = new DatabaseChecksum();
    int pgno;
    while ((pgno = d.nextPage(page)) != 0) {
      long ck = DatabaseChecksum.pageChecksum(pgno, page, 0, page.length);
      db.xor(ck);
      pages.add(new LtxPageInfo(pgno, d.lastFrameOffset(), d.lastFrameSize(), d.lastPayloadSize(), d.lastEncoding(), ck));
    }
    return new LtxFileSummary(source, d.header, d.trailer, pages, indexOffsetOf(d),
        d.indexLength, d.fileSize, db.value());
  }

  private static long indexOffsetOf(LtxDecoder d) {
    return d.fileSize - LtxTrailer.SIZE - 8 - d.indexLength;
  }

  /** Closes the underlying stream. */
  @Override
  public void close() throws IOException {
    raw.close();
  }

  static int getIntBE(byte[] b, int off) {
    return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
  }

  static long getLongBE(byte[] b, int off) {
    return ((long) getIntBE(b, off) << 32) | (getIntBE(b, off + 4) & 0xffffffffL);
  }
}
