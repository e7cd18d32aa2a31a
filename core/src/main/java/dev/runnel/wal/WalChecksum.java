package dev.runnel.wal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * SQLite's WAL checksum: a pair of 32-bit sums over 8-byte chunks, reading each chunk as two u32
 * words in the byte order chosen by the WAL magic, then {@code s0 += a + s1; s1 += b + s0}
 * (mod 2<sup>32</sup>).
 *
 * <p>A checksum value is packed into one {@code long}: checksum-1 in the high 32 bits, checksum-2
 * in the low 32 bits, so that chaining over every frame allocates nothing. {@link #ZERO} is the
 * seed of the header checksum. Stateless and thread-safe.
 */
public final class WalChecksum {
  /** The initial value (0, 0). */
  public static final long ZERO = 0L;

  private WalChecksum() {}

  /** Packs checksum-1 and checksum-2. */
  public static long of(int checksum1, int checksum2) {
    return ((long) checksum1 << 32) | (checksum2 & 0xFFFF_FFFFL);
  }

  /** Checksum-1 (the first stored word) of a packed value. */
  public static int first(long sum) {
    return (int) (sum >>> 32);
  }

  /** Checksum-2 (the second stored word) of a packed value. */
  public static int second(long sum) {
    return (int) sum;
  }

  /** The byte order of the checksum words for a WAL whose magic has the given low bit. */
  public static ByteOrder order(boolean bigEndian) {
    return bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
  }

  /**
   * Continues {@code seed} over {@code length} bytes of {@code buf} starting at absolute index
   * {@code from}. The words are read in {@code buf}'s byte order, so the caller sets the order
   * from the magic (see {@link #order}). The buffer's position and limit are not changed.
   *
   * @param length a multiple of 8, in bytes
   * @throws IllegalArgumentException if {@code length} is not a multiple of 8
   */
  public static long update(long seed, ByteBuffer buf, int from, int length) {
    if ((length & 7) != 0) {
      throw new IllegalArgumentException("checksum input length must be a multiple of 8, got " + length);
    }
    int s0 = first(seed);
    int s1 = second(seed);
    int end = from + length;
    for (int i = from; i < end; i += 8) {
      s0 += buf.getInt(i) + s1;
      s1 += buf.getInt(i + 4) + s0;
    }
    return of(s0, s1);
  }

  /** As {@link #update(long, ByteBuffer, int, int)} over a byte array. */
  public static long update(long seed, byte[] data, int from, int length, boolean bigEndian) {
    return update(seed, ByteBuffer.wrap(data).order(order(bigEndian)), from, length);
  }
}
