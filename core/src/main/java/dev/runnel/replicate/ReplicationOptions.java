package dev.runnel.replicate;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of one replicated database. Defaults are Litestream 0.5's, so a database moved between
 * Litestream and Runnel behaves the same. Immutable; use the {@code with*} methods to derive.
 *
 * @param monitorInterval        how often an idle database is checked for commits made by
 *                               connections Runnel did not open (default 1 s); commits through
 *                               Runnel-opened connections sync immediately
 * @param checkpointInterval     time-based PASSIVE checkpoint cadence; zero disables (default 1 min)
 * @param minCheckpointPageCount PASSIVE checkpoint once the synced WAL holds this many pages
 *                               (default 1000)
 * @param truncatePageN          emergency TRUNCATE checkpoint at this many WAL pages (default 121359,
 *                               about 500 MB at 4 KiB pages)
 * @param maxSyncWalBytes        cap of WAL bytes per L0 file, applied at commit boundaries; 0 means
 *                               unlimited (default 64 MiB)
 * @param busyTimeout            SQLite busy timeout of Runnel's own connections (default 1 s)
 * @param uploadRetryMax         longest back-off between failed uploads (default 30 s)
 * @param shutdownSyncTimeout    how long {@code close()} keeps retrying the final upload (default 30 s)
 * @param shutdownSyncInterval   pause between those retries (default 500 ms)
 * @param metaPath               local state directory (Litestream's {@code meta-path}); empty means
 *                               {@code .<name>-litestream} beside the database (default)
 */
public record ReplicationOptions(
    Duration monitorInterval,
    Duration checkpointInterval,
    int minCheckpointPageCount,
    int truncatePageN,
    long maxSyncWalBytes,
    Duration busyTimeout,
    Duration uploadRetryMax,
    Duration shutdownSyncTimeout,
    Duration shutdownSyncInterval,
    Optional<Path> metaPath) {

  public static final int DEFAULT_TRUNCATE_PAGE_N = 121359;

  public ReplicationOptions {
    requirePositive(monitorInterval, "monitorInterval");
    Objects.requireNonNull(checkpointInterval, "checkpointInterval");
    if (checkpointInterval.isNegative()) {
      throw new IllegalArgumentException("checkpointInterval must be >= 0, got " + checkpointInterval);
    }
    if (minCheckpointPageCount <= 0) {
      throw new IllegalArgumentException("minCheckpointPageCount must be > 0, got " + minCheckpointPageCount);
    }
    if (truncatePageN < 0) {
      throw new IllegalArgumentException("truncatePageN must be >= 0, got " + truncatePageN);
    }
    if (truncatePageN == 0) {
      truncatePageN = DEFAULT_TRUNCATE_PAGE_N;
    }
    if (maxSyncWalBytes < 0) {
      throw new IllegalArgumentException("maxSyncWalBytes must be >= 0, got " + maxSyncWalBytes);
    }
    requirePositive(busyTimeout, "busyTimeout");
    requirePositive(uploadRetryMax, "uploadRetryMax");
    Objects.requireNonNull(shutdownSyncTimeout, "shutdownSyncTimeout");
    requirePositive(shutdownSyncInterval, "shutdownSyncInterval");
    Objects.requireNonNull(metaPath, "metaPath");
  }

  /** The settings without {@code metaPath} (the default location beside the database). */
  public ReplicationOptions(Duration monitorInterval, Duration checkpointInterval, int minCheckpointPageCount,
      int truncatePageN, long maxSyncWalBytes, Duration busyTimeout, Duration uploadRetryMax,
      Duration shutdownSyncTimeout, Duration shutdownSyncInterval) {
    this(monitorInterval, checkpointInterval, minCheckpointPageCount, truncatePageN, maxSyncWalBytes, busyTimeout,
        uploadRetryMax, shutdownSyncTimeout, shutdownSyncInterval, Optional.empty());
  }

  private static void requirePositive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be > 0, got " + d);
    }
  }

  /** Litestream 0.5's defaults. */
  public static ReplicationOptions defaults() {
    return new ReplicationOptions(
        Duration.ofSeconds(1),
        Duration.ofMinutes(1),
        1000,
        DEFAULT_TRUNCATE_PAGE_N,
        64L << 20,
        Duration.ofSeconds(1),
        Duration.ofSeconds(30),
        Duration.ofSeconds(30),
        Duration.ofMillis(500));
  }

  public ReplicationOptions withMonitorInterval(Duration d) {
    return new ReplicationOptions(d, checkpointInterval, minCheckpointPageCount, truncatePageN, maxSyncWalBytes,
        busyTimeout, uploadRetryMax, shutdownSyncTimeout, shutdownSyncInterval, metaPath);
  }

  public ReplicationOptions withCheckpointInterval(Duration d) {
    return new ReplicationOptions(monitorInterval, d, minCheckpointPageCount, truncatePageN, maxSyncWalBytes,
        busyTimeout, uploadRetryMax, shutdownSyncTimeout, shutdownSyncInterval, metaPath);
  }

  public ReplicationOptions withMinCheckpointPageCount(int n) {
    return new ReplicationOptions(monitorInterval, checkpointInterval, n, truncatePageN, maxSyncWalBytes,
        busyTimeout, uploadRetryMax, shutdownSyncTimeout, shutdownSyncInterval, metaPath);
  }

  public ReplicationOptions withTruncatePageN(int n) {
    return new ReplicationOptions(monitorInterval, checkpointInterval, minCheckpointPageCount, n, maxSyncWalBytes,
        busyTimeout, uploadRetryMax, shutdownSyncTimeout, shutdownSyncInterval, metaPath);
  }

  public ReplicationOptions withMaxSyncWalBytes(long n) {
    return new ReplicationOptions(monitorInterval, checkpointInterval, minCheckpointPageCount, truncatePageN, n,
        busyTimeout, uploadRetryMax, shutdownSyncTimeout, shutdownSyncInterval, metaPath);
  }

  public ReplicationOptions withBusyTimeout(Duration d) {
    return new ReplicationOptions(monitorInterval, checkpointInterval, minCheckpointPageCount, truncatePageN,
        maxSyncWalBytes, d, uploadRetryMax, shutdownSyncTimeout, shutdownSyncInterval, metaPath);
  }

  public ReplicationOptions withUploadRetryMax(Duration d) {
    return new ReplicationOptions(monitorInterval, checkpointInterval, minCheckpointPageCount, truncatePageN,
        maxSyncWalBytes, busyTimeout, d, shutdownSyncTimeout, shutdownSyncInterval, metaPath);
  }

  public ReplicationOptions withShutdownSync(Duration timeout, Duration interval) {
    return new ReplicationOptions(monitorInterval, checkpointInterval, minCheckpointPageCount, truncatePageN,
        maxSyncWalBytes, busyTimeout, uploadRetryMax, timeout, interval, metaPath);
  }

  /** The local state directory; null restores the default ({@code .<name>-litestream} beside the database). */
  public ReplicationOptions withMetaPath(Path dir) {
    return new ReplicationOptions(monitorInterval, checkpointInterval, minCheckpointPageCount, truncatePageN,
        maxSyncWalBytes, busyTimeout, uploadRetryMax, shutdownSyncTimeout, shutdownSyncInterval,
        Optional.ofNullable(dir).map(p -> p.toAbsolutePath().normalize()));
  }
}
