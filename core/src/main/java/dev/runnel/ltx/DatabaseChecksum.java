package dev.runnel.ltx;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The LTX database ("rolling") checksum (spec §10): the XOR of every page's checksum
 * {@code 0x8000000000000000 | CRC-64/ISO(u32be(pgno) ‖ data)}, with bit 63 forced on. The empty
 * database has checksum {@link #EMPTY}. The lock page is never included.
 *
 * <p>Instances are mutable accumulators and <b>not thread-safe</b>; static methods are.
 */
public final class DatabaseChecksum {
  /** Bit 63, set on every page, database and file checksum. */
  public static final long FLAG = 0x8000000000000000L;
  /** Checksum of the empty database. */
  public static final long EMPTY = FLAG;

  private long acc;

  /** An empty database. */
  public DatabaseChecksum() {}

  /** Continues from a stored database checksum (e.g. a header's pre-apply checksum). */
  public static DatabaseChecksum of(long checksum) {
    DatabaseChecksum c = new DatabaseChecksum();
    c.acc = checksum;
    return c;
  }

  /** Checksum of one page: {@code 0x8000000000000000 | CRC-64/ISO(u32be(pgno) ‖ data)}. */
  public static long pageChecksum(int pgno, byte[] data, int off, int len) {
    java.util.Objects.checkFromIndexSize(off, len, data.length);
    return FLAG | ~Crc64Iso.updateState(Crc64Iso.updateIntBE(-1L, pgno), data, off, len);
  }

  /** Adds a page (its content after the change). */
  public DatabaseChecksum addPage(int pgno, byte[] data, int off, int len) {
    acc ^= pageChecksum(pgno, data, off, len);
    return this;
  }

  /** Removes a page (its content before the change, or a page cut off by truncation). */
  public DatabaseChecksum removePage(int pgno, byte[] data, int off, int len) {
    // XOR is its own inverse; a separate name documents intent at call sites.
    acc ^= pageChecksum(pgno, data, off, len);
    return this;
  }

  /** XORs in a page checksum computed elsewhere. */
  public DatabaseChecksum xor(long pageChecksum) {
    acc ^= pageChecksum;
    return this;
  }

  /** The database checksum (bit 63 always set). */
  public long value() {
    return FLAG | acc;
  }

  /**
   * Checksum of a whole database file read from {@code in}: pages 1..n of {@code pageSize} bytes,
   * skipping the lock page. Does not close the stream.
   *
   * @throws EOFException if the stream does not end on a page boundary
   */
  public static long ofDatabase(InputStream in, int pageSize) throws IOException {
    if (!LtxHeader.isValidPageSize(pageSize)) {
      throw new IllegalArgumentException("invalid page size " + pageSize);
    }
    int lock = LtxHeader.lockPgno(pageSize);
    byte[] page = new byte[pageSize];
    long acc = 0;
    for (int pgno = 1; ; pgno++) {
      int n = in.readNBytes(page, 0, pageSize);
      if (n == 0) {
        return FLAG | acc;
      }
      if (n != pageSize) {
        throw new EOFException("database ends inside page " + pgno + " (" + n + " of " + pageSize + " bytes)");
      }
      if (pgno != lock) {
        acc ^= pageChecksum(pgno, page, 0, pageSize);
      }
    }
  }
}
