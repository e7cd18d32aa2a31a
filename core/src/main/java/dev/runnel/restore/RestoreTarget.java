package dev.runnel.restore;

import dev.runnel.ltx.TxId;
import java.time.Instant;
import java.util.Objects;

/**
 * What state a restore should reach (replica-layout.md §6). Exactly one of: the latest state, the
 * state right after a TxId (inclusive), or the last state created strictly before an instant
 * (exclusive). Immutable.
 */
public sealed interface RestoreTarget permits RestoreTarget.Latest, RestoreTarget.AtTxId, RestoreTarget.AtTime {

  /** The newest state the replica holds. */
  static RestoreTarget latest() {
    return Latest.INSTANCE;
  }

  /** The state right after {@code txId} (inclusive). */
  static RestoreTarget atTxId(TxId txId) {
    return new AtTxId(txId);
  }

  /** The newest state whose files were all created strictly before {@code time}. */
  static RestoreTarget atTime(Instant time) {
    return new AtTime(time);
  }

  /** The newest state; the only target for which gaps in the replica are an error. */
  record Latest() implements RestoreTarget {
    static final Latest INSTANCE = new Latest();

    @Override
    public String toString() {
      return "latest";
    }
  }

  /** @param txId the last transaction to include; never {@link TxId#ZERO} */
  record AtTxId(TxId txId) implements RestoreTarget {
    public AtTxId {
      Objects.requireNonNull(txId, "txId");
      if (txId.isZero()) {
        throw new IllegalArgumentException("restore txid must be > 0");
      }
    }

    @Override
    public String toString() {
      return "txid " + txId;
    }
  }

  /** @param time exclusive bound on each file's createdAt */
  record AtTime(Instant time) implements RestoreTarget {
    public AtTime {
      Objects.requireNonNull(time, "time");
    }

    @Override
    public String toString() {
      return "timestamp " + time;
    }
  }
}
