package dev.runnel.replicate;

import dev.runnel.ltx.TxId;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A point-in-time view of one replicated database, for metrics and status pages.
 *
 * @param localTxId       newest TxId written to a local L0 file
 * @param replicatedTxId  newest TxId stored in the replica
 * @param lag             time since the oldest change not yet in the replica; zero when caught up
 * @param dbSize          database file size in bytes
 * @param walOffset       WAL bytes of the current generation captured so far
 */
public record ReplicationStatus(
    Path db,
    String replica,
    TxId localTxId,
    TxId replicatedTxId,
    Duration lag,
    Optional<Instant> lastSyncAt,
    Optional<Instant> lastUploadAt,
    long dbSize,
    long walOffset,
    long syncCount,
    long syncErrorCount,
    long fullPageSyncCount,
    long walBytesTotal,
    long checkpointCount,
    long uploadCount,
    long uploadBytes,
    Optional<String> lastError) {

  public boolean caughtUp() {
    return replicatedTxId.compareTo(localTxId) >= 0;
  }
}
