package dev.runnel.cli;

import dev.runnel.config.ConfigException;
import dev.runnel.config.DbConfig;
import dev.runnel.config.DbSource;
import dev.runnel.config.FileReplica;
import dev.runnel.config.ReplicaConfig;
import dev.runnel.config.ReplicaDestination;
import dev.runnel.config.RunnelConfig;
import dev.runnel.config.S3Replica;
import dev.runnel.config.UnsupportedReplica;
import dev.runnel.replica.ReplicaClient;
import dev.runnel.replica.ReplicaClients;
import dev.runnel.replica.file.FileReplicaClient;
import dev.runnel.replicate.ReplicationOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One database to work on, resolved from the config (a {@code path:} entry or a database found in
 * a {@code dir:} entry) or from the command line ({@code DB_PATH REPLICA_URL}).
 *
 * @param path absolute database path
 * @param replicaUrl the replica as a URL or path, without secrets (for display and for opening)
 * @param replica the replica config when the database came from the config file
 * @param options replication settings (intervals, thresholds, meta path)
 * @param restoreIfMissing the database's {@code restore-if-db-not-exists}
 * @param fromConfig true when the database is configured (restore then adopts the result)
 */
record DbSpec(Path path, String replicaUrl, Optional<ReplicaConfig> replica, ReplicationOptions options,
    boolean restoreIfMissing, boolean fromConfig) {

  private static final byte[] SQLITE_MAGIC = "SQLite format 3\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** A database given on the command line with a replica URL; every setting at its default. */
  static DbSpec fromUrl(Path db, String url, RunnelConfig defaults) {
    ReplicationOptions o = ReplicationOptions.defaults()
        .withShutdownSync(defaults.shutdownSyncTimeout(), positive(defaults.shutdownSyncInterval()));
    return new DbSpec(db.toAbsolutePath().normalize(), url, Optional.empty(), o, false, false);
  }

  /** A single-path config entry. */
  static DbSpec fromConfig(RunnelConfig cfg, DbConfig db) {
    Path p = db.path().orElseThrow();
    return new DbSpec(p, describe(db.replica()), Optional.of(db.replica()),
        options(cfg, db, db.metaPath()), db.restoreIfDbNotExists(), true);
  }

  /** A database found under a directory-mode entry; {@code rel} is its path relative to {@code dir}. */
  static DbSpec fromDirectory(RunnelConfig cfg, DbConfig db, Path file, String rel) {
    DbSource.Directory d = (DbSource.Directory) db.source();
    ReplicaConfig rc = db.replica().withRelativePath(rel);
    return new DbSpec(file.toAbsolutePath().normalize(), describe(rc), Optional.of(rc),
        options(cfg, db, d.metaPathFor(rel)), db.restoreIfDbNotExists(), true);
  }

  static ReplicationOptions options(RunnelConfig cfg, DbConfig db, Optional<Path> metaPath) {
    ReplicationOptions o = ReplicationOptions.defaults()
        .withMonitorInterval(positive(db.monitorInterval()))
        .withCheckpointInterval(db.checkpointInterval().isNegative() ? java.time.Duration.ZERO
            : db.checkpointInterval())
        .withMinCheckpointPageCount(Math.max(1, db.minCheckpointPageCount()))
        .withTruncatePageN(Math.max(0, db.truncatePageN()))
        .withMaxSyncWalBytes(Math.max(0, db.maxSyncWalBytes()))
        .withBusyTimeout(positive(db.busyTimeout()))
        .withShutdownSync(cfg.shutdownSyncTimeout(), positive(cfg.shutdownSyncInterval()));
    return metaPath.map(o::withMetaPath).orElse(o);
  }

  private static java.time.Duration positive(java.time.Duration d) {
    return d.isNegative() || d.isZero() ? java.time.Duration.ofMillis(1) : d;
  }

  /** The meta directory this database uses. */
  Path metaPath() {
    return options.metaPath().orElseGet(() -> path.resolveSibling("." + path.getFileName() + "-litestream"));
  }

  /** Opens a client for the replica (not initialised). */
  ReplicaClient openReplica() throws CliException {
    if (replica.isPresent()) {
      return open(replica.get());
    }
    try {
      return ReplicaClients.open(replicaUrl);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage(), "check the replica URL, e.g. file:///backups/app or s3://bucket/path");
    }
  }

  /** The local directory of a file replica, for Litestream 0.3 data; empty for other backends. */
  Optional<Path> fileReplicaRoot() {
    if (replica.isPresent()) {
      return replica.get().destination() instanceof FileReplica f ? Optional.of(f.path()) : Optional.empty();
    }
    return fileRoot(replicaUrl);
  }

  static Optional<Path> fileRoot(String urlOrPath) {
    if (urlOrPath.regionMatches(true, 0, "file://", 0, 7)) {
      try {
        return Optional.of(Path.of(java.net.URI.create(urlOrPath)).toAbsolutePath().normalize());
      } catch (RuntimeException e) {
        return Optional.empty();
      }
    }
    if (dev.runnel.config.ReplicaUrl.isUrl(urlOrPath)) {
      return Optional.empty();
    }
    return Optional.of(Path.of(urlOrPath).toAbsolutePath().normalize());
  }

  /** Opens a client for a configured replica; S3 settings become backend options. */
  static ReplicaClient open(ReplicaConfig rc) throws CliException {
    ReplicaDestination d;
    try {
      d = rc.destination().requireSupported();
    } catch (ConfigException e) {
      throw new CliException(String.join("; ", e.problems()), "use a file, s3 or gs replica");
    }
    try {
      return switch (d) {
        case FileReplica f -> FileReplicaClient.create(f.path());
        case S3Replica s -> ReplicaClients.open(s.type() + "://" + s.bucket(), s3Options(s));
        case UnsupportedReplica u -> throw new CliException("replica type '" + u.type() + "' is not supported");
      };
    } catch (IllegalArgumentException e) {
      String hint = d instanceof S3Replica && !ReplicaClients.knownSchemes().contains(d.type())
          ? "this runnel build has no " + d.type() + " backend (known: " + ReplicaClients.knownSchemes() + ")"
          : null;
      throw new CliException(e.getMessage(), hint);
    }
  }

  /** The S3 backend's option names for a configured S3/GCS replica (secrets in clear: never print). */
  static Map<String, String> s3Options(S3Replica s) {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("bucket", s.bucket());
    o.put("path", s.path());
    if (s.flavor() == S3Replica.Flavor.GCS) {
      s.region().ifPresent(r -> o.put("region", r));
    } else {
      s.effectiveRegion().ifPresent(r -> o.put("region", r));
    }
    s.endpoint().ifPresent(e -> o.put("endpoint", e));
    o.put("forcePathStyle", Boolean.toString(s.forcePathStyle()));
    s.credentials().accessKeyId().ifPresent(k -> o.put("accessKeyId", k));
    s.credentials().secretAccessKey().ifPresent(k -> o.put("secretAccessKey", k.reveal()));
    o.put("signPayload", Boolean.toString(s.signPayload()));
    o.put("requireContentMD5", Boolean.toString(s.requireContentMd5()));
    o.put("skipVerify", Boolean.toString(s.skipVerify()));
    s.storageClass().ifPresent(c -> o.put("storageClass", c));
    o.put("partSize", Long.toString(s.partSize()));
    s.concurrency().ifPresent(c -> o.put("concurrency", Integer.toString(c)));
    s.sse().customerAlgorithm().ifPresent(v -> o.put("sseCustomerAlgorithm", v));
    s.sse().customerKey().ifPresent(v -> o.put("sseCustomerKey", v.reveal()));
    s.sse().customerKeyPath().ifPresent(v -> o.put("sseCustomerKeyPath", v.toString()));
    s.sse().kmsKeyId().ifPresent(v -> o.put("sseKmsKeyId", v));
    return o;
  }

  /** A replica as a URL without secrets. */
  static String describe(ReplicaConfig rc) {
    return switch (rc.destination()) {
      case FileReplica f -> "file://" + f.path();
      case S3Replica s -> s.type() + "://" + s.bucket() + (s.path().isEmpty() ? "" : "/" + s.path());
      case UnsupportedReplica u -> u.url().map(DbSpec::stripUserInfo).orElse(u.type() + " replica");
    };
  }

  private static String stripUserInfo(String url) {
    return url.replaceFirst("^(\\w+://)[^/@]*@", "$1");
  }

  // ---------------------------------------------------------------- resolution

  /**
   * The configured database at {@code path}: a {@code path:} entry, or a database under a
   * {@code dir:} entry (its replica gets the relative path appended, as replication does).
   */
  static DbSpec resolve(RunnelConfig cfg, Path path) throws CliException {
    Path want = path.toAbsolutePath().normalize();
    Optional<DbConfig> single = cfg.db(want);
    if (single.isPresent()) {
      return fromConfig(cfg, single.get());
    }
    for (DbConfig db : cfg.dbs()) {
      if (db.source() instanceof DbSource.Directory d && want.startsWith(d.dir()) && !want.equals(d.dir())) {
        Path rel = d.dir().relativize(want);
        if (!d.recursive() && rel.getNameCount() > 1) {
          continue;
        }
        if (!matcher(d.pattern()).matches(want.getFileName())) {
          continue;
        }
        return fromDirectory(cfg, db, want, relString(rel));
      }
    }
    throw new CliException("database not found in config: " + want,
        "check the path against 'runnel databases', or give a replica URL and -o");
  }

  /** Every database a config names, discovering directory-mode entries now. */
  static List<DbSpec> all(RunnelConfig cfg) throws IOException {
    List<DbSpec> out = new ArrayList<>();
    for (DbConfig db : cfg.dbs()) {
      if (db.source() instanceof DbSource.Directory d) {
        for (Path f : scan(d)) {
          out.add(fromDirectory(cfg, db, f, relString(d.dir().relativize(f))));
        }
      } else {
        out.add(fromConfig(cfg, db));
      }
    }
    return out;
  }

  static PathMatcher matcher(String glob) {
    return FileSystems.getDefault().getPathMatcher("glob:" + glob);
  }

  static String relString(Path rel) {
    StringBuilder sb = new StringBuilder();
    for (Path part : rel) {
      if (sb.length() > 0) {
        sb.append('/');
      }
      sb.append(part);
    }
    return sb.toString();
  }

  /** Databases under a directory entry: pattern matches, SQLite header, no -wal/-shm/-journal. */
  static List<Path> scan(DbSource.Directory d) throws IOException {
    if (!Files.isDirectory(d.dir())) {
      return List.of();
    }
    PathMatcher m = matcher(d.pattern());
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = d.recursive() ? Files.walk(d.dir()) : Files.list(d.dir())) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String name = p.getFileName().toString();
        if (name.endsWith("-wal") || name.endsWith("-shm") || name.endsWith("-journal") || name.endsWith(".tmp")) {
          continue;
        }
        if (isInsideMetaDir(d.dir(), p)) {
          continue;
        }
        if (m.matches(p.getFileName()) && Files.isRegularFile(p) && isSqlite(p)) {
          out.add(p.toAbsolutePath().normalize());
        }
      }
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
    out.sort(null);
    return out;
  }

  private static boolean isInsideMetaDir(Path root, Path p) {
    for (Path part : root.relativize(p)) {
      String s = part.toString();
      if (s.startsWith(".") && s.endsWith("-litestream")) {
        return true;
      }
    }
    return false;
  }

  /** True if the file's first 16 bytes are {@code SQLite format 3\0}. */
  static boolean isSqlite(Path p) {
    byte[] head = new byte[16];
    try (InputStream in = Files.newInputStream(p)) {
      return in.readNBytes(head, 0, 16) == 16 && java.util.Arrays.equals(head, SQLITE_MAGIC);
    } catch (IOException e) {
      return false;
    }
  }
}
