package dev.runnel.ltx;

/**
 * A Litestream transaction id: an unsigned 64-bit counter maintained by the replicator (not an
 * SQLite transaction number). Text form is exactly 16 lower-case hex digits, zero padded.
 *
 * <p>Ordering is unsigned. Id 0 is reserved ("none"); valid LTX files never contain it.
 * Instances are immutable and thread-safe.
 */
public record TxId(long value) implements Comparable<TxId> {
  /** The reserved "no transaction" id. */
  public static final TxId ZERO = new TxId(0);
  /** The first transaction id; a file starting here is a snapshot. */
  public static final TxId ONE = new TxId(1);

  public static TxId of(long value) {
    return value == 0 ? ZERO : value == 1 ? ONE : new TxId(value);
  }

  /**
   * Parses exactly 16 lower-case hex digits.
   *
   * @throws IllegalArgumentException naming the input if it is not of that form
   */
  public static TxId parse(String text) {
    if (text == null || text.length() != 16) {
      throw new IllegalArgumentException("invalid txid " + quote(text) + ": expected 16 lower-case hex digits");
    }
    long v = 0;
    for (int i = 0; i < 16; i++) {
      char c = text.charAt(i);
      int d;
      if (c >= '0' && c <= '9') {
        d = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        d = c - 'a' + 10;
      } else {
        throw new IllegalArgumentException("invalid txid " + quote(text) + ": expected 16 lower-case hex digits");
      }
      v = (v << 4) | d;
    }
    return of(v);
  }

  private static String quote(String s) {
    return s == null ? "null" : "\"" + s + "\"";
  }

  public boolean isZero() {
    return value == 0;
  }

  /** The next id; throws on overflow, which no real replica reaches. */
  public TxId next() {
    if (value == -1L) {
      throw new ArithmeticException("txid overflow");
    }
    return of(value + 1);
  }

  /** The previous id; {@code ONE.previous()} is {@code ZERO}. */
  public TxId previous() {
    if (value == 0) {
      throw new ArithmeticException("txid underflow");
    }
    return of(value - 1);
  }

  @Override
  public int compareTo(TxId o) {
    return Long.compareUnsigned(value, o.value);
  }

  public boolean isAfter(TxId o) {
    return compareTo(o) > 0;
  }

  public boolean isBefore(TxId o) {
    return compareTo(o) < 0;
  }

  public static TxId max(TxId a, TxId b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /** Exactly 16 lower-case hex digits. */
  @Override
  public String toString() {
    String h = Long.toHexString(value);
    return "0000000000000000".substring(h.length()) + h;
  }
}
