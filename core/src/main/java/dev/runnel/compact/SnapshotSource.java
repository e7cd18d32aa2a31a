package dev.runnel.compact;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import java.io.IOException;

/** Where level-9 snapshots come from: the live database (see {@code ReplicatedDatabase#snapshot()}). */
public interface SnapshotSource {
  /** The database's current TxId; a snapshot is due only if the newest one is older. */
  TxId position();

  /** Writes a snapshot of the current state to the replica and returns the stored file. */
  LtxFileInfo snapshot() throws IOException;
}
