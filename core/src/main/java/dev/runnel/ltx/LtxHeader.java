package dev.runnel.ltx;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The 100-byte LTX header (spec §3). All integers are big-endian on disk; the reserved bytes
 * 80..99 are written as zeros and not checked on read (they are still covered by the file
 * checksum).
 *
 * <p>Page numbers and {@code commit} are u32 on disk; Runnel supports values up to
 * {@link Integer#MAX_VALUE} (at least 1 TiB of 512-byte pages) and rejects larger ones.
 *
 * @param flags header flags; only {@link #FLAG_NO_CHECKSUM} is defined
 * @param pageSize SQLite page size in bytes, a power of two in 512..65536
 * @param commit database size in pages after applying the file
 * @param minTxId first transaction id covered
 * @param maxTxId last transaction id covered
 * @param timestamp milliseconds since the Unix epoch (UTC)
 * @param preApplyChecksum database checksum before applying; 0 for snapshots and no-checksum files
 * @param walOffset offset in the source WAL where this file's frames start; 0 if not from a WAL
 * @param walSize number of WAL bytes covered; 0 if not from a WAL
 * @param walSalt1 salt-1 of the source WAL
 * @param walSalt2 salt-2 of the source WAL
 * @param nodeId creating node; 0 = unset
 */
public record LtxHeader(
    int flags,
    int pageSize,
    int commit,
    TxId minTxId,
    TxId maxTxId,
    long timestamp,
    long preApplyChecksum,
    long walOffset,
    long walSize,
    int walSalt1,
    int walSalt2,
    long nodeId) {

  /** Header size in bytes. */
  public static final int SIZE = 100;
  /** Header flag: database checksums are not tracked (pre/post-apply checksums are 0). */
  public static final int FLAG_NO_CHECKSUM = 0x2;
  /** The only valid flag bits. */
  public static final int FLAGS_MASK = FLAG_NO_CHECKSUM;
  /** {@code "LTX1"} as a big-endian int. */
  static final int MAGIC = 0x4C545831;

  /** A failed validation rule: field, expected, actual. */
  record Problem(String field, String expected, String actual) {
    LtxCorruptException toException(String source) {
      return new LtxCorruptException(source, field, expected, actual);
    }

    IllegalArgumentException toIllegalArgument() {
      return new IllegalArgumentException(field + ": expected " + expected + ", got " + actual);
    }
  }

  public LtxHeader {
    Objects.requireNonNull(minTxId, "minTxId");
    Objects.requireNonNull(maxTxId, "maxTxId");
  }

  /**
   * A Litestream-style header: flags {@link #FLAG_NO_CHECKSUM}, no checksums, WAL fields and node
   * id zero.
   */
  public static LtxHeader of(int pageSize, int commit, TxId minTxId, TxId maxTxId, long timestamp) {
    return new LtxHeader(FLAG_NO_CHECKSUM, pageSize, commit, minTxId, maxTxId, timestamp, 0, 0, 0, 0, 0, 0);
  }

  /** The SQLite lock (PENDING_BYTE) page for a page size: {@code 0x40000000 / pageSize + 1}. */
  public static int lockPgno(int pageSize) {
    return 0x40000000 / pageSize + 1;
  }

  /** The lock page for this header's page size; never stored in LTX files. */
  public int lockPgno() {
    return lockPgno(pageSize);
  }

  /** True if MinTXID is 1: the file holds every page 1..commit except the lock page. */
  public boolean isSnapshot() {
    return minTxId.value() == 1;
  }

  /** True if database checksums are not tracked (flag {@link #FLAG_NO_CHECKSUM}). */
  public boolean noChecksum() {
    return (flags & FLAG_NO_CHECKSUM) != 0;
  }

  /** This header with other flags. */
  public LtxHeader withFlags(int newFlags) {
    return new LtxHeader(newFlags, pageSize, commit, minTxId, maxTxId, timestamp, preApplyChecksum,
        walOffset, walSize, walSalt1, walSalt2, nodeId);
  }

  /** This header with another pre-apply checksum. */
  public LtxHeader withPreApplyChecksum(long checksum) {
    return new LtxHeader(flags, pageSize, commit, minTxId, maxTxId, timestamp, checksum,
        walOffset, walSize, walSalt1, walSalt2, nodeId);
  }

  /** True for a power of two in 512..65536. */
  public static boolean isValidPageSize(int pageSize) {
    return pageSize >= 512 && pageSize <= 65536 && Integer.bitCount(pageSize) == 1;
  }

  /** Checks every rule of spec §5 (header part); null if valid. */
  Problem problem() {
    if ((flags & ~FLAGS_MASK) != 0) {
      return new Problem("flags", "only bit 0x2", String.format("0x%08x", flags));
    }
    if (!isValidPageSize(pageSize)) {
      return new Problem("page size", "a power of two in 512..65536", Integer.toUnsignedString(pageSize));
    }
    if (commit < 0) {
      return new Problem("commit", "at most 2147483647 pages (Runnel limit)", Integer.toUnsignedString(commit));
    }
    if (minTxId.isZero()) {
      return new Problem("min txid", "non-zero", minTxId.toString());
    }
    if (maxTxId.isZero()) {
      return new Problem("max txid", "non-zero", maxTxId.toString());
    }
    if (minTxId.isAfter(maxTxId)) {
      return new Problem("max txid", "at least min txid " + minTxId, maxTxId.toString());
    }
    if (walOffset < 0) {
      return new Problem("wal offset", "non-negative", Long.toString(walOffset));
    }
    if (walSize < 0) {
      return new Problem("wal size", "non-negative", Long.toString(walSize));
    }
    if ((walSalt1 != 0 || walSalt2 != 0) && walOffset == 0) {
      return new Problem("wal offset", "non-zero when a WAL salt is set", "0");
    }
    if (walOffset == 0 && walSize != 0) {
      return new Problem("wal size", "0 when wal offset is 0", Long.toString(walSize));
    }
    if (isSnapshot() && preApplyChecksum != 0) {
      return new Problem("pre-apply checksum", "0 (snapshot)", LtxCorruptException.hex64(preApplyChecksum));
    }
    if (!isSnapshot() && noChecksum() && preApplyChecksum != 0) {
      return new Problem("pre-apply checksum", "0 (no-checksum file)", LtxCorruptException.hex64(preApplyChecksum));
    }
    if (!isSnapshot() && !noChecksum() && preApplyChecksum >= 0) {
      return new Problem("pre-apply checksum", "non-zero with bit 63 set", LtxCorruptException.hex64(preApplyChecksum));
    }
    return null;
  }

  /** @throws IllegalArgumentException if any rule of spec §5 fails */
  public void validate() {
    Problem p = problem();
    if (p != null) {
      throw p.toIllegalArgument();
    }
  }

  /** The 100-byte on-disk form (reserved bytes zero). Does not validate. */
  public byte[] toBytes() {
    byte[] b = new byte[SIZE];
    encodeTo(b, 0);
    return b;
  }

  /** Writes the 100-byte on-disk form at {@code off}. */
  void encodeTo(byte[] b, int off) {
    ByteBuffer bb = ByteBuffer.wrap(b, off, SIZE);
    bb.putInt(MAGIC).putInt(flags).putInt(pageSize).putInt(commit)
        .putLong(minTxId.value()).putLong(maxTxId.value()).putLong(timestamp)
        .putLong(preApplyChecksum).putLong(walOffset).putLong(walSize)
        .putInt(walSalt1).putInt(walSalt2).putLong(nodeId);
    java.util.Arrays.fill(b, off + 80, off + SIZE, (byte) 0);
  }

  /**
   * Parses and validates (spec §5) a header from the first 100 bytes of {@code b}.
   *
   * @param source file name or stream description for error messages
   * @throws LtxCorruptException on a bad magic, short input or any failed rule
   */
  public static LtxHeader parse(byte[] b, String source) throws LtxCorruptException {
    if (b.length < SIZE) {
      throw new LtxCorruptException(source, "header", SIZE + " bytes", b.length + " bytes");
    }
    ByteBuffer bb = ByteBuffer.wrap(b, 0, SIZE);
    int magic = bb.getInt();
    if (magic != MAGIC) {
      throw new LtxCorruptException(source, "magic", "0x4c545831 (\"LTX1\")", String.format("0x%08x", magic));
    }
    LtxHeader h = new LtxHeader(bb.getInt(), bb.getInt(), bb.getInt(), TxId.of(bb.getLong()),
        TxId.of(bb.getLong()), bb.getLong(), bb.getLong(), bb.getLong(), bb.getLong(), bb.getInt(),
        bb.getInt(), bb.getLong());
    Problem p = h.problem();
    if (p != null) {
      throw p.toException(source);
    }
    return h;
  }
}
