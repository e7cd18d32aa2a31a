package dev.runnel.config;

import dev.runnel.compact.CompactionConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole {@code litestream.yml}, with defaults applied and validated. Immutable.
 *
 * @param addr {@code host:port} of the metrics HTTP server; empty = off
 * @param levels compaction intervals of L1..Ln, each &gt; 0, at most 8 (default 30s, 5m, 1h)
 * @param snapshot level-9 snapshot cadence and retention (24h / 24h)
 * @param l0Retention minimum age before a compacted L0 file is deleted; zero disables L0 deletion
 *     (default 5m)
 * @param l0RetentionCheckInterval L0 retention cadence (default 15s)
 * @param retentionEnabled false = never delete remote files (default true)
 * @param validationInterval periodic L0..Ln contiguity check; empty = off
 * @param verifyCompaction check the destination level after each compaction (default false)
 * @param shutdownSyncTimeout total time for final uploads at shutdown, ≥ 0 (default 30s)
 * @param shutdownSyncInterval retry interval for those uploads, &gt; 0 (default 500ms)
 * @param exec child command line (split shell-style by the caller); empty = none
 * @param logging log level, format and destination
 * @param heartbeat optional heartbeat URL ping
 * @param socket unix-socket control API
 * @param mcpAddr MCP server address; accepted for compatibility, not supported by Runnel
 * @param runnel Runnel-only settings (the {@code runnel:} block, which Litestream ignores)
 * @param dbs databases in file order
 */
public record RunnelConfig(
    Optional<String> addr,
    List<Duration> levels,
    Snapshot snapshot,
    Duration l0Retention,
    Duration l0RetentionCheckInterval,
    boolean retentionEnabled,
    Optional<Duration> validationInterval,
    boolean verifyCompaction,
    Duration shutdownSyncTimeout,
    Duration shutdownSyncInterval,
    Optional<String> exec,
    Logging logging,
    Heartbeat heartbeat,
    Socket socket,
    Optional<String> mcpAddr,
    Runnel runnel,
    List<DbConfig> dbs) {

  /** Default compaction levels L1..L3. */
  public static final List<Duration> DEFAULT_LEVELS =
      List.of(Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofHours(1));

  /** Maximum number of configured compaction levels (L1..L8; L9 is the snapshot level). */
  public static final int MAX_LEVELS = 8;

  public static final Duration DEFAULT_L0_RETENTION = Duration.ofMinutes(5);
  public static final Duration DEFAULT_L0_RETENTION_CHECK_INTERVAL = Duration.ofSeconds(15);
  public static final Duration DEFAULT_SHUTDOWN_SYNC_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_SHUTDOWN_SYNC_INTERVAL = Duration.ofMillis(500);

  public RunnelConfig {
    Objects.requireNonNull(addr, "addr");
    levels = List.copyOf(levels);
    Objects.requireNonNull(snapshot, "snapshot");
    Objects.requireNonNull(l0Retention, "l0Retention");
    Objects.requireNonNull(l0RetentionCheckInterval, "l0RetentionCheckInterval");
    Objects.requireNonNull(validationInterval, "validationInterval");
    Objects.requireNonNull(shutdownSyncTimeout, "shutdownSyncTimeout");
    Objects.requireNonNull(shutdownSyncInterval, "shutdownSyncInterval");
    Objects.requireNonNull(exec, "exec");
    Objects.requireNonNull(logging, "logging");
    Objects.requireNonNull(heartbeat, "heartbeat");
    Objects.requireNonNull(socket, "socket");
    Objects.requireNonNull(mcpAddr, "mcpAddr");
    Objects.requireNonNull(runnel, "runnel");
    dbs = List.copyOf(dbs);
  }

  /** The config of an empty file: every default, no databases. */
  public static RunnelConfig defaults() {
    return new RunnelConfig(
        Optional.empty(),
        DEFAULT_LEVELS,
        Snapshot.DEFAULT,
        DEFAULT_L0_RETENTION,
        DEFAULT_L0_RETENTION_CHECK_INTERVAL,
        true,
        Optional.empty(),
        false,
        DEFAULT_SHUTDOWN_SYNC_TIMEOUT,
        DEFAULT_SHUTDOWN_SYNC_INTERVAL,
        Optional.empty(),
        Logging.DEFAULT,
        Heartbeat.DEFAULT,
        Socket.DEFAULT,
        Optional.empty(),
        Runnel.DEFAULT,
        List.of());
  }

  /** The single-path database configured for {@code path}, as Litestream's {@code DBConfig(path)}. */
  public Optional<DbConfig> db(Path path) {
    Path wanted = path.toAbsolutePath().normalize();
    return dbs.stream().filter(d -> d.path().map(wanted::equals).orElse(false)).findFirst();
  }

  /**
   * Multi-line human-readable rendering of the effective config (every default spelled out,
   * secrets masked), for {@code runnel databases} and debugging.
   */
  public String describe() {
    return ConfigRenderer.render(this);
  }

  /**
   * Level-9 snapshots.
   *
   * @param interval snapshot cadence, &gt; 0 (default 24h)
   * @param retention snapshot retention, &gt; 0 (default 24h)
   */
  public record Snapshot(Duration interval, Duration retention) {
    public static final Snapshot DEFAULT = new Snapshot(Duration.ofHours(24), Duration.ofHours(24));

    public Snapshot {
      Objects.requireNonNull(interval, "interval");
      Objects.requireNonNull(retention, "retention");
    }
  }

  /**
   * Runnel-only settings: the top-level {@code runnel:} block. Litestream parses its config
   * non-strictly and ignores the block, so one file serves both. The compaction keys are
   * {@code dev.runnel.compact.CompactionConfig}'s, which documents them fully.
   *
   * @param cumulativeLevels {@code runnel.cumulative-levels}: a compaction into level N rewrites
   *     the level's current period, so a latest restore reads a few files per level (default
   *     true); false = Litestream's exact layout
   * @param cumulativeRewriteRatio {@code runnel.cumulative-rewrite-ratio}: an earlier file of the
   *     period is rewritten only while it is at most this many times the bytes the new file
   *     already holds; &ge; 0, {@code .inf} = no bound (default 1). Ignored when
   *     {@code cumulativeLevels} is false
   */
  public record Runnel(boolean cumulativeLevels, double cumulativeRewriteRatio) {
    public static final Runnel DEFAULT =
        new Runnel(true, CompactionConfig.DEFAULT_CUMULATIVE_REWRITE_RATIO);

    public Runnel {
      if (!(cumulativeRewriteRatio >= 0)) { // also rejects NaN
        throw new IllegalArgumentException("cumulativeRewriteRatio must be >= 0, got " + cumulativeRewriteRatio);
      }
    }
  }

  /**
   * Logging.
   *
   * @param level {@code trace debug info warn error} (default info; {@code LOG_LEVEL} overrides)
   * @param type {@code text json pretty} (default text)
   * @param stderr log to stderr instead of stdout (default false)
   * @param source include source locations (default false)
   */
  public record Logging(String level, String type, boolean stderr, boolean source) {
    public static final Logging DEFAULT = new Logging("info", "text", false, false);

    public Logging {
      Objects.requireNonNull(level, "level");
      Objects.requireNonNull(type, "type");
    }
  }

  /**
   * Heartbeat pings.
   *
   * @param url HTTP(S) URL pinged when every open database synced within the interval; empty = off
   * @param interval ping interval, at least 1m (default 5m)
   */
  public record Heartbeat(Optional<String> url, Duration interval) {
    public static final Duration MIN_INTERVAL = Duration.ofMinutes(1);
    public static final Heartbeat DEFAULT = new Heartbeat(Optional.empty(), Duration.ofMinutes(5));

    public Heartbeat {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(interval, "interval");
    }
  }

  /**
   * Unix-socket control API.
   *
   * @param enabled default false
   * @param path default {@code /var/run/litestream.sock}
   * @param permissions file mode of the socket (default {@code 0600})
   */
  public record Socket(boolean enabled, Path path, int permissions) {
    public static final Socket DEFAULT =
        new Socket(false, Path.of("/var/run/litestream.sock"), 0600);

    public Socket {
      Objects.requireNonNull(path, "path");
    }
  }
}
