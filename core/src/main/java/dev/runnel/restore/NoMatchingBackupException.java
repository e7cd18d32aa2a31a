package dev.runnel.restore;

import dev.runnel.ltx.TxId;
import java.io.IOException;

/**
 * No set of files reaches the restore target: the replica is empty, nothing was created before
 * the timestamp, or the files stop short of the txid. Litestream's {@code ErrTxNotAvailable}; its
 * CLI prints {@code no matching backup files available}, which starts this message.
 */
public class NoMatchingBackupException extends IOException {
  private static final long serialVersionUID = 1L;

  /** Litestream's wording, the start of every message. */
  public static final String MESSAGE = "no matching backup files available";

  private final String replica;
  private final transient RestoreTarget target;
  private final transient TxId reached;

  public NoMatchingBackupException(String replica, RestoreTarget target, TxId reached) {
    super(MESSAGE + " (replica " + replica + ", target " + target
        + (reached.isZero() ? ", no usable file" : ", files reach only " + reached) + ")");
    this.replica = replica;
    this.target = target;
    this.reached = reached;
  }

  public String replica() {
    return replica;
  }

  public RestoreTarget target() {
    return target;
  }

  /** The highest TxId the usable files reach contiguously from 1; ZERO if none. */
  public TxId reached() {
    return reached;
  }
}
