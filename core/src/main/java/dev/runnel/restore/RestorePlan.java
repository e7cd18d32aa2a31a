package dev.runnel.restore;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import java.util.List;
import java.util.Objects;

/**
 * The files to merge for a restore, in apply order: optionally a level-9 snapshot, then files of
 * any level, each starting at or before the previous file's MaxTXID + 1 and ending after it.
 * Immutable.
 *
 * @param files    non-empty; the first starts at TxId 1
 * @param maxTxId  the TxId the restored database will be at: the last file's MaxTXID
 */
public record RestorePlan(List<LtxFileInfo> files, TxId maxTxId) {
  public RestorePlan {
    files = List.copyOf(files);
    Objects.requireNonNull(maxTxId, "maxTxId");
    if (files.isEmpty()) {
      throw new IllegalArgumentException("empty restore plan");
    }
    if (!files.get(files.size() - 1).maxTxId().equals(maxTxId)) {
      throw new IllegalArgumentException("plan maxTxId " + maxTxId + " is not the last file's " + files.getLast());
    }
  }

  /** Total bytes of the planned files. */
  public long totalSize() {
    return files.stream().mapToLong(LtxFileInfo::size).sum();
  }
}
