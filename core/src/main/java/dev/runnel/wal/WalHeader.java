package dev.runnel.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.Optional;

/**
 * The 32-byte header of an SQLite {@code -wal} file. All fields are stored big-endian; only the
 * checksum words inside the log follow the byte order selected by the magic. Immutable and
 * thread-safe.
 *
 * @param magic {@link #MAGIC_LE} or {@link #MAGIC_BE}
 * @param formatVersion {@link #FORMAT_VERSION}
 * @param pageSize database page size in bytes (a power of two, 512..65536)
 * @param checkpointSeq checkpoint sequence number
 * @param salt1 salt-1, copied into every frame of this WAL generation
 * @param salt2 salt-2, copied into every frame of this WAL generation
 * @param checksum1 header checksum word 1, over bytes 0..23
 * @param checksum2 header checksum word 2
 */
public record WalHeader(
    int magic,
    int formatVersion,
    int pageSize,
    int checkpointSeq,
    int salt1,
    int salt2,
    int checksum1,
    int checksum2) {

  /** Header size in bytes. */
  public static final int SIZE = 32;
  /** Magic for little-endian checksum words. */
  public static final int MAGIC_LE = 0x377F0682;
  /** Magic for big-endian checksum words. */
  public static final int MAGIC_BE = 0x377F0683;
  /** The only WAL format version SQLite writes. */
  public static final int FORMAT_VERSION = 3007000;
  /** Smallest and largest SQLite page sizes, in bytes. */
  public static final int MIN_PAGE_SIZE = 512;

  public static final int MAX_PAGE_SIZE = 65536;

  /** Whether the frame and header checksums read their words big-endian. */
  public boolean bigEndianChecksums() {
    return (magic & 1) != 0;
  }

  /** The packed header checksum (see {@link WalChecksum}); frame 0 chains from it. */
  public long checksum() {
    return WalChecksum.of(checksum1, checksum2);
  }

  /** Size of one frame (header and page) in bytes. */
  public int frameSize() {
    return WalFrame.HEADER_SIZE + pageSize;
  }

  /**
   * Reads and validates the header at offset 0 with a positional read (the channel position is
   * not used or changed; the caller owns the channel).
   *
   * @return empty when the file is shorter than 32 bytes, the magic or format version is wrong,
   *     the page size is invalid, or the header checksum does not match: SQLite then treats the
   *     WAL as empty
   */
  public static Optional<WalHeader> read(FileChannel wal) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(SIZE);
    while (buf.hasRemaining()) {
      if (wal.read(buf, buf.position()) < 0) {
        return Optional.empty();
      }
    }
    return parse(buf.array());
  }

  /** Validates and decodes the first 32 bytes of {@code bytes}; see {@link #read}. */
  public static Optional<WalHeader> parse(byte[] bytes) {
    if (bytes.length < SIZE) {
      return Optional.empty();
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
    WalHeader h =
        new WalHeader(
            b.getInt(0), b.getInt(4), b.getInt(8), b.getInt(12), b.getInt(16), b.getInt(20),
            b.getInt(24), b.getInt(28));
    if (h.magic != MAGIC_LE && h.magic != MAGIC_BE) {
      return Optional.empty();
    }
    if (h.formatVersion != FORMAT_VERSION || !isValidPageSize(h.pageSize)) {
      return Optional.empty();
    }
    long sum = WalChecksum.update(WalChecksum.ZERO, bytes, 0, 24, h.bigEndianChecksums());
    if (sum != h.checksum()) {
      return Optional.empty();
    }
    return Optional.of(h);
  }

  /** The 32 header bytes exactly as stored (big-endian fields). */
  public byte[] toBytes() {
    ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.BIG_ENDIAN);
    b.putInt(magic).putInt(formatVersion).putInt(pageSize).putInt(checkpointSeq);
    b.putInt(salt1).putInt(salt2).putInt(checksum1).putInt(checksum2);
    return b.array();
  }

  /** Whether {@code pageSize} (bytes) is a power of two in 512..65536. */
  public static boolean isValidPageSize(int pageSize) {
    return pageSize >= MIN_PAGE_SIZE && pageSize <= MAX_PAGE_SIZE && Integer.bitCount(pageSize) == 1;
  }

  /** Byte offset of the 0-based frame {@code frameIndex}: {@code 32 + i × (24 + pageSize)}. */
  public static long frameOffset(int pageSize, long frameIndex) {
    return SIZE + frameIndex * (WalFrame.HEADER_SIZE + (long) pageSize);
  }

  /** Size in bytes of a WAL holding {@code frames} frames: {@code 32 + n × (24 + pageSize)}. */
  public static long walSize(int pageSize, long frames) {
    return frameOffset(pageSize, frames);
  }
}
