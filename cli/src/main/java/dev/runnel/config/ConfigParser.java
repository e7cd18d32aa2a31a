package dev.runnel.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/** Turns the root YAML mapping into a {@link RunnelConfig}: global keys, then each database. */
final class ConfigParser {
  private static final Set<String> LOG_LEVELS = Set.of("trace", "debug", "info", "warn", "warning", "error");
  private static final Set<String> LOG_TYPES = Set.of("text", "json", "pretty");

  private final LoadContext context;
  private final Map<String, String> env;
  private final Problems problems;

  ConfigParser(LoadContext context, Map<String, String> env, Problems problems) {
    this.context = context;
    this.env = env;
    this.problems = problems;
  }

  /** Parses the root; the result is meaningful only when {@link Problems#hasErrors()} is false. */
  RunnelConfig parse(YamlMap root) {
    RunnelConfig d = RunnelConfig.defaults();

    Optional<String> addr = root.string("addr").filter(s -> !s.isEmpty());
    addr.ifPresent(a -> {
      int colon = a.lastIndexOf(':');
      if (colon < 0 || colon == a.length() - 1 || !a.substring(colon + 1).chars().allMatch(Character::isDigit)) {
        root.error("addr", "invalid address \"" + a + "\" (expected host:port, e.g. :9090 or 127.0.0.1:9090)");
      }
    });

    List<Duration> levels = levels(root);
    Optional<YamlMap> snap = root.map("snapshot");
    Optional<Duration> snapInterval = snap.flatMap(s -> s.positiveDuration("interval"));
    Optional<Duration> snapRetention = snap.flatMap(s -> s.positiveDuration("retention"));
    snap.ifPresent(s -> s.reportUnknown(Map.of()));

    Duration l0 = root.duration("l0-retention").orElse(d.l0Retention());
    if (l0.isNegative()) {
      root.error("l0-retention", "must not be negative (0 disables L0 deletion), got " + GoDuration.format(l0));
    }
    Duration l0Check = root.positiveDuration("l0-retention-check-interval").orElse(d.l0RetentionCheckInterval());
    boolean retention = root.map("retention").map(r -> {
      boolean enabled = r.bool("enabled").orElse(true);
      r.reportUnknown(Map.of());
      return enabled;
    }).orElse(true);
    Optional<Duration> validation = root.map("validation").flatMap(v -> {
      Optional<Duration> i = v.duration("interval");
      v.reportUnknown(Map.of());
      if (i.isPresent() && i.get().isNegative()) {
        v.error("interval", "must not be negative (0 or unset disables validation)");
      }
      return i.filter(x -> !x.isZero() && !x.isNegative());
    });
    boolean verify = root.bool("verify-compaction").orElse(false);
    Duration shutdownTimeout = root.duration("shutdown-sync-timeout").orElse(d.shutdownSyncTimeout());
    if (shutdownTimeout.isNegative()) {
      root.error("shutdown-sync-timeout", "must be 0 or more, got " + GoDuration.format(shutdownTimeout));
    }
    Duration shutdownInterval = root.positiveDuration("shutdown-sync-interval").orElse(d.shutdownSyncInterval());
    Optional<String> exec = root.string("exec").filter(s -> !s.isBlank());
    RunnelConfig.Logging logging = logging(root);
    RunnelConfig.Heartbeat heartbeat = heartbeat(root);
    RunnelConfig.Socket socket = socket(root);
    Optional<String> mcp = root.string("mcp-addr").filter(s -> !s.isEmpty());
    mcp.ifPresent(a -> problems.warn(root.lineOf("mcp-addr"),
        "mcp-addr is not supported by Runnel (ignored)"));

    RunnelConfig.Runnel runnel = runnel(root);

    ReplicaSettings globals = ReplicaSettings.read(root);
    List<DbConfig> dbs = new ArrayList<>();
    List<DbParser.DbSnapshot> dbSnapshots = new ArrayList<>();
    DbParser dbParser = new DbParser(context, problems, new ReplicaParser(context, env, problems));
    root.list("dbs").ifPresent(items -> {
      for (int i = 0; i < items.size(); i++) {
        Node n = items.get(i);
        String key = "dbs[" + i + "]";
        if (!(n instanceof MappingNode m)) {
          problems.error(YamlMap.line(n), key, "expected a mapping with 'path' or 'dir', got " + YamlMap.describe(n));
          continue;
        }
        dbParser.parse(new YamlMap(m, key, problems), globals, dbSnapshots).ifPresent(dbs::add);
      }
    });
    root.reportUnknown(Map.of("path", "'path' belongs under dbs[]", "url", "'url' belongs under dbs[].replica",
        "type", "'type' belongs under dbs[].replica"));

    // Checked even when the global value wins, so a disagreeing file is reported either way.
    Optional<Duration> dbInterval = agreed(dbSnapshots, true);
    Optional<Duration> dbRetention = agreed(dbSnapshots, false);
    RunnelConfig.Snapshot snapshot = new RunnelConfig.Snapshot(
        snapInterval.or(() -> dbInterval).orElse(d.snapshot().interval()),
        snapRetention.or(() -> dbRetention).orElse(d.snapshot().retention()));

    return new RunnelConfig(addr, levels, snapshot, l0.isNegative() ? d.l0Retention() : l0, l0Check,
        retention, validation, verify, shutdownTimeout, shutdownInterval, exec, logging, heartbeat,
        socket, mcp, runnel, dbs);
  }

  /** The Runnel-only {@code runnel:} block (Litestream ignores it); defaults where absent or invalid. */
  private RunnelConfig.Runnel runnel(YamlMap root) {
    RunnelConfig.Runnel d = RunnelConfig.Runnel.DEFAULT;
    Optional<YamlMap> m = root.map("runnel");
    if (m.isEmpty()) {
      return d;
    }
    YamlMap r = m.get();
    boolean cumulative = r.bool("cumulative-levels").orElse(d.cumulativeLevels());
    double ratio = r.number("cumulative-rewrite-ratio").orElse(d.cumulativeRewriteRatio());
    if (!(ratio >= 0)) {
      r.error("cumulative-rewrite-ratio", "must be a number from 0 to .inf (0 = never rewrite earlier files of a "
          + "period, .inf = no bound), got " + r.string("cumulative-rewrite-ratio").orElse(Double.toString(ratio)));
      ratio = d.cumulativeRewriteRatio();
    }
    r.reportUnknown(Map.of());
    return new RunnelConfig.Runnel(cumulative, ratio);
  }

  private List<Duration> levels(YamlMap root) {
    Optional<List<Node>> items = root.list("levels");
    if (items.isEmpty()) {
      return RunnelConfig.DEFAULT_LEVELS;
    }
    if (items.get().size() > RunnelConfig.MAX_LEVELS) {
      problems.error(root.lineOf("levels"), "levels", "at most " + RunnelConfig.MAX_LEVELS
          + " compaction levels are allowed (L1..L8; L9 is the snapshot level), got " + items.get().size());
    }
    List<Duration> out = new ArrayList<>();
    for (int i = 0; i < items.get().size(); i++) {
      Node n = items.get().get(i);
      String key = "levels[" + i + "]";
      if (!(n instanceof MappingNode m)) {
        problems.error(YamlMap.line(n), key, "expected a mapping such as {interval: 30s}, got " + YamlMap.describe(n));
        continue;
      }
      YamlMap level = new YamlMap(m, key, problems);
      Optional<Duration> interval = level.duration("interval");
      level.reportUnknown(Map.of());
      if (interval.isEmpty()) {
        if (!level.has("interval")) {
          problems.error(level.line(), key + ".interval", "required (e.g. interval: 30s)");
        }
      } else if (interval.get().isZero() || interval.get().isNegative()) {
        level.error("interval", "compaction interval must be greater than 0, got " + GoDuration.format(interval.get()));
      } else {
        out.add(interval.get());
      }
    }
    return out;
  }

  private RunnelConfig.Logging logging(YamlMap root) {
    RunnelConfig.Logging d = RunnelConfig.Logging.DEFAULT;
    Optional<YamlMap> m = root.map("logging");
    String level = m.flatMap(l -> l.string("level")).filter(s -> !s.isEmpty()).orElse(d.level());
    String type = m.flatMap(l -> l.string("type")).filter(s -> !s.isEmpty()).orElse(d.type());
    boolean stderr = m.flatMap(l -> l.bool("stderr")).orElse(false);
    boolean source = m.flatMap(l -> l.bool("source")).orElse(false);
    m.ifPresent(l -> l.reportUnknown(Map.of()));
    String envLevel = env.get("LOG_LEVEL");
    if (envLevel != null && !envLevel.isEmpty()) {
      level = envLevel;
    }
    if (!LOG_LEVELS.contains(level.toLowerCase(Locale.ROOT))) {
      // Litestream silently falls back to info here.
      problems.warn(m.map(l -> l.lineOf("level")).orElse(0),
          "unknown log level \"" + level + "\" (expected trace, debug, info, warn or error); using info");
      level = "info";
    }
    level = level.toLowerCase(Locale.ROOT).equals("warning") ? "warn" : level.toLowerCase(Locale.ROOT);
    if (!LOG_TYPES.contains(type)) {
      m.get().error("type", "unknown log type \"" + type + "\" (expected text, json or pretty)");
      type = d.type();
    }
    return new RunnelConfig.Logging(level, type, stderr, source);
  }

  private RunnelConfig.Heartbeat heartbeat(YamlMap root) {
    Optional<String> url = root.string("heartbeat-url").filter(s -> !s.isEmpty());
    url.ifPresent(u -> {
      if (!u.startsWith("http://") && !u.startsWith("https://")) {
        root.error("heartbeat-url", "expected an http:// or https:// URL, got \"" + u + "\"");
      }
    });
    Duration interval = root.duration("heartbeat-interval").orElse(RunnelConfig.Heartbeat.DEFAULT.interval());
    if (interval.compareTo(RunnelConfig.Heartbeat.MIN_INTERVAL) < 0) {
      root.error("heartbeat-interval", "must be at least 1m, got " + GoDuration.format(interval));
    }
    return new RunnelConfig.Heartbeat(url, interval);
  }

  private RunnelConfig.Socket socket(YamlMap root) {
    RunnelConfig.Socket d = RunnelConfig.Socket.DEFAULT;
    Optional<YamlMap> m = root.map("socket");
    if (m.isEmpty()) {
      return d;
    }
    YamlMap s = m.get();
    boolean enabled = s.bool("enabled").orElse(false);
    Path path = s.string("path").filter(p -> !p.isEmpty()).map(context::expandPath).orElse(d.path());
    int permissions = d.permissions();
    Optional<String> perm = s.string("permissions");
    if (perm.isPresent()) {
      // YAML 1.1 reads 0600 as octal already; a quoted "0600" or "600" is read as octal too.
      String p = perm.get().replaceFirst("^0o", "");
      try {
        permissions = Integer.parseInt(p, 8);
        if (permissions < 0 || permissions > 0777) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        s.error("permissions", "invalid file mode \"" + perm.get() + "\" (expected octal such as 0600)");
      }
    }
    s.reportUnknown(Map.of());
    return new RunnelConfig.Socket(enabled, path, permissions);
  }


  /** The per-database snapshot value all databases agree on, reporting the first disagreement. */
  private Optional<Duration> agreed(List<DbParser.DbSnapshot> snapshots, boolean interval) {
    Optional<Duration> first = Optional.empty();
    String firstPath = null;
    for (DbParser.DbSnapshot s : snapshots) {
      Optional<Duration> v = interval ? s.interval() : s.retention();
      if (v.isEmpty()) {
        continue;
      }
      if (first.isEmpty()) {
        first = v;
        firstPath = s.path();
      } else if (!first.get().equals(v.get())) {
        String name = interval ? "interval" : "retention";
        problems.error(interval ? s.intervalLine() : s.retentionLine(), s.path() + "." + name,
            GoDuration.format(v.get()) + " differs from " + firstPath + "." + name + " "
                + GoDuration.format(first.get()) + " (per-database snapshot settings must agree; set"
                + " snapshot." + name + " once at the top level)");
        return first;
      }
    }
    return first;
  }
}
