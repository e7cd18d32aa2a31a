package dev.runnel.config;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Renders the effective config for humans: every default spelled out, durations in Go syntax,
 * sizes with units, secrets as {@code ****}. The output is stable (tests and docs may quote it) but
 * not meant to be parsed.
 */
public final class ConfigRenderer {
  private ConfigRenderer() {}

  /** The whole config. */
  public static String render(RunnelConfig c) {
    StringBuilder b = new StringBuilder();
    line(b, 0, "addr", c.addr().orElse("(off)"));
    line(b, 0, "levels", c.levels().stream().map(GoDuration::format).collect(Collectors.joining(", ", "[", "]")));
    line(b, 0, "snapshot", "interval " + GoDuration.format(c.snapshot().interval()) + ", retention "
        + GoDuration.format(c.snapshot().retention()));
    line(b, 0, "l0-retention", c.l0Retention().isZero() ? "0s (L0 deletion off)" : GoDuration.format(c.l0Retention()));
    line(b, 0, "l0-retention-check-interval", GoDuration.format(c.l0RetentionCheckInterval()));
    line(b, 0, "retention.enabled", Boolean.toString(c.retentionEnabled()));
    line(b, 0, "validation.interval", c.validationInterval().map(GoDuration::format).orElse("(off)"));
    line(b, 0, "verify-compaction", Boolean.toString(c.verifyCompaction()));
    line(b, 0, "shutdown-sync", "timeout " + GoDuration.format(c.shutdownSyncTimeout()) + ", interval "
        + GoDuration.format(c.shutdownSyncInterval()));
    line(b, 0, "exec", c.exec().orElse("(none)"));
    line(b, 0, "logging", c.logging().level() + ", " + c.logging().type()
        + (c.logging().stderr() ? ", stderr" : ", stdout") + (c.logging().source() ? ", source" : ""));
    line(b, 0, "heartbeat", c.heartbeat().url().map(u -> u + " every " + GoDuration.format(c.heartbeat().interval()))
        .orElse("(off)"));
    line(b, 0, "socket", c.socket().enabled()
        ? c.socket().path() + " (mode " + String.format("%04o", c.socket().permissions()) + ")" : "(off)");
    c.mcpAddr().ifPresent(a -> line(b, 0, "mcp-addr", a + " (not supported by Runnel)"));
    line(b, 0, "runnel.cumulative-levels", Boolean.toString(c.runnel().cumulativeLevels()));
    line(b, 0, "runnel.cumulative-rewrite-ratio", c.runnel().cumulativeLevels()
        ? ratio(c.runnel().cumulativeRewriteRatio()) : "(unused: cumulative-levels is false)");
    line(b, 0, "dbs", c.dbs().isEmpty() ? "(none)" : "");
    for (DbConfig db : c.dbs()) {
      db(b, db);
    }
    return b.toString();
  }

  /** A rewrite ratio as the config spells it: {@code .inf}, {@code 1}, {@code 0.5}. */
  private static String ratio(double r) {
    if (Double.isInfinite(r)) {
      return ".inf (no bound)";
    }
    return r == Math.rint(r) ? Long.toString((long) r) : Double.toString(r);
  }

  /** One database, indented, as in {@code runnel databases}. */
  public static String render(DbConfig db) {
    StringBuilder b = new StringBuilder();
    db(b, db);
    return b.toString();
  }

  private static void db(StringBuilder b, DbConfig db) {
    switch (db.source()) {
      case DbSource.SinglePath p -> {
        b.append("  - path: ").append(p.path()).append('\n');
        line(b, 2, "meta-path", db.effectiveMetaPath().map(Object::toString).orElse(""));
      }
      case DbSource.Directory d -> {
        b.append("  - dir: ").append(d.dir()).append('\n');
        line(b, 2, "pattern", d.pattern() + (d.recursive() ? " (recursive)" : "") + (d.watch() ? " (watch)" : ""));
        d.metaDir().ifPresent(m -> line(b, 2, "meta-dir", m.toString()));
      }
    }
    line(b, 2, "monitor-interval", GoDuration.format(db.monitorInterval()));
    line(b, 2, "checkpoint-interval", db.checkpointInterval().isZero() ? "0s (off)" : GoDuration.format(db.checkpointInterval()));
    line(b, 2, "busy-timeout", GoDuration.format(db.busyTimeout()));
    line(b, 2, "min-checkpoint-page-count", Integer.toString(db.minCheckpointPageCount()));
    line(b, 2, "truncate-page-n", Integer.toString(db.truncatePageN()));
    line(b, 2, "max-sync-wal-bytes", db.maxSyncWalBytes() == 0 ? "0 (unlimited)" : ByteSize.format(db.maxSyncWalBytes()));
    line(b, 2, "restore-if-db-not-exists", Boolean.toString(db.restoreIfDbNotExists()));
    ReplicaConfig r = db.replica();
    line(b, 2, "replica", r.type() + r.url().map(u -> " " + u).orElse(""));
    switch (r.destination()) {
      case FileReplica f -> line(b, 3, "path", f.path().toString());
      case S3Replica s -> s3(b, s);
      case UnsupportedReplica u -> {
        line(b, 3, "status", "not supported by Runnel yet");
        for (Map.Entry<String, Object> e : u.settings().entrySet()) {
          line(b, 3, e.getKey(), String.valueOf(e.getValue()));
        }
      }
    }
    line(b, 3, "sync-interval", GoDuration.format(r.syncInterval()));
    line(b, 3, "max-sync-ltx-files", Integer.toString(r.maxSyncLtxFiles()));
    line(b, 3, "auto-recover", Boolean.toString(r.autoRecover()));
  }

  private static void s3(StringBuilder b, S3Replica s) {
    line(b, 3, "bucket", s.bucket());
    line(b, 3, "path", s.path().isEmpty() ? "(bucket root)" : s.path());
    line(b, 3, "region", s.region().orElse(s.effectiveRegion().map(r -> r + " (default)").orElse("(looked up)")));
    line(b, 3, "endpoint", s.endpoint().orElse("(AWS)"));
    line(b, 3, "force-path-style", Boolean.toString(s.forcePathStyle()));
    S3Replica.Credentials c = s.credentials();
    line(b, 3, "credentials", c.accessKeyId().map(id -> id + " / " + c.secretAccessKey().map(Secret::toString).orElse("")
        + " (" + c.source() + ")").orElse("(" + c.source() + ")"));
    line(b, 3, "sign-payload", Boolean.toString(s.signPayload()));
    line(b, 3, "require-content-md5", Boolean.toString(s.requireContentMd5()));
    if (s.skipVerify()) {
      line(b, 3, "skip-verify", "true");
    }
    s.storageClass().ifPresent(v -> line(b, 3, "storage-class", v));
    line(b, 3, "part-size", ByteSize.format(s.partSize()));
    line(b, 3, "concurrency", s.concurrency().isPresent() ? Integer.toString(s.concurrency().getAsInt()) : "(default)");
    S3Replica.Sse e = s.sse();
    List<String> sse = new java.util.ArrayList<>();
    e.customerAlgorithm().ifPresent(a -> sse.add("customer " + a));
    e.customerKey().ifPresent(k -> sse.add("key " + k));
    e.customerKeyPath().ifPresent(p -> sse.add("key file " + p));
    e.kmsKeyId().ifPresent(k -> sse.add("kms " + k));
    if (!sse.isEmpty()) {
      line(b, 3, "sse", String.join(", ", sse));
    }
  }

  private static void line(StringBuilder b, int indent, String key, String value) {
    b.append("  ".repeat(indent)).append(key).append(':');
    if (!value.isEmpty()) {
      b.append(' ').append(value);
    }
    b.append('\n');
  }
}
