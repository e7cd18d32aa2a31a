package dev.runnel.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads valid frames, in order, from an SQLite {@code -wal} file (spec capture.md §3–4).
 *
 * <p>A frame is valid iff its salts equal the reader's salts, its page number is not 0, and its
 * checksum chains from the previous frame (from the header checksum for the first frame). The
 * first invalid frame ends the log. The reader does not enforce transaction boundaries: it also
 * returns frames of a transaction that has not (yet) committed; {@link WalPageMap} handles that.
 *
 * <p>Only positional reads are used, so the channel's position is untouched. The caller owns the
 * channel: the reader never closes it. A reader is <b>not thread-safe</b>. It allocates its frame
 * buffer once; {@link #next} allocates nothing but the returned record.
 *
 * <p>At the end of the log, {@link #next} returns {@code null} and the reader stays where it is,
 * so a later call sees frames that SQLite appended (or finished writing) in the meantime.
 */
public final class WalReader {
  private static final String DEFAULT_NAME = "WAL";

  private final FileChannel wal;
  private final int pageSize;
  private final int salt1;
  private final int salt2;
  /** Big-endian view for the frame header fields. */
  private final ByteBuffer frame;
  /** The same bytes viewed in the checksum byte order. */
  private final ByteBuffer sumView;
  /** False when the WAL header was invalid at open: SQLite treats the whole log as empty. */
  private final boolean hasLog;

  private long checksum;
  private long offset;

  private WalReader(
      FileChannel wal, int pageSize, boolean bigEndian, long offset, int salt1, int salt2,
      long checksum, boolean hasLog) {
    this.wal = Objects.requireNonNull(wal, "wal");
    this.pageSize = pageSize;
    this.salt1 = salt1;
    this.salt2 = salt2;
    this.frame = ByteBuffer.allocate(WalFrame.HEADER_SIZE + pageSize).order(ByteOrder.BIG_ENDIAN);
    this.sumView = frame.duplicate().order(WalChecksum.order(bigEndian));
    this.offset = offset;
    this.checksum = checksum;
    this.hasLog = hasLog;
  }

  /**
   * A reader positioned at the first frame (offset 32), using the header's salts and checksum.
   *
   * @param header a header obtained from {@link WalHeader#read} on the same file
   */
  public static WalReader open(FileChannel wal, WalHeader header) {
    return new WalReader(
        wal, header.pageSize(), header.bigEndianChecksums(), WalHeader.SIZE, header.salt1(),
        header.salt2(), header.checksum(), true);
  }

  /** As {@link #resume(FileChannel, String, int, boolean, long, int, int)} with a generic name. */
  public static WalReader resume(
      FileChannel wal, int pageSize, boolean bigEndianChecksums, long offset, int salt1, int salt2)
      throws IOException {
    return resume(wal, DEFAULT_NAME, pageSize, bigEndianChecksums, offset, salt1, salt2);
  }

  /**
   * A reader that continues at {@code offset}, e.g. where the previous LTX file ended (spec
   * capture.md §4, "resuming at an offset").
   *
   * <p>The frame just before {@code offset} is read without verifying its checksum; its stored
   * checksum becomes the running value, and its salts must equal {@code salt1/salt2}. At offset
   * 32 there is no such frame: the WAL header's checksum is used instead; if that header is
   * invalid the reader returns no frames (SQLite would see an empty log).
   *
   * @param name the file name used in exception messages
   * @param pageSize the database page size in bytes
   * @param offset a frame boundary, in bytes from the start of the WAL
   * @param salt1 the expected salt-1 (from the last LTX header, not from the WAL header)
   * @param salt2 the expected salt-2
   * @throws WalFormatException if the page size is invalid or {@code offset} is not a frame
   *     boundary
   * @throws PrevFrameMismatchException if the WAL is shorter than {@code offset}, the previous
   *     frame's salts differ from the given ones, or (at offset 32) the WAL header disagrees
   *     about the page size or checksum byte order: the caller must fall back to offset 32
   */
  public static WalReader resume(
      FileChannel wal, String name, int pageSize, boolean bigEndianChecksums, long offset,
      int salt1, int salt2) throws IOException {
    checkPageSize(name, pageSize);
    long frameSize = WalFrame.HEADER_SIZE + (long) pageSize;
    if (offset < WalHeader.SIZE || (offset - WalHeader.SIZE) % frameSize != 0) {
      throw new WalFormatException(
          name, "resume offset", "32 + k × " + frameSize + " (page size " + pageSize + ")",
          Long.toString(offset));
    }
    if (offset == WalHeader.SIZE) {
      Optional<WalHeader> header = WalHeader.read(wal);
      if (header.isEmpty()) {
        return new WalReader(wal, pageSize, bigEndianChecksums, offset, salt1, salt2, 0, false);
      }
      WalHeader h = header.get();
      if (h.pageSize() != pageSize || h.bigEndianChecksums() != bigEndianChecksums) {
        throw new PrevFrameMismatchException(
            offset,
            "WAL header has page size " + h.pageSize() + (h.bigEndianChecksums() ? " (BE)" : " (LE)")
                + ", expected " + pageSize + (bigEndianChecksums ? " (BE)" : " (LE)"));
      }
      return new WalReader(
          wal, pageSize, bigEndianChecksums, offset, salt1, salt2, h.checksum(), true);
    }
    long prev = offset - frameSize;
    ByteBuffer hdr = ByteBuffer.allocate(WalFrame.HEADER_SIZE).order(ByteOrder.BIG_ENDIAN);
    // The whole previous frame must still exist, or the WAL was truncated beneath us.
    if (wal.size() < offset || !readFully(wal, hdr, prev)) {
      throw new PrevFrameMismatchException(offset, "WAL is shorter than the offset");
    }
    int s1 = hdr.getInt(8);
    int s2 = hdr.getInt(12);
    if (s1 != salt1 || s2 != salt2) {
      throw new PrevFrameMismatchException(
          offset,
          String.format(
              "frame at %d has salts %08x/%08x, expected %08x/%08x", prev, s1, s2, salt1, salt2));
    }
    long sum = WalChecksum.of(hdr.getInt(16), hdr.getInt(20));
    return new WalReader(wal, pageSize, bigEndianChecksums, offset, salt1, salt2, sum, true);
  }

  /**
   * Reads the next valid frame.
   *
   * @param page receives the page ({@link #pageSize()} bytes from index 0), or {@code null} when
   *     the caller only needs the frame header
   * @return the frame, or {@code null} at the end of the log: end of file, a partial frame, a
   *     frame with other salts or page number 0, or a checksum that does not chain
   */
  public WalFrame next(byte[] page) throws IOException {
    if (page != null && page.length < pageSize) {
      throw new IllegalArgumentException(
          "page buffer has " + page.length + " bytes, page size is " + pageSize);
    }
    if (!hasLog) {
      return null;
    }
    frame.clear();
    if (!readFully(wal, frame, offset)) {
      return null;
    }
    int pgno = frame.getInt(0);
    int commit = frame.getInt(4);
    if (frame.getInt(8) != salt1 || frame.getInt(12) != salt2 || pgno == 0) {
      return null;
    }
    long sum = WalChecksum.update(checksum, sumView, 0, 8);
    sum = WalChecksum.update(sum, sumView, WalFrame.HEADER_SIZE, pageSize);
    if (sum != WalChecksum.of(frame.getInt(16), frame.getInt(20))) {
      return null;
    }
    if (page != null) {
      System.arraycopy(frame.array(), WalFrame.HEADER_SIZE, page, 0, pageSize);
    }
    WalFrame f = new WalFrame(offset, pgno, commit, salt1, salt2);
    checksum = sum;
    offset += frame.capacity();
    return f;
  }

  /** Offset of the next frame to read, in bytes from the start of the WAL file. */
  public long offset() {
    return offset;
  }

  /** Page size in bytes. */
  public int pageSize() {
    return pageSize;
  }

  public int salt1() {
    return salt1;
  }

  public int salt2() {
    return salt2;
  }

  /** The packed running checksum (see {@link WalChecksum}) of the last frame read. */
  public long checksum() {
    return checksum;
  }

  static void checkPageSize(String name, int pageSize) throws WalFormatException {
    if (!WalHeader.isValidPageSize(pageSize)) {
      throw new WalFormatException(
          name, "page size", "a power of two in 512..65536 bytes", Integer.toString(pageSize));
    }
  }

  /** Fills {@code buf} from {@code position}; false on a short read (end of file). */
  static boolean readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    buf.clear();
    while (buf.hasRemaining()) {
      if (ch.read(buf, position + buf.position()) < 0) {
        return false;
      }
    }
    return true;
  }
}
