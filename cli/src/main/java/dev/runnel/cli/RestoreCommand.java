package dev.runnel.cli;

import dev.runnel.config.ReplicaUrl;
import dev.runnel.config.RunnelConfig;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import dev.runnel.replicate.ReplicatedDatabase;
import dev.runnel.restore.IntegrityCheck;
import dev.runnel.restore.NoMatchingBackupException;
import dev.runnel.restore.ReplicaListing;
import dev.runnel.restore.RestorePlan;
import dev.runnel.restore.RestorePlanner;
import dev.runnel.restore.RestoreTarget;
import dev.runnel.restore.Restorer;
import dev.runnel.restore.v3.LocalV3Store;
import dev.runnel.restore.v3.V3Listing;
import dev.runnel.restore.v3.V3NoSnapshotsException;
import dev.runnel.restore.v3.V3Object;
import dev.runnel.restore.v3.V3Replica;
import dev.runnel.restore.v3.V3RestoreOptions;
import dev.runnel.restore.v3.V3RestorePlan;
import dev.runnel.restore.v3.V3RestorePlanner;
import dev.runnel.restore.v3.V3RestoreResult;
import dev.runnel.restore.v3.V3RestoreTarget;
import dev.runnel.restore.v3.V3Restorer;
import dev.runnel.restore.v3.V3Segment;
import dev.runnel.restore.v3.V3Store;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code runnel restore}: Litestream 0.5's restore, plus Litestream 0.3 replicas and directory mode. */
@Command(name = "restore", description = {
    "Restore a database from its replica.",
    "",
    "The latest state, a TxId (-txid) or a point in time (-timestamp). DB_PATH names a configured",
    "database (also one found in a dir: entry); REPLICA_URL needs -o. Litestream 0.3 replicas",
    "(generations/) are restored too."})
public final class RestoreCommand implements Callable<Integer> {
  private static final Logger LOG = Logger.getLogger(RestoreCommand.class.getName());

  @Mixin ConfigOptions config;
  @Option(names = {"-o", "--o"}, paramLabel = "PATH", description = "Output path (default: the database path).")
  Path output;
  @Option(names = {"-txid", "--txid"}, paramLabel = "TXID", description = "Restore up to and including this TxId (16 hex digits).")
  String txid;
  @Option(names = {"-timestamp", "--timestamp"}, paramLabel = "RFC3339",
      description = "Restore the state of files created strictly before this time.")
  String timestamp;
  @Option(names = {"-if-db-not-exists", "--if-db-not-exists"}, description = "Do nothing if the output exists.")
  boolean ifDbNotExists;
  @Option(names = {"-if-replica-exists", "--if-replica-exists"},
      description = "Do nothing (exit 0) if the replica has no matching backup.")
  boolean ifReplicaExists;
  @Option(names = {"-integrity-check", "--integrity-check"}, paramLabel = "MODE", defaultValue = "none",
      description = "none, quick or full (default ${DEFAULT-VALUE}); the output is deleted if it fails.")
  String integrityCheck;
  @Option(names = {"-dry-run", "--dry-run"}, description = "Print the plan; write nothing.")
  boolean dryRun;
  @Option(names = {"-json", "--json"}, description = "JSON output (the result, or the plan with -dry-run).")
  boolean json;
  @Option(names = {"-force", "--force"}, description = "Overwrite an existing output and remove its -wal, -shm, -journal.")
  boolean force;
  @Option(names = {"-parallelism", "--parallelism"}, paramLabel = "N", defaultValue = "8",
      description = "Concurrent downloads (default ${DEFAULT-VALUE}).")
  int parallelism;
  @Option(names = {"-f", "--f"}, description = "Follow mode: not supported by runnel yet.", hidden = true)
  boolean follow;
  @Option(names = {"-follow-interval", "--follow-interval"}, hidden = true)
  String followInterval;
  @Parameters(arity = "0..1", paramLabel = "DB_PATH|REPLICA_URL") String target;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (follow) {
      throw new CliException("follow mode (-f) is not supported by runnel yet",
          "poll with 'runnel restore -force' or run 'runnel replicate' on the primary");
    }
    if (target == null || target.isBlank()) {
      throw new CliException("database path or replica URL required", "runnel restore [flags] DB_PATH|REPLICA_URL");
    }
    if (txid != null && timestamp != null) {
      throw new CliException("cannot specify both -txid and -timestamp", "use one of them");
    }
    TxId txId = txid == null ? null : parseTxId(txid);
    Instant ts = timestamp == null ? null : parseTimestamp(timestamp);
    IntegrityCheck check;
    try {
      check = IntegrityCheck.parse(integrityCheck);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage(), "-integrity-check none|quick|full");
    }
    if (parallelism < 1) {
      throw new CliException("-parallelism must be at least 1, got " + parallelism);
    }

    DbSpec db;
    if (ReplicaUrl.isUrl(target)) {
      if (config.explicit()) {
        throw new CliException("cannot specify a replica URL and the -config flag",
            "runnel restore -o PATH REPLICA_URL, or runnel restore -config FILE DB_PATH");
      }
      if (output == null) {
        throw new CliException("output path required", "runnel restore -o PATH " + target);
      }
      db = DbSpec.fromUrl(output, target, RunnelConfig.defaults());
    } else {
      RunnelConfig cfg = config.load(err);
      db = DbSpec.resolve(cfg, Path.of(target));
    }
    Path outPath = (output != null ? output : db.path()).toAbsolutePath().normalize();

    Request req = new Request(db, outPath, txId, ts, check, ifDbNotExists, ifReplicaExists, dryRun, force,
        parallelism);
    Outcome o = run(req);
    switch (o) {
      case Outcome.Skipped s -> {
        if (json) {
          Map<String, Object> j = Json.object();
          j.put("db_path", outPath.toString());
          j.put("replica", db.replicaUrl());
          j.put("skipped", true);
          j.put("reason", s.reason());
          out.println(Json.write(j));
        } else {
          err.println(s.reason());
        }
      }
      case Outcome.Planned p -> out.println(json ? Json.write(p.json()) : p.text());
      case Outcome.Restored r -> {
        if (json) {
          out.println(Json.write(r.json()));
        } else {
          out.println(r.text());
        }
      }
    }
    out.flush();
    err.flush();
    return 0;
  }

  static TxId parseTxId(String s) throws CliException {
    if (!s.matches("[0-9a-fA-F]{16}")) {
      throw new CliException("invalid -txid \"" + s + "\": expected exactly 16 hex digits",
          "-txid 000000000000002a (see 'runnel ltx -level all DB_PATH' for the TxIds a replica holds)");
    }
    TxId t = TxId.parse(s.toLowerCase(java.util.Locale.ROOT));
    if (t.isZero()) {
      throw new CliException("invalid -txid: must be greater than 0");
    }
    return t;
  }

  static Instant parseTimestamp(String s) throws CliException {
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      throw new CliException("invalid -timestamp, must specify in RFC 3339 format: \"" + s + "\"",
          "-timestamp 2026-01-02T15:04:05Z");
    }
  }

  // ------------------------------------------------------------------ the restore itself

  /** Everything a restore needs, independent of picocli. */
  record Request(DbSpec db, Path output, TxId txId, Instant timestamp, IntegrityCheck check, boolean ifDbNotExists,
      boolean ifReplicaExists, boolean dryRun, boolean force, int parallelism) {}

  sealed interface Outcome {
    record Skipped(String reason) implements Outcome {}

    record Planned(String text, Map<String, Object> json) implements Outcome {}

    record Restored(Path output, String replica, String source, TxId txId, long millis, IntegrityCheck check,
        int files, long bytes) implements Outcome {
      Map<String, Object> json() {
        Map<String, Object> j = Json.object();
        j.put("db_path", output.toString());
        j.put("replica", replica);
        j.put("txid", txId == null ? null : txId.toString());
        j.put("duration_ms", millis);
        j.put("integrity_check", check.name().toLowerCase(java.util.Locale.ROOT));
        j.put("source", source);
        return j;
      }

      String text() {
        return "restored " + output + " from " + replica + (txId == null ? " (Litestream 0.3 data)" : " at TxId "
            + txId) + ": " + files + " file(s), " + bytes + " bytes in " + millis + " ms"
            + (check == IntegrityCheck.NONE ? "" : ", " + check.name().toLowerCase(java.util.Locale.ROOT)
            + " integrity check ok");
      }
    }
  }

  /** Plans and (unless a dry run) restores. No-match is a {@link CliException} unless ifReplicaExists. */
  static Outcome run(Request r) throws CliException, IOException {
    Path out = r.output();
    if (r.ifDbNotExists() && Files.exists(out)) {
      return new Outcome.Skipped("database already exists, skipping: " + out);
    }
    boolean overwrite = r.force();
    if (!r.dryRun() && !r.force()) {
      if (Files.exists(out)) {
        if (Files.isDirectory(out) || Files.size(out) > 0) {
          throw new CliException("cannot restore, output path already exists and is not empty: " + out
              + ". Use -force to overwrite", "runnel restore -force ... (or -if-db-not-exists to keep it)");
        }
        overwrite = true; // an empty file is replaced, as Litestream does
      }
      for (String suffix : new String[] {"-wal", "-shm", "-journal"}) {
        Path side = out.resolveSibling(out.getFileName() + suffix);
        if (Files.exists(side)) {
          throw new CliException("cannot restore, sidecar file already exists: " + side + ". Use -force to overwrite",
              "remove it, or restore with -force");
        }
      }
    }
    if (r.force() && Files.isDirectory(out)) {
      throw new CliException("cannot restore, output path is a directory: " + out);
    }

    try (ReplicaClient raw = r.db().openReplica()) {
      MeteredReplicaClient client = new MeteredReplicaClient(raw);
      RestoreTarget target = r.txId() != null ? RestoreTarget.atTxId(r.txId())
          : r.timestamp() != null ? RestoreTarget.atTime(r.timestamp()) : RestoreTarget.latest();
      ReplicaListing listing = ReplicaListing.fetch(client, r.timestamp() != null);
      Optional<V3Listing> v3 = Optional.empty();
      Optional<Path> root = r.db().fileReplicaRoot();
      if (r.txId() == null && root.isPresent()) {
        V3Listing l = new V3Replica(new LocalV3Store(root.get())).listing();
        if (!l.isEmpty()) {
          v3 = Optional.of(l);
        }
      }
      if (v3.isPresent() && useV3(v3.get(), listing, r.timestamp())) {
        return restoreV3(r, root.get(), v3.get(), overwrite);
      }

      RestorePlan plan;
      try {
        plan = RestorePlanner.plan(listing, target);
      } catch (NoMatchingBackupException e) {
        if (r.ifReplicaExists()) {
          return new Outcome.Skipped("no matching backups found (" + e.getMessage() + ")");
        }
        throw new CliException(NoMatchingBackupException.MESSAGE + ": replica " + client.describe() + ", target "
            + target + (e.reached().isZero() ? "" : " (files reach only TxId " + e.reached() + ")"),
            "list the replica with 'runnel ltx -level all " + describeArg(r) + "'", e);
      }
      if (r.dryRun()) {
        return planned(r, client.describe(), target, plan);
      }
      Restorer.Result res;
      try (Progress bar = Progress.start("restoring " + out.getFileName(), plan.totalSize(), true)) {
        client.onRead(bar::add);
        res = Restorer.restore(client, plan, out, Restorer.Options.defaults().withParallelism(r.parallelism())
            .withIntegrityCheck(r.check()).withOverwrite(overwrite));
      }
      if (r.db().fromConfig() && out.equals(r.db().path())) {
        ReplicatedDatabase.adoptRestored(out, r.db().metaPath(), res.txId());
      }
      LOG.info(() -> "restored " + out + " from " + client.describe() + " at TxId " + res.txId());
      return new Outcome.Restored(out, client.describe(), "ltx", res.txId(), res.elapsed().toMillis(), r.check(),
          res.files().size(), res.bytesDownloaded());
    }
  }

  private static String describeArg(Request r) {
    return r.db().fromConfig() ? r.db().path().toString() : r.db().replicaUrl();
  }

  /** Spec replica-layout §10.2: whether the 0.3 data is the one to restore. */
  static boolean useV3(V3Listing v3, ReplicaListing ltx, Instant timestamp) {
    List<LtxFileInfo> all = new ArrayList<>();
    for (int level = 0; level <= LtxFileInfo.MAX_LEVEL; level++) {
      all.addAll(ltx.level(level));
    }
    if (all.isEmpty()) {
      return true;
    }
    if (timestamp == null) {
      Instant ltxNewest = all.stream().map(LtxFileInfo::createdAt).max(Instant::compareTo).orElseThrow();
      return v3.latestTimestamp().map(t -> t.isAfter(ltxNewest)).orElse(false);
    }
    Optional<Instant> v3Best = v3.bestSnapshotTimeAtOrBefore(timestamp);
    if (v3Best.isEmpty()) {
      return false;
    }
    Optional<Instant> ltxBest = ltx.level(LtxFileInfo.SNAPSHOT_LEVEL).stream().map(LtxFileInfo::createdAt)
        .filter(t -> t.isBefore(timestamp)).max(Instant::compareTo);
    return ltxBest.isEmpty() || v3Best.get().isAfter(ltxBest.get());
  }

  private static Outcome planned(Request r, String replica, RestoreTarget target, RestorePlan plan) {
    Map<String, Object> j = Json.object();
    j.put("db_path", r.output().toString());
    j.put("replica", replica);
    j.put("target", target.toString());
    j.put("source", "ltx");
    j.put("txid", plan.maxTxId().toString());
    j.put("size", plan.totalSize());
    List<Object> files = new ArrayList<>();
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("Restore plan: %s -> %s (%s): %d file(s), %d bytes, TxId %s%n", replica, r.output(),
        target, plan.files().size(), plan.totalSize(), plan.maxTxId()));
    sb.append(String.format("%-5s  %-37s  %-16s  %-16s  %10s  %s%n", "level", "name", "min_txid", "max_txid", "size",
        "timestamp"));
    for (LtxFileInfo f : plan.files()) {
      Map<String, Object> fj = Json.object();
      fj.put("level", f.level());
      fj.put("name", f.name().toString());
      fj.put("min_txid", f.minTxId().toString());
      fj.put("max_txid", f.maxTxId().toString());
      fj.put("size", f.size());
      fj.put("timestamp", f.createdAt().toString());
      files.add(fj);
      sb.append(String.format("%-5d  %-37s  %-16s  %-16s  %10d  %s%n", f.level(), f.name(), f.minTxId(), f.maxTxId(),
          f.size(), f.createdAt()));
    }
    j.put("files", files);
    return new Outcome.Planned(sb.toString().stripTrailing(), j);
  }

  private static Outcome restoreV3(Request r, Path root, V3Listing listing, boolean overwrite)
      throws CliException, IOException {
    V3RestoreTarget target = r.timestamp() != null ? V3RestoreTarget.at(r.timestamp()) : V3RestoreTarget.latest();
    V3RestorePlan plan;
    try {
      plan = V3RestorePlanner.plan(listing, target);
    } catch (V3NoSnapshotsException e) {
      if (r.ifReplicaExists()) {
        return new Outcome.Skipped("no matching backups found (" + e.getMessage() + ")");
      }
      throw new CliException(NoMatchingBackupException.MESSAGE + ": Litestream 0.3 replica " + root + ": "
          + e.getMessage(), null, e);
    }
    LocalV3Store base = new LocalV3Store(root);
    String replica = base.describe();
    long total = plan.snapshot().size() + plan.segments().stream().mapToLong(V3Segment::size).sum();
    if (r.dryRun()) {
      Map<String, Object> j = Json.object();
      j.put("db_path", r.output().toString());
      j.put("replica", replica);
      j.put("target", r.timestamp() == null ? "latest" : "timestamp " + r.timestamp());
      j.put("source", "litestream-0.3");
      j.put("generation", plan.generation());
      j.put("size", total);
      List<Object> files = new ArrayList<>();
      StringBuilder sb = new StringBuilder();
      sb.append(String.format("Restore plan: %s -> %s (Litestream 0.3 data, generation %s): %d file(s), %d bytes%n",
          replica, r.output(), plan.generation(), 1 + plan.segments().size(), total));
      sb.append(String.format("%-8s  %-56s  %10s  %s%n", "type", "key", "size", "timestamp"));
      Map<String, Object> sj = Json.object();
      sj.put("type", "snapshot");
      sj.put("key", plan.snapshot().key());
      sj.put("index", plan.snapshot().index());
      sj.put("size", plan.snapshot().size());
      sj.put("timestamp", plan.snapshot().createdAt().toString());
      files.add(sj);
      sb.append(String.format("%-8s  %-56s  %10d  %s%n", "snapshot", plan.snapshot().key(), plan.snapshot().size(),
          plan.snapshot().createdAt()));
      for (V3Segment s : plan.segments()) {
        Map<String, Object> fj = Json.object();
        fj.put("type", "wal");
        fj.put("key", s.key());
        fj.put("index", s.index());
        fj.put("offset", s.offset());
        fj.put("size", s.size());
        fj.put("timestamp", s.createdAt().toString());
        files.add(fj);
        sb.append(String.format("%-8s  %-56s  %10d  %s%n", "wal", s.key(), s.size(), s.createdAt()));
      }
      j.put("files", files);
      return new Outcome.Planned(sb.toString().stripTrailing(), j);
    }
    long t0 = System.nanoTime();
    IntegrityCheck check = r.check();
    V3RestoreResult res;
    try (Progress bar = Progress.start("restoring " + r.output().getFileName(), total, true)) {
      V3Store counted = new V3Store() {
        @Override
        public List<V3Object> list(String prefix) throws IOException {
          return base.list(prefix);
        }

        @Override
        public InputStream open(String key) throws IOException {
          return bar.wrap(base.open(key));
        }

        @Override
        public String describe() {
          return base.describe();
        }
      };
      res = new V3Restorer(counted).restore(plan, new V3RestoreOptions(r.output(), check, overwrite));
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    LOG.info(() -> "restored " + r.output() + " from Litestream 0.3 data in " + replica + ", generation "
        + plan.generation());
    return new Outcome.Restored(res.output(), replica, "litestream-0.3", null, ms, r.check(),
        1 + plan.segments().size(), total);
  }
}
