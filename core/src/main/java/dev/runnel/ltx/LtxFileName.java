package dev.runnel.ltx;

import java.util.Optional;

/**
 * The name of an LTX file: {@code <min 16 hex>-<max 16 hex>.ltx}, lower-case only. Names that do
 * not match exactly (upper-case hex, {@code .tmp} suffixes, stray files) are not LTX files and are
 * skipped by listings.
 */
public record LtxFileName(TxId min, TxId max) implements Comparable<LtxFileName> {
  public LtxFileName {
    if (min.isZero() || max.isZero() || min.isAfter(max)) {
      throw new IllegalArgumentException("invalid ltx txid range " + min + "-" + max);
    }
  }

  public static LtxFileName of(TxId min, TxId max) {
    return new LtxFileName(min, max);
  }

  /** Parses a file name; empty if it is not exactly an LTX file name with a valid range. */
  public static Optional<LtxFileName> parse(String name) {
    if (name == null || name.length() != 37 || name.charAt(16) != '-' || !name.endsWith(".ltx")) {
      return Optional.empty();
    }
    try {
      TxId min = TxId.parse(name.substring(0, 16));
      TxId max = TxId.parse(name.substring(17, 33));
      if (min.isZero() || max.isZero() || min.isAfter(max)) {
        return Optional.empty();
      }
      return Optional.of(new LtxFileName(min, max));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  public boolean isSnapshot() {
    return min.value() == 1;
  }

  /** Filename order, which is min then max (unsigned). */
  @Override
  public int compareTo(LtxFileName o) {
    int c = min.compareTo(o.min);
    return c != 0 ? c : max.compareTo(o.max);
  }

  @Override
  public String toString() {
    return min + "-" + max + ".ltx";
  }
}
