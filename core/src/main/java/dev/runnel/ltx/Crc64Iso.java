package dev.runnel.ltx;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * CRC-64/ISO as used by LTX file checksums and Go's {@code hash/crc64} with the {@code ISO} table:
 * reflected polynomial {@code 0xD800000000000000}, initial value and final XOR all ones. The check
 * value of ASCII {@code "123456789"} is {@code 0xB90956C775A41001}.
 *
 * <p>Both LTX encode and decode hash every decompressed page, so this runs at memory-ish speed:
 * slicing-by-8 over little-endian longs, with four independent lanes for long inputs so the CPU can
 * overlap their table lookups (the lanes are joined with a precomputed "shift by N zero
 * bytes" operator, which is exact CRC algebra, not an approximation).
 *
 * <p>Instances are mutable and <b>not thread-safe</b>; the static methods are.
 */
public final class Crc64Iso {
  /** The reflected form of the ISO polynomial x^64 + x^4 + x^3 + x + 1. */
  static final long POLY = 0xD800000000000000L;

  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle BUF_LONG_LE =
      MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static final long[] T0 = new long[256];
  private static final long[] T1 = new long[256];
  private static final long[] T2 = new long[256];
  private static final long[] T3 = new long[256];
  private static final long[] T4 = new long[256];
  private static final long[] T5 = new long[256];
  private static final long[] T6 = new long[256];
  private static final long[] T7 = new long[256];

  /**
   * Below this many bytes a single lane is used; above it the input is split in four quarters
   * hashed in one interleaved loop. The threshold keeps the combine cost (three 64x64 GF(2)
   * matrix-vector products) small relative to the work saved.
   */
  private static final int MULTI_LANE_MIN = 1024;

  static {
    for (int i = 0; i < 256; i++) {
      long c = i;
      for (int k = 0; k < 8; k++) {
        c = (c & 1) != 0 ? (c >>> 1) ^ POLY : c >>> 1;
      }
      T0[i] = c;
    }
    long[][] t = {T0, T1, T2, T3, T4, T5, T6, T7};
    for (int k = 1; k < 8; k++) {
      for (int i = 0; i < 256; i++) {
        long p = t[k - 1][i];
        t[k][i] = (p >>> 8) ^ T0[(int) p & 0xff];
      }
    }
  }

  /** Internal register: the running CRC before the final XOR. */
  private long state = -1L;

  /** A fresh CRC (value of the empty input is 0). */
  public Crc64Iso() {}

  /** Feeds {@code len} bytes of {@code b} starting at {@code off}. */
  public Crc64Iso update(byte[] b, int off, int len) {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    state = updateState(state, b, off, len);
    return this;
  }

  /** Feeds all of {@code b}. */
  public Crc64Iso update(byte[] b) {
    state = updateState(state, b, 0, b.length);
    return this;
  }

  /** Feeds one byte (the low 8 bits of {@code b}). */
  public Crc64Iso update(int b) {
    state = T0[(int) (state ^ b) & 0xff] ^ (state >>> 8);
    return this;
  }

  /** Feeds the remaining bytes of {@code buf}, advancing its position to its limit. */
  public Crc64Iso update(ByteBuffer buf) {
    int pos = buf.position();
    int len = buf.limit() - pos;
    if (buf.hasArray()) {
      state = updateState(state, buf.array(), buf.arrayOffset() + pos, len);
    } else {
      long s = state;
      int i = pos;
      int end = pos + len;
      for (; i + 8 <= end; i += 8) {
        s = step8(s ^ (long) BUF_LONG_LE.get(buf, i));
      }
      for (; i < end; i++) {
        s = T0[(int) (s ^ buf.get(i)) & 0xff] ^ (s >>> 8);
      }
      state = s;
    }
    buf.position(buf.limit());
    return this;
  }

  /** The CRC of everything fed since construction or the last {@link #reset()}. */
  public long value() {
    return ~state;
  }

  /** Forgets all input. */
  public Crc64Iso reset() {
    state = -1L;
    return this;
  }

  /** One-shot CRC-64/ISO of {@code len} bytes of {@code b} at {@code off}. */
  public static long compute(byte[] b, int off, int len) {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    return ~updateState(-1L, b, off, len);
  }

  /** One-shot CRC-64/ISO of all of {@code b}. */
  public static long compute(byte[] b) {
    return ~updateState(-1L, b, 0, b.length);
  }

  /** Advances a raw register (pre-final-XOR) by a big-endian u32; used for page checksums. */
  static long updateIntBE(long s, int v) {
    s = T0[(int) (s ^ (v >>> 24)) & 0xff] ^ (s >>> 8);
    s = T0[(int) (s ^ (v >>> 16)) & 0xff] ^ (s >>> 8);
    s = T0[(int) (s ^ (v >>> 8)) & 0xff] ^ (s >>> 8);
    return T0[(int) (s ^ v) & 0xff] ^ (s >>> 8);
  }

  /** Advances a raw register (pre-final-XOR); callers guarantee the bounds. */
  static long updateState(long s, byte[] b, int off, int len) {
    if (len >= MULTI_LANE_MIN) {
      return fourLanes(s, b, off, len);
    }
    return oneLane(s, b, off, len);
  }

  private static long oneLane(long s, byte[] b, int off, int len) {
    int i = off;
    int end = off + len;
    for (int stop = end - 7; i < stop; i += 8) {
      s = step8(s ^ (long) LONG_LE.get(b, i));
    }
    for (; i < end; i++) {
      s = T0[(int) (s ^ b[i]) & 0xff] ^ (s >>> 8);
    }
    return s;
  }

  private static long fourLanes(long s, byte[] b, int off, int len) {
    // Four lanes hash the four quarters in one loop; each lane's lookups are independent of the
    // others', which roughly doubles throughput over a single dependency chain. Lanes 1..3 start
    // from a zero register. CRC is linear, so crc(A||B) = shift(crcA, |B|) ^ crc0(B).
    int q = (len >>> 2) & ~7;
    int p0 = off;
    int p1 = off + q;
    int p2 = p1 + q;
    int p3 = p2 + q;
    int end0 = p1;
    long s0 = s;
    long s1 = 0;
    long s2 = 0;
    long s3 = 0;
    for (; p0 < end0; p0 += 8, p1 += 8, p2 += 8, p3 += 8) {
      s0 = step8(s0 ^ (long) LONG_LE.get(b, p0));
      s1 = step8(s1 ^ (long) LONG_LE.get(b, p1));
      s2 = step8(s2 ^ (long) LONG_LE.get(b, p2));
      s3 = step8(s3 ^ (long) LONG_LE.get(b, p3));
    }
    int last = len - 3 * q;
    s3 = oneLane(s3, b, p3, off + len - p3);
    long r = Crc64Combine.shift(s0, q) ^ s1;
    r = Crc64Combine.shift(r, q) ^ s2;
    return Crc64Combine.shift(r, last) ^ s3;
  }

  private static long step8(long x) {
    return T7[(int) x & 0xff]
        ^ T6[(int) (x >>> 8) & 0xff]
        ^ T5[(int) (x >>> 16) & 0xff]
        ^ T4[(int) (x >>> 24) & 0xff]
        ^ T3[(int) (x >>> 32) & 0xff]
        ^ T2[(int) (x >>> 40) & 0xff]
        ^ T1[(int) (x >>> 48) & 0xff]
        ^ T0[(int) (x >>> 56)];
  }
}
