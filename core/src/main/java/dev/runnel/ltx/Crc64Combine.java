package dev.runnel.ltx;

/**
 * GF(2) operators that advance a raw CRC-64/ISO register over runs of zero bytes. Used to join
 * independently computed lanes: feeding n zero bytes is linear in the register, so it is a 64x64
 * bit matrix, stored here as its 64 column images.
 *
 * <p>Thread-safe: the powers are immutable and the one-entry cache is an immutable object published
 * through a plain field (a racy miss only costs a recomputation).
 */
final class Crc64Combine {
  /** POW2[k] advances a register over 2^k zero bytes. */
  private static final long[][] POW2 = new long[63][];

  private record Op(int length, long[] cols) {}

  // Two slots: multi-lane hashing of one length uses at most two distinct shift lengths.
  private static Op cachedA = new Op(0, identity());
  private static Op cachedB = new Op(0, identity());

  static {
    long[] one = new long[64];
    for (int i = 0; i < 64; i++) {
      long s = 1L << i;
      // One zero byte through the bytewise algorithm.
      for (int k = 0; k < 8; k++) {
        s = (s & 1) != 0 ? (s >>> 1) ^ Crc64Iso.POLY : s >>> 1;
      }
      one[i] = s;
    }
    POW2[0] = one;
    for (int k = 1; k < POW2.length; k++) {
      POW2[k] = compose(POW2[k - 1], POW2[k - 1]);
    }
  }

  private Crc64Combine() {}

  /** The register after feeding {@code n} zero bytes (n ≥ 0) to register {@code s}. */
  static long shift(long s, int n) {
    Op a = cachedA;
    if (a.length == n) {
      return apply(a.cols, s);
    }
    Op b = cachedB;
    if (b.length == n) {
      return apply(b.cols, s);
    }
    Op op = new Op(n, operator(n));
    cachedB = a;
    cachedA = op;
    return apply(op.cols, s);
  }

  /**
   * As {@link #shift(long, int)} for any length, without touching the cache: applies the
   * power-of-two operators of the set bits one by one (at most 63 matrix-vector products), which
   * is cheaper than building an operator that is used once.
   */
  static long shiftOnce(long s, long n) {
    if (n < 0) {
      throw new IllegalArgumentException("negative length " + n);
    }
    for (int k = 0; n != 0; k++, n >>>= 1) {
      if ((n & 1) != 0) {
        s = apply(POW2[k], s);
      }
    }
    return s;
  }

  /** The operator for {@code n} zero bytes, for callers that apply one length very often. */
  static long[] operator(int n) {
    long[] m = identity();
    for (int k = 0; n != 0; k++, n >>>= 1) {
      if ((n & 1) != 0) {
        m = compose(POW2[k], m);
      }
    }
    return m;
  }

  private static long[] identity() {
    long[] m = new long[64];
    for (int i = 0; i < 64; i++) {
      m[i] = 1L << i;
    }
    return m;
  }

  /** The operator "first b, then a". */
  private static long[] compose(long[] a, long[] b) {
    long[] r = new long[64];
    for (int i = 0; i < 64; i++) {
      r[i] = apply(a, b[i]);
    }
    return r;
  }

  /** Applies an operator from {@link #operator(int)} to register {@code v}. */
  static long apply(long[] cols, long v) {
    long r = 0;
    for (int i = 0; i < 64; i++) {
      r ^= cols[i] & -((v >>> i) & 1);
    }
    return r;
  }
}
