package dev.runnel.replicate;

import dev.runnel.ltx.TxId;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A point-in-time view of one replicated database, for metrics and status pages.
 *
 * @param localTxId       newest TxId written to a local L0 file
 * @param replicatedTxId  newest TxId stored in the replica
 * @param lag             time since the oldest change not yet in the replica; zero when caught up
 * @param dbSize          database file size in bytes
 * @param walOffset       WAL bytes of the current generation captured so far
 * @param syncTime        total time spent in syncs (WAL to L0)
 * @param checkpoints     checkpoint statistics by mode ({@code PASSIVE}, {@code TRUNCATE}); modes never
 *                        run are absent
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
    Optional<String> lastError,
    Duration syncTime,
    Map<String, CheckpointStats> checkpoints) {

  public ReplicationStatus {
    checkpoints = Map.copyOf(checkpoints);
  }

  /** The status without sync time and per-mode checkpoint statistics. */
  public ReplicationStatus(Path db, String replica, TxId localTxId, TxId replicatedTxId, Duration lag,
      Optional<Instant> lastSyncAt, Optional<Instant> lastUploadAt, long dbSize, long walOffset, long syncCount,
      long syncErrorCount, long fullPageSyncCount, long walBytesTotal, long checkpointCount, long uploadCount,
      long uploadBytes, Optional<String> lastError) {
    this(db, replica, localTxId, replicatedTxId, lag, lastSyncAt, lastUploadAt, dbSize, walOffset, syncCount,
        syncErrorCount, fullPageSyncCount, walBytesTotal, checkpointCount, uploadCount, uploadBytes, lastError,
        Duration.ZERO, Map.of());
  }

  /**
   * Checkpoints of one mode.
   *
   * @param count  checkpoints run
   * @param errors checkpoints that failed
   * @param time   total time spent in them
   */
  public record CheckpointStats(long count, long errors, Duration time) {}

  public boolean caughtUp() {
    return replicatedTxId.compareTo(localTxId) >= 0;
  }
}
