package dev.runnel.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code dbs[]} entry, with defaults applied.
 *
 * @param source one database path, or a directory scan
 * @param metaPath local state directory if set (single-path mode only); see {@link
 *     #effectiveMetaPath()}
 * @param monitorInterval sync cadence (default 1s)
 * @param checkpointInterval time-based checkpoint cadence; zero disables (default 1m)
 * @param busyTimeout SQLite busy timeout (default 1s)
 * @param minCheckpointPageCount WAL pages before a PASSIVE checkpoint, &gt; 0 (default 1000)
 * @param truncatePageN emergency TRUNCATE threshold in pages (default 121359; 0 in the file means
 *     the default)
 * @param maxSyncWalBytes per-sync cap in bytes; 0 = unlimited (default 64 MiB)
 * @param restoreIfDbNotExists restore from the replica before replicating when the file is missing
 * @param replica the database's only replica
 * @param line 1-based line of the entry in the config file (0 when not from a file)
 */
public record DbConfig(
    DbSource source,
    Optional<Path> metaPath,
    Duration monitorInterval,
    Duration checkpointInterval,
    Duration busyTimeout,
    int minCheckpointPageCount,
    int truncatePageN,
    long maxSyncWalBytes,
    boolean restoreIfDbNotExists,
    ReplicaConfig replica,
    int line) {

  public static final Duration DEFAULT_MONITOR_INTERVAL = Duration.ofSeconds(1);
  public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofMinutes(1);
  public static final Duration DEFAULT_BUSY_TIMEOUT = Duration.ofSeconds(1);
  public static final int DEFAULT_MIN_CHECKPOINT_PAGE_COUNT = 1000;
  public static final int DEFAULT_TRUNCATE_PAGE_N = 121359;
  public static final long DEFAULT_MAX_SYNC_WAL_BYTES = 64L * 1024 * 1024;

  public DbConfig {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(metaPath, "metaPath");
    Objects.requireNonNull(monitorInterval, "monitorInterval");
    Objects.requireNonNull(checkpointInterval, "checkpointInterval");
    Objects.requireNonNull(busyTimeout, "busyTimeout");
    Objects.requireNonNull(replica, "replica");
  }

  /** The database path in single-path mode; empty in directory mode. */
  public Optional<Path> path() {
    return source instanceof DbSource.SinglePath p ? Optional.of(p.path()) : Optional.empty();
  }

  /**
   * The local state directory for single-path mode: {@code meta-path}, else {@code
   * .<name>-litestream} beside the database. Empty in directory mode (use {@link
   * DbSource.Directory#metaPathFor(String)}).
   */
  public Optional<Path> effectiveMetaPath() {
    if (!(source instanceof DbSource.SinglePath p)) {
      return Optional.empty();
    }
    if (metaPath.isPresent()) {
      return metaPath;
    }
    Path db = p.path();
    Path name = db.getFileName();
    return Optional.of(db.resolveSibling("." + name + DbSource.META_SUFFIX));
  }
}
