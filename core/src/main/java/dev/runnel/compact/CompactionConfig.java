package dev.runnel.compact;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Compaction, snapshot and retention settings, with Litestream 0.5's defaults and meaning
 * (litestream-cli-config.md §2; replica-layout.md §2–3). Immutable; derive with the {@code with*}
 * methods.
 *
 * @param levels                   intervals of levels 1..n, in order ({@code levels:}); at most 8,
 *                                 each &gt; 0 (default 30 s, 5 min, 1 h). Level i compacts level i-1
 * @param snapshotInterval         level-9 snapshot cadence ({@code snapshot.interval}, default 24 h)
 * @param snapshotRetention        how long snapshots are kept ({@code snapshot.retention}, default
 *                                 24 h); the newest is always kept
 * @param l0Retention              minimum age of an L0 file already compacted into L1 before it is
 *                                 deleted ({@code l0-retention}, default 5 min); zero = never delete
 * @param l0RetentionCheckInterval L0 retention cadence ({@code l0-retention-check-interval}, 15 s)
 * @param retentionEnabled         {@code retention.enabled}: false = never delete remote files
 *                                 (local clean-up still runs). Default true
 * @param verifyCompaction         {@code verify-compaction}: check the destination level's TxId
 *                                 contiguity after each compaction (from memory: no requests) and
 *                                 count failures. Default false
 * @param cumulativeLevels         Runnel's cumulative level files (default true): a compaction into
 *                                 level N rewrites level-N files of the current period together
 *                                 with the new source files, so a level's newest files cover
 *                                 everything since the level above (or the newest snapshot) and a
 *                                 latest restore reads a few files per level (one if
 *                                 {@code cumulativeRewriteRatio} is infinite). False = Litestream's
 *                                 layout exactly (each compaction covers only new TxIds). Both
 *                                 layouts restore with Litestream's planner; see
 *                                 {@link ReplicaCompactor}
 * @param cumulativeRewriteRatio   bound on cumulative rewrites (default
 *                                 {@value #DEFAULT_CUMULATIVE_REWRITE_RATIO}): a compaction repeats an
 *                                 earlier file of the level's current period, newest first, only
 *                                 while that file is at most {@code ratio ×} the bytes the new file
 *                                 already holds (its new input plus the files repeated so far); the
 *                                 files before stay as they are and the new file starts where they
 *                                 end. With 1 the files of a period merge like a binary counter:
 *                                 each byte is re-uploaded about log2(compactions per period) times
 *                                 instead of up to (compactions + 1) / 2 times, and a latest restore
 *                                 reads at most about log2(compactions per period) + 1 files per
 *                                 level instead of one (Litestream's layout: one per compaction).
 *                                 Must be &ge; 0: 0 = never repeat, {@link Double#POSITIVE_INFINITY}
 *                                 = repeat the whole period (one file per level). Ignored when
 *                                 {@code cumulativeLevels} is false
 */
public record CompactionConfig(
    List<Duration> levels,
    Duration snapshotInterval,
    Duration snapshotRetention,
    Duration l0Retention,
    Duration l0RetentionCheckInterval,
    boolean retentionEnabled,
    boolean verifyCompaction,
    boolean cumulativeLevels,
    double cumulativeRewriteRatio) {

  /** Levels 1..8 at most: level 9 is the snapshot level. */
  public static final int MAX_LEVELS = 8;

  /** Default {@link #cumulativeRewriteRatio()}: chosen by measurement (docs/BENCHMARKS-history.md). */
  public static final double DEFAULT_CUMULATIVE_REWRITE_RATIO = 1.0;

  public CompactionConfig {
    Objects.requireNonNull(levels, "levels");
    levels = List.copyOf(levels);
    if (levels.size() > MAX_LEVELS) {
      throw new IllegalArgumentException("at most " + MAX_LEVELS + " compaction levels, got " + levels.size());
    }
    for (int i = 0; i < levels.size(); i++) {
      requireAtLeastMillis(levels.get(i), "levels[" + i + "] (L" + (i + 1) + ") interval");
    }
    requireAtLeastMillis(snapshotInterval, "snapshot.interval");
    requireNonNegative(snapshotRetention, "snapshot.retention");
    requireNonNegative(l0Retention, "l0-retention");
    requireAtLeastMillis(l0RetentionCheckInterval, "l0-retention-check-interval");
    if (!(cumulativeRewriteRatio >= 0)) { // also rejects NaN
      throw new IllegalArgumentException("cumulativeRewriteRatio must be >= 0 (infinity = no bound), got "
          + cumulativeRewriteRatio);
    }
  }

  /** The Litestream keys only; cumulative level files on, with the default bound. */
  public CompactionConfig(List<Duration> levels, Duration snapshotInterval, Duration snapshotRetention,
      Duration l0Retention, Duration l0RetentionCheckInterval, boolean retentionEnabled, boolean verifyCompaction) {
    this(levels, snapshotInterval, snapshotRetention, l0Retention, l0RetentionCheckInterval, retentionEnabled,
        verifyCompaction, true, DEFAULT_CUMULATIVE_REWRITE_RATIO);
  }

  private static void requireAtLeastMillis(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.toMillis() <= 0) {
      throw new IllegalArgumentException(name + " must be > 0 (at least 1ms), got " + d);
    }
  }

  private static void requireNonNegative(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + " must be >= 0, got " + d);
    }
  }

  /** Litestream 0.5's defaults, with cumulative level files. */
  public static CompactionConfig defaults() {
    return new CompactionConfig(List.of(Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofHours(1)),
        Duration.ofHours(24), Duration.ofHours(24), Duration.ofMinutes(5), Duration.ofSeconds(15), true, false, true,
        DEFAULT_CUMULATIVE_REWRITE_RATIO);
  }

  /** Litestream 0.5's defaults and its exact level layout (no cumulative level files). */
  public static CompactionConfig litestream() {
    return defaults().withCumulativeLevels(false);
  }

  /** Number of compaction levels n (levels 1..n). */
  public int topLevel() {
    return levels.size();
  }

  /** The interval of level 1..n, or of the snapshot level 9. */
  public Duration interval(int level) {
    if (level == 9) {
      return snapshotInterval;
    }
    if (level < 1 || level > levels.size()) {
      throw new IllegalArgumentException("no compaction level " + level + " (configured 1.." + levels.size() + ", 9)");
    }
    return levels.get(level - 1);
  }

  public CompactionConfig withLevels(List<Duration> l) {
    return new CompactionConfig(l, snapshotInterval, snapshotRetention, l0Retention, l0RetentionCheckInterval,
        retentionEnabled, verifyCompaction, cumulativeLevels, cumulativeRewriteRatio);
  }

  public CompactionConfig withSnapshot(Duration interval, Duration retention) {
    return new CompactionConfig(levels, interval, retention, l0Retention, l0RetentionCheckInterval,
        retentionEnabled, verifyCompaction, cumulativeLevels, cumulativeRewriteRatio);
  }

  public CompactionConfig withL0Retention(Duration retention, Duration checkInterval) {
    return new CompactionConfig(levels, snapshotInterval, snapshotRetention, retention, checkInterval,
        retentionEnabled, verifyCompaction, cumulativeLevels, cumulativeRewriteRatio);
  }

  public CompactionConfig withRetentionEnabled(boolean enabled) {
    return new CompactionConfig(levels, snapshotInterval, snapshotRetention, l0Retention, l0RetentionCheckInterval,
        enabled, verifyCompaction, cumulativeLevels, cumulativeRewriteRatio);
  }

  public CompactionConfig withVerifyCompaction(boolean verify) {
    return new CompactionConfig(levels, snapshotInterval, snapshotRetention, l0Retention, l0RetentionCheckInterval,
        retentionEnabled, verify, cumulativeLevels, cumulativeRewriteRatio);
  }

  public CompactionConfig withCumulativeLevels(boolean cumulative) {
    return new CompactionConfig(levels, snapshotInterval, snapshotRetention, l0Retention, l0RetentionCheckInterval,
        retentionEnabled, verifyCompaction, cumulative, cumulativeRewriteRatio);
  }

  /** @param ratio see {@link #cumulativeRewriteRatio()}: &ge; 0, or infinity for no bound */
  public CompactionConfig withCumulativeRewriteRatio(double ratio) {
    return new CompactionConfig(levels, snapshotInterval, snapshotRetention, l0Retention, l0RetentionCheckInterval,
        retentionEnabled, verifyCompaction, cumulativeLevels, ratio);
  }
}
