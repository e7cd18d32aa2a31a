package dev.runnel.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The single replica of a database (Litestream 0.5 allows exactly one), after global inline
 * defaults were applied.
 *
 * @param url the {@code url:} as written (after env expansion), if any
 * @param destination where files go; check {@link ReplicaDestination#requireSupported()} before use
 * @param syncInterval upload cadence, &gt; 0 (default 1s)
 * @param maxSyncLtxFiles max L0 files per upload batch, &gt; 0 (default 256)
 * @param autoRecover reset local state when a local LTX file is missing or corrupt (default false)
 * @param validationInterval the per-replica {@code validation-interval}; parsed but, as in
 *     Litestream, only the global {@code validation.interval} is used
 * @param line 1-based line of the replica block in the config file (0 when not from a file)
 */
public record ReplicaConfig(
    Optional<String> url,
    ReplicaDestination destination,
    Duration syncInterval,
    int maxSyncLtxFiles,
    boolean autoRecover,
    Optional<Duration> validationInterval,
    int line) {

  /** Default {@code sync-interval}: 1s. */
  public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofSeconds(1);

  /** Default {@code max-sync-ltx-files}: 256. */
  public static final int DEFAULT_MAX_SYNC_LTX_FILES = 256;

  public ReplicaConfig {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(syncInterval, "syncInterval");
    Objects.requireNonNull(validationInterval, "validationInterval");
  }

  /** The replica type: {@code file}, {@code s3}, {@code gs}, {@code abs}, … */
  public String type() {
    return destination.type();
  }

  /**
   * The replica of one database discovered in directory mode: the database's path relative to
   * {@code dir} is appended to the replica path and URL ({@code s3://bucket/backups} + {@code
   * team-a/db2.db} → prefix {@code backups/team-a/db2.db}).
   */
  public ReplicaConfig withRelativePath(String relativePath) {
    return new ReplicaConfig(
        url.map(u -> ReplicaUrl.appendRelativePath(u, relativePath)),
        destination.withRelativePath(relativePath),
        syncInterval,
        maxSyncLtxFiles,
        autoRecover,
        validationInterval,
        line);
  }
}
