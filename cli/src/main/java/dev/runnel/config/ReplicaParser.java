package dev.runnel.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Turns one replica block (plus the global inline defaults) into a {@link ReplicaConfig}. */
final class ReplicaParser {

  /** Every Litestream 0.5 replica type. Runnel implements file, s3 and gs. */
  static final List<String> KNOWN_TYPES =
      List.of("file", "s3", "gs", "abs", "sftp", "webdav", "nats", "oss");

  private static final Set<String> URL_PATH_TYPES = Set.of("file", "s3", "gs", "abs", "oss");

  /** 0.3 replica keys that 0.5 silently ignores. */
  static final Map<String, String> REMOVED_KEYS =
      Map.of(
          "retention", "removed in Litestream 0.5; see the global snapshot.retention",
          "retention-check-interval", "removed in Litestream 0.5",
          "snapshot-interval", "removed in Litestream 0.5; see the global snapshot.interval");

  private final LoadContext context;
  private final Map<String, String> env;
  private final Problems problems;

  ReplicaParser(LoadContext context, Map<String, String> env, Problems problems) {
    this.context = context;
    this.env = env;
    this.problems = problems;
  }

  /** Parses {@code m}; returns empty when it has errors (already reported). */
  Optional<ReplicaConfig> parse(YamlMap m, ReplicaSettings globals) {
    Optional<String> type = m.string("type").filter(s -> !s.isEmpty());
    if (m.string("name").isPresent()) {
      problems.warn(m.lineOf("name"), m.keyPath("name") + " is deprecated and ignored");
    }
    Optional<String> path = m.string("path").filter(s -> !s.isEmpty());
    Optional<String> url = m.string("url").filter(s -> !s.isEmpty());
    ReplicaSettings s = ReplicaSettings.read(m).withDefaults(globals);
    m.reportUnknown(REMOVED_KEYS);
    boolean ok = true;

    if (path.isPresent() && ReplicaUrl.isUrl(path.get())) {
      m.error(
          "path",
          "replica path cannot be a URL: \"" + path.get() + "\" (use the 'url' key instead)");
      ok = false;
    }

    Optional<ReplicaUrl> parsedUrl = Optional.empty();
    if (url.isPresent()) {
      try {
        parsedUrl = Optional.of(ReplicaUrl.parse(url.get()));
      } catch (IllegalArgumentException e) {
        m.error("url", e.getMessage());
        return Optional.empty();
      }
    }

    String resolvedType;
    if (parsedUrl.isPresent()) {
      resolvedType = parsedUrl.get().type();
      if (!KNOWN_TYPES.contains(resolvedType)) {
        m.error(
            "url",
            "unsupported replica URL scheme \"" + parsedUrl.get().scheme() + "\" (expected one of "
                + String.join(", ", KNOWN_TYPES) + ")");
        return Optional.empty();
      }
      if (type.isPresent() && !type.get().equals(resolvedType)) {
        problems.warn(
            m.lineOf("type"),
            m.keyPath("type") + ": '" + type.get() + "' ignored; the url scheme selects '"
                + resolvedType + "'");
      }
    } else {
      resolvedType = type.orElse("file");
      if (!KNOWN_TYPES.contains(resolvedType)) {
        m.error(
            "type",
            "unknown replica type \"" + resolvedType + "\" (expected one of "
                + String.join(", ", KNOWN_TYPES) + ")");
        return Optional.empty();
      }
    }

    if (url.isPresent() && path.isPresent() && URL_PATH_TYPES.contains(resolvedType)) {
      m.error("path", "cannot specify both 'url' and 'path' for a " + resolvedType + " replica");
      ok = false;
    }
    if (url.isPresent() && s.explicit("bucket") && !resolvedType.equals("nats")) {
      m.error("bucket", "cannot specify both 'url' and 'bucket' for a " + resolvedType + " replica");
      ok = false;
    }

    Duration syncInterval = s.duration("sync-interval").orElse(ReplicaConfig.DEFAULT_SYNC_INTERVAL);
    if (syncInterval.isNegative() || syncInterval.isZero()) {
      settingError(s, "sync-interval", "must be greater than 0");
      ok = false;
    }
    long maxFiles = s.number("max-sync-ltx-files").orElse((long) ReplicaConfig.DEFAULT_MAX_SYNC_LTX_FILES);
    if (maxFiles <= 0 || maxFiles > Integer.MAX_VALUE) {
      settingError(s, "max-sync-ltx-files", "must be greater than 0");
      ok = false;
    }

    Optional<ReplicaDestination> destination =
        switch (resolvedType) {
          case "file" -> fileDestination(m, path, parsedUrl);
          case "s3", "gs" ->
              new S3ReplicaBuilder(env, problems, context)
                  .build(m, resolvedType, path, parsedUrl, s);
          default -> {
            Map<String, Object> shown = new LinkedHashMap<>();
            path.ifPresent(p -> shown.put("path", p));
            shown.putAll(s.asMap());
            yield Optional.of(
                new UnsupportedReplica(resolvedType, url, shown, m.line(), problems.source()));
          }
        };
    if (!ok || destination.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new ReplicaConfig(
            url,
            destination.get(),
            syncInterval,
            (int) maxFiles,
            s.bool("auto-recover").orElse(false),
            s.duration("validation-interval"),
            m.line()));
  }

  private Optional<ReplicaDestination> fileDestination(
      YamlMap m, Optional<String> path, Optional<ReplicaUrl> url) {
    Optional<String> dir = url.map(ReplicaUrl::path).or(() -> path);
    if (dir.isEmpty()) {
      problems.error(
          m.line(), m.path(), "file replica needs a 'path' or a 'url' (e.g. url: file:///backups/db)");
      return Optional.empty();
    }
    return Optional.of(new FileReplica(context.expandPath(dir.get())));
  }

  private void settingError(ReplicaSettings s, String key, String message) {
    ReplicaSettings.Setting setting = s.setting(key).orElseThrow();
    problems.error(setting.line(), setting.keyPath(), message);
  }
}
