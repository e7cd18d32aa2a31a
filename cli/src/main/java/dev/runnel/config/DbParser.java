package dev.runnel.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/** Turns one {@code dbs[]} entry into a {@link DbConfig}. */
final class DbParser {

  /** 0.3 database keys that 0.5 silently ignores. */
  private static final Map<String, String> REMOVED_KEYS =
      Map.of(
          "max-checkpoint-page-count", "removed in Litestream 0.5",
          "shadow-retention-count", "removed in Litestream 0.5",
          "monitor-delay-interval", "removed in Litestream 0.5; see monitor-interval");

  /** A per-database {@code snapshot:} block, checked for agreement by the caller. */
  record DbSnapshot(Optional<Duration> interval, int intervalLine, Optional<Duration> retention,
      int retentionLine, String path) {}

  private final LoadContext context;
  private final Problems problems;
  private final ReplicaParser replicas;

  DbParser(LoadContext context, Problems problems, ReplicaParser replicas) {
    this.context = context;
    this.problems = problems;
    this.replicas = replicas;
  }

  /** Parses {@code m}; returns empty when it has errors (already reported). */
  Optional<DbConfig> parse(YamlMap m, ReplicaSettings globals, List<DbSnapshot> snapshots) {
    boolean ok = true;
    Optional<String> path = m.string("path").filter(s -> !s.isEmpty());
    Optional<String> dir = m.string("dir").filter(s -> !s.isEmpty());
    Optional<String> pattern = m.string("pattern").filter(s -> !s.isEmpty());
    boolean recursive = m.bool("recursive").orElse(false);
    boolean watch = m.bool("watch").orElse(false);
    Optional<String> metaPath = m.string("meta-path").filter(s -> !s.isEmpty());
    Optional<String> metaDir = m.string("meta-dir").filter(s -> !s.isEmpty());

    Duration monitor = nonNegative(m, "monitor-interval", DbConfig.DEFAULT_MONITOR_INTERVAL, true);
    Duration checkpoint =
        nonNegative(m, "checkpoint-interval", DbConfig.DEFAULT_CHECKPOINT_INTERVAL, false);
    Duration busy = nonNegative(m, "busy-timeout", DbConfig.DEFAULT_BUSY_TIMEOUT, false);
    long minPages = m.integer("min-checkpoint-page-count")
        .orElse((long) DbConfig.DEFAULT_MIN_CHECKPOINT_PAGE_COUNT);
    if (minPages <= 0 || minPages > Integer.MAX_VALUE) {
      m.error("min-checkpoint-page-count", "must be greater than 0, got " + minPages);
      ok = false;
    }
    long truncate = m.integer("truncate-page-n").orElse(0L);
    if (truncate < 0 || truncate > Integer.MAX_VALUE) {
      m.error("truncate-page-n", "must be 0 (default) or a positive page count, got " + truncate);
      ok = false;
    }
    long maxWal = m.size("max-sync-wal-bytes").orElse(DbConfig.DEFAULT_MAX_SYNC_WAL_BYTES);
    boolean restore = m.bool("restore-if-db-not-exists").orElse(false);

    m.map("snapshot").ifPresent(s -> {
      Optional<Duration> interval = s.duration("interval");
      Optional<Duration> retention = s.duration("retention");
      s.reportUnknown(Map.of());
      positive(s, "interval", interval);
      positive(s, "retention", retention);
      snapshots.add(new DbSnapshot(interval, s.lineOf("interval"), retention,
          s.lineOf("retention"), s.path()));
    });

    Optional<ReplicaConfig> replica = replica(m, globals);
    m.reportUnknown(REMOVED_KEYS);

    if (path.isPresent() && dir.isPresent()) {
      problems.error(m.line(), m.path(), "cannot specify both 'path' and 'dir'");
      return Optional.empty();
    }
    if (path.isEmpty() && dir.isEmpty()) {
      problems.error(m.line(), m.path(), "must specify either 'path' (one database) or 'dir' (a directory of databases)");
      return Optional.empty();
    }
    if (metaPath.isPresent() && metaDir.isPresent()) {
      m.error("meta-dir", "cannot specify both 'meta-path' and 'meta-dir'");
      ok = false;
    }
    DbSource source;
    if (dir.isPresent()) {
      if (pattern.isEmpty()) {
        problems.error(m.line(), m.path(), "'pattern' is required with 'dir' (e.g. pattern: \"*.db\")");
        ok = false;
      } else if (!balancedBrackets(pattern.get())) {
        m.error("pattern", "invalid glob pattern \"" + pattern.get() + "\" (unbalanced '[')");
        ok = false;
      }
      // In directory mode Litestream derives each database's state dir from meta-path exactly as
      // from meta-dir, so both land in Directory.metaDir.
      Optional<Path> base = metaDir.or(() -> metaPath).map(context::expandPath);
      source = new DbSource.Directory(
          context.expandPath(dir.get()), pattern.orElse(""), recursive, watch, base);
    } else {
      if (watch) {
        m.error("watch", "'watch' can only be enabled with 'dir'");
        ok = false;
      }
      if (metaDir.isPresent()) {
        m.error("meta-dir", "'meta-dir' is only valid with 'dir' (use 'meta-path' for one database)");
        ok = false;
      }
      if (recursive) {
        problems.warn(m.lineOf("recursive"), m.keyPath("recursive") + " only applies with 'dir' (ignored)");
      }
      if (pattern.isPresent()) {
        problems.warn(m.lineOf("pattern"), m.keyPath("pattern") + " only applies with 'dir' (ignored)");
      }
      source = new DbSource.SinglePath(context.expandPath(path.get()));
    }
    if (!ok || replica.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new DbConfig(
        source,
        source instanceof DbSource.SinglePath ? metaPath.map(context::expandPath) : Optional.empty(),
        monitor,
        checkpoint,
        busy,
        (int) minPages,
        truncate == 0 ? DbConfig.DEFAULT_TRUNCATE_PAGE_N : (int) truncate,
        maxWal,
        restore,
        replica.get(),
        m.line()));
  }

  private Optional<ReplicaConfig> replica(YamlMap m, ReplicaSettings globals) {
    boolean hasOne = m.has("replica");
    Optional<List<Node>> list = m.list("replicas");
    if (hasOne && list.isPresent()) {
      problems.error(m.lineOf("replicas"), m.path(), "cannot specify both 'replica' and 'replicas'");
      return Optional.empty();
    }
    if (list.isPresent()) {
      problems.warn(m.lineOf("replicas"), m.keyPath("replicas")
          + " is deprecated; use a single 'replica:' block");
      if (list.get().size() > 1) {
        problems.error(m.lineOf("replicas"), m.keyPath("replicas"),
            "multiple replicas on a single database are no longer supported (Litestream 0.5"
                + " allows exactly one), got " + list.get().size());
        return Optional.empty();
      }
      if (list.get().size() == 1) {
        Node n = list.get().get(0);
        if (!(n instanceof MappingNode mn)) {
          problems.error(YamlMap.line(n), m.keyPath("replicas[0]"),
              "expected a mapping, got " + YamlMap.describe(n));
          return Optional.empty();
        }
        return replicas.parse(new YamlMap(mn, m.path() + ".replicas[0]", problems), globals);
      }
    }
    if (hasOne) {
      return m.map("replica").flatMap(r -> replicas.parse(r, globals));
    }
    problems.error(m.line(), m.path(),
        "no replica configured (add a 'replica:' block, e.g. replica: {url: s3://BUCKET/PATH})");
    return Optional.empty();
  }

  private static Duration nonNegative(YamlMap m, String key, Duration dflt, boolean strictlyPositive) {
    Optional<Duration> d = m.duration(key);
    if (d.isEmpty()) {
      return dflt;
    }
    if (d.get().isNegative() || (strictlyPositive && d.get().isZero())) {
      m.error(key, "must be " + (strictlyPositive ? "greater than 0" : "0 or more") + ", got "
          + GoDuration.format(d.get()));
      return dflt;
    }
    return d.get();
  }

  private static void positive(YamlMap m, String key, Optional<Duration> d) {
    if (d.isPresent() && (d.get().isNegative() || d.get().isZero())) {
      m.error(key, "must be greater than 0, got " + GoDuration.format(d.get()));
    }
  }

  private static boolean balancedBrackets(String glob) {
    boolean open = false;
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '[') {
        open = true;
      } else if (c == ']') {
        open = false;
      }
    }
    return !open;
  }
}
