package dev.runnel.restore;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import java.io.IOException;

/**
 * The replica's files leave a hole in the TxId sequence: the planned files reach {@code haveUpTo}
 * but the next file (of some level) starts after {@code haveUpTo + 1}. The message starts with
 * Litestream's wording {@code non-contiguous ltx files: have up to X but next file starts at Y}.
 */
public class ReplicaGapException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String replica;
  private final TxId haveUpTo;
  private final transient LtxFileInfo next;

  public ReplicaGapException(String replica, TxId haveUpTo, LtxFileInfo next) {
    super("non-contiguous ltx files: have up to " + haveUpTo + " but next file starts at " + next.minTxId()
        + " (replica " + replica + ", level " + next.level() + " file " + next.name() + ")");
    this.replica = replica;
    this.haveUpTo = haveUpTo;
    this.next = next;
  }

  public String replica() {
    return replica;
  }

  /** The last TxId the plan covers contiguously. */
  public TxId haveUpTo() {
    return haveUpTo;
  }

  /** The first file beyond the gap. */
  public LtxFileInfo next() {
    return next;
  }
}
