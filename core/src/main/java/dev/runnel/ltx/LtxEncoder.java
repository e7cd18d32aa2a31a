package dev.runnel.ltx;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Objects;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;

/**
 * Streams one LTX file to an {@link OutputStream}: header, page frames, end marker, page index and
 * trailer (spec §2–§9).
 *
 * <p>Usage: construct, call {@link #encodePage} for each page in ascending pgno order, then
 * {@link #finish(long)} (or {@link #finish()} for no-checksum files). The encoder enforces the
 * rules of spec §6.5: pages are exactly {@code pageSize} bytes, {@code 1 ≤ pgno ≤ commit}, strictly
 * ascending, never the lock page, and snapshots hold every page 1..commit except the lock page.
 * Rule violations throw {@link IllegalArgumentException} and leave the encoder failed: a later
 * {@code finish} throws {@link IllegalStateException}, so no valid-looking file is completed.
 *
 * <p>Memory: one output buffer (≥ 64 KiB) plus 16 bytes per page for the index. Steady-state
 * encoding allocates nothing per page. The stream is flushed by {@code finish} but never closed.
 *
 * <p>Not thread-safe.
 */
public final class LtxEncoder {
  /** LZ4 instance used for all page compression; JNI when available (measured fastest). */
  static final LZ4Factory LZ4 = LZ4Factory.fastestInstance();

  /**
   * Encoder options.
   *
   * @param encoding page encoding to write; {@link PageEncoding#CURRENT} by default (readable by
   *     Litestream ≥ 0.5.16), {@link PageEncoding#LEGACY} for all 0.5.x readers
   * @param trackChecksums false (default): header flag {@link LtxHeader#FLAG_NO_CHECKSUM} is set and
   *     both database checksums are 0, as Litestream 0.5 requires. True: flags 0; the header must
   *     carry the pre-apply checksum (non-snapshots) and {@link #finish(long)} the post-apply one
   */
  public record Options(PageEncoding encoding, boolean trackChecksums) {
    /** Current encoding, checksums not tracked. */
    public static final Options DEFAULT = new Options(PageEncoding.CURRENT, false);

    public Options {
      Objects.requireNonNull(encoding, "encoding");
    }

    public Options withEncoding(PageEncoding e) {
      return new Options(e, trackChecksums);
    }

    public Options withTrackChecksums(boolean track) {
      return new Options(encoding, track);
    }
  }

  private final OutputStream out;
  private final LtxHeader header;
  private final Options options;
  private final int pageSize;
  private final int lockPgno;
  private final LZ4Compressor compressor;
  private final Lz4FrameCodec frameCodec;
  private final int maxFrame;
  private final byte[] buf;
  private int bufPos;
  /** File offset of buf[0]. */
  private long flushed;
  private long crc = -1L;
  /** Rolling checksum of the pages, kept only for checksum-tracked snapshots. */
  private final DatabaseChecksum dbChecksum;

  private int count;
  private int[] pgnos = new int[64];
  private long[] offsets = new long[64];
  private int[] sizes = new int[64];
  private int lastPgno;
  private boolean failed;
  private boolean finished;

  /**
   * Starts a file. The header's flags are replaced according to {@code options}; the result must
   * pass every rule of spec §5. Nothing is written to {@code out} before the first buffer fills or
   * {@code finish} is called.
   *
   * @throws IllegalArgumentException if the header is invalid for the options (including commit 0
   *     without tracked checksums, which spec §5 makes impossible to finish)
   */
  public LtxEncoder(OutputStream out, LtxHeader header, Options options) {
    this.out = Objects.requireNonNull(out, "out");
    this.options = Objects.requireNonNull(options, "options");
    LtxHeader h = header.withFlags(options.trackChecksums() ? 0 : LtxHeader.FLAG_NO_CHECKSUM);
    h.validate();
    if (!options.trackChecksums() && h.commit() == 0) {
      throw new IllegalArgumentException("commit: a no-checksum file cannot have commit 0 (spec §5)");
    }
    this.header = h;
    this.pageSize = h.pageSize();
    this.lockPgno = h.lockPgno();
    this.compressor = LZ4.fastCompressor();
    this.frameCodec = new Lz4FrameCodec(compressor, null);
    this.maxFrame = 10 + Lz4FrameCodec.maxFrameLength(compressor, pageSize);
    this.buf = new byte[Math.max(64 * 1024, 2 * maxFrame)];
    this.dbChecksum = h.isSnapshot() && options.trackChecksums() ? new DatabaseChecksum() : null;
    h.encodeTo(buf, 0);
    bufPos = LtxHeader.SIZE;
    crc = Crc64Iso.updateState(crc, buf, 0, LtxHeader.SIZE);
  }

  /** Starts a file with {@link Options#DEFAULT}. */
  public LtxEncoder(OutputStream out, LtxHeader header) {
    this(out, header, Options.DEFAULT);
  }

  /** The header as written (flags set from the options). */
  public LtxHeader header() {
    return header;
  }

  /** Number of pages encoded so far. */
  public int pageCount() {
    return count;
  }

  /** Encodes {@code page}, which must be exactly {@code pageSize} bytes long. */
  public void encodePage(int pgno, byte[] page) throws IOException {
    if (page.length != pageSize) {
      fail();
      throw new IllegalArgumentException("page " + pgno + ": length " + page.length + ", expected page size " + pageSize);
    }
    encodePage(pgno, page, 0);
  }

  /**
   * Encodes the {@code pageSize} bytes of {@code page} at {@code offset} as page {@code pgno}.
   *
   * @throws IllegalArgumentException on a rule violation (see class doc); the encoder is then failed
   */
  public void encodePage(int pgno, byte[] page, int offset) throws IOException {
    checkOpen();
    if (offset < 0 || offset > page.length - pageSize) {
      fail();
      throw new IllegalArgumentException("page " + pgno + ": " + (page.length - Math.max(offset, 0))
          + " bytes available at offset " + offset + ", expected page size " + pageSize);
    }
    checkPgno(pgno);
    if (buf.length - bufPos < maxFrame) {
      flushBuffer();
    }
    int start = bufPos;
    int hdrLen;
    int frameLen;
    putIntBE(buf, start, pgno);
    buf[start + 4] = 0;
    buf[start + 5] = (byte) options.encoding().pageFlags();
    if (options.encoding() == PageEncoding.CURRENT) {
      int n = compressor.compress(page, offset, pageSize, buf, start + 10, buf.length - start - 10);
      putIntBE(buf, start + 6, n);
      hdrLen = 10;
      frameLen = 10 + n;
    } else {
      hdrLen = 6;
      frameLen = 6 + frameCodec.write(page, offset, pageSize, buf, start + 6);
    }
    crc = Crc64Iso.updateState(Crc64Iso.updateState(crc, buf, start, hdrLen), page, offset, pageSize);
    if (dbChecksum != null) {
      dbChecksum.addPage(pgno, page, offset, pageSize);
    }
    record(pgno, flushed + start, frameLen);
    bufPos = start + frameLen;
    lastPgno = pgno;
  }

  private void checkPgno(int pgno) {
    String problem = null;
    if (pgno < 1 || pgno > header.commit()) {
      problem = "outside 1..commit " + header.commit();
    } else if (pgno == lockPgno) {
      problem = "is the lock page for page size " + pageSize;
    } else if (pgno <= lastPgno) {
      problem = "not after previous page " + lastPgno;
    } else if (header.isSnapshot() && pgno != nextSnapshotPgno()) {
      problem = "snapshot must continue with page " + nextSnapshotPgno();
    }
    if (problem != null) {
      fail();
      throw new IllegalArgumentException("page " + Integer.toUnsignedString(pgno) + ": " + problem);
    }
  }

  private int nextSnapshotPgno() {
    int next = lastPgno + 1;
    return next == lockPgno ? next + 1 : next;
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

  /**
   * Finishes a file whose database checksums are not tracked, or a checksum-tracked snapshot (whose
   * post-apply checksum the encoder computed from its pages).
   */
  public LtxTrailer finish() throws IOException {
    if (!header.noChecksum()) {
      if (dbChecksum == null) {
        throw new IllegalStateException("checksum-tracked incremental file: use finish(postApplyChecksum)");
      }
      return finish(dbChecksum.value());
    }
    return finish(0);
  }

  /**
   * Writes the end marker, page index and trailer, and flushes the stream.
   *
   * @param postApplyChecksum database checksum after applying the file; must be 0 when checksums are
   *     not tracked; for tracked snapshots it must equal the checksum of the encoded pages
   * @return the trailer, with the file checksum
   * @throws IllegalArgumentException if a snapshot is incomplete or the checksum is not allowed
   */
  public LtxTrailer finish(long postApplyChecksum) throws IOException {
    checkOpen();
    if (header.isSnapshot() && nextSnapshotPgno() <= header.commit()) {
      fail();
      throw new IllegalArgumentException("snapshot incomplete: page " + nextSnapshotPgno() + " of " + header.commit() + " missing");
    }
    LtxHeader.Problem p = LtxTrailer.problem(header, postApplyChecksum, DatabaseChecksum.FLAG);
    if (p != null) {
      fail();
      throw p.toIllegalArgument();
    }
    if (dbChecksum != null && dbChecksum.value() != postApplyChecksum) {
      fail();
      throw new IllegalArgumentException("post-apply checksum: snapshot pages give "
          + LtxCorruptException.hex64(dbChecksum.value()) + ", got " + LtxCorruptException.hex64(postApplyChecksum));
    }
    ensure(6);
    Arrays.fill(buf, bufPos, bufPos + 6, (byte) 0);
    hashAndAdvance(6);
    long indexLen = 0;
    for (int i = 0; i < count; i++) {
      ensure(30);
      int start = bufPos;
      int p2 = putUvarint(buf, start, Integer.toUnsignedLong(pgnos[i]));
      p2 = putUvarint(buf, p2, offsets[i]);
      p2 = putUvarint(buf, p2, sizes[i]);
      indexLen += p2 - start;
      hashAndAdvance(p2 - start);
    }
    ensure(32);
    buf[bufPos] = 0;
    hashAndAdvance(1);
    indexLen++;
    putLongBE(buf, bufPos, indexLen);
    putLongBE(buf, bufPos + 8, postApplyChecksum);
    hashAndAdvance(16);
    long fileChecksum = DatabaseChecksum.FLAG | ~crc;
    putLongBE(buf, bufPos, fileChecksum);
    bufPos += 8;
    flushBuffer();
    out.flush();
    finished = true;
    return new LtxTrailer(postApplyChecksum, fileChecksum);
  }

  private void hashAndAdvance(int n) {
    crc = Crc64Iso.updateState(crc, buf, bufPos, n);
    bufPos += n;
  }

  private void ensure(int n) throws IOException {
    if (buf.length - bufPos < n) {
      flushBuffer();
    }
  }

  private void flushBuffer() throws IOException {
    try {
      out.write(buf, 0, bufPos);
    } catch (IOException | RuntimeException e) {
      fail();
      throw e;
    }
    flushed += bufPos;
    bufPos = 0;
  }

  private void checkOpen() {
    if (failed) {
      throw new IllegalStateException("encoder failed earlier; the output is incomplete");
    }
    if (finished) {
      throw new IllegalStateException("encoder already finished");
    }
  }

  private void fail() {
    failed = true;
  }

  static void putIntBE(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }

  static void putLongBE(byte[] b, int off, long v) {
    putIntBE(b, off, (int) (v >>> 32));
    putIntBE(b, off + 4, (int) v);
  }

  /** Unsigned LEB128; returns the offset after the last byte. */
  static int putUvarint(byte[] b, int off, long v) {
    while ((v & ~0x7FL) != 0) {
      b[off++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    b[off++] = (byte) v;
    return off;
  }
}
