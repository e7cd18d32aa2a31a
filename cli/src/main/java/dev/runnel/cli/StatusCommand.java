package dev.runnel.cli;

import dev.runnel.config.RunnelConfig;
import dev.runnel.ltx.LtxFileName;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code runnel status}: offline status from the files alone (no daemon needed): local TxId from the
 * meta directory, WAL size, the replica's newest TxId.
 */
@Command(name = "status", description = {
    "Show the offline status of configured databases.",
    "",
    "State, local TxId (from the meta directory), WAL size and the replica's newest TxId."})
public final class StatusCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;
  @Option(names = {"-json", "--json"}, description = "JSON output.") boolean json;
  @Parameters(arity = "0..1", paramLabel = "DB_PATH") Path dbPath;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    RunnelConfig cfg = config.load(spec.commandLine().getErr());
    List<DbSpec> dbs = dbPath != null ? List.of(DbSpec.resolve(cfg, dbPath)) : DbSpec.all(cfg);
    List<Object> rows = new ArrayList<>();
    if (!json) {
      out.printf("%-40s  %-14s  %-16s  %10s  %-16s  %s%n", "path", "state", "local_txid", "wal_size",
          "replica_txid", "replica");
    }
    for (DbSpec db : dbs) {
      Map<String, Object> o = status(db);
      rows.add(o);
      if (!json) {
        out.printf("%-40s  %-14s  %-16s  %10s  %-16s  %s%n", o.get("path"), o.get("state"),
            nz(o.get("local_txid")), nz(o.get("wal_size")), nz(o.get("replica_txid")), o.get("replica"));
      }
    }
    if (json) {
      out.println(Json.write(rows));
    }
    out.flush();
    return 0;
  }

  private static String nz(Object o) {
    return o == null ? "-" : o.toString();
  }

  static Map<String, Object> status(DbSpec db) {
    Map<String, Object> o = Json.object();
    o.put("path", db.path().toString());
    o.put("replica", db.replicaUrl());
    boolean exists = Files.exists(db.path());
    Optional<TxId> local = localTxId(db.metaPath());
    o.put("local_txid", local.map(TxId::toString).orElse(null));
    Path wal = db.path().resolveSibling(db.path().getFileName() + "-wal");
    long walSize = -1;
    try {
      walSize = Files.size(wal);
    } catch (IOException e) {
      // no WAL
    }
    o.put("wal_size", walSize < 0 ? null : walSize);
    try {
      o.put("db_size", exists ? Files.size(db.path()) : null);
    } catch (IOException e) {
      o.put("db_size", null);
    }
    TxId remote = null;
    String error = null;
    try (ReplicaClient c = db.openReplica()) {
      TxId max = TxId.ZERO;
      for (int l = 0; l <= LtxFileInfo.MAX_LEVEL; l++) {
        for (LtxFileInfo f : c.list(l)) {
          max = TxId.max(max, f.maxTxId());
        }
      }
      remote = max;
    } catch (CliException | IOException | RuntimeException e) {
      error = Main.message(e);
    }
    o.put("replica_txid", remote == null || remote.isZero() ? null : remote.toString());
    String state;
    if (!exists) {
      state = "no database";
    } else if (error != null) {
      state = "replica error";
    } else if (local.isEmpty() && (remote == null || remote.isZero())) {
      state = "not replicated";
    } else if (remote != null && local.isPresent() && remote.compareTo(local.get()) < 0) {
      state = "behind";
    } else {
      state = "ok";
    }
    o.put("state", state);
    if (error != null) {
      o.put("error", error);
    }
    return o;
  }

  /** The newest TxId in the meta directory's local L0 files, or the clean-state record. */
  static Optional<TxId> localTxId(Path meta) {
    TxId max = null;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(meta.resolve("ltx").resolve("0"))) {
      for (Path p : ds) {
        Optional<LtxFileName> n = LtxFileName.parse(p.getFileName().toString());
        if (n.isPresent() && (max == null || n.get().max().isAfter(max))) {
          max = n.get().max();
        }
      }
    } catch (NoSuchFileException e) {
      // never replicated here
    } catch (IOException e) {
      return Optional.empty();
    }
    Path state = meta.resolve("runnel.state");
    if (Files.exists(state)) {
      java.util.Properties p = new java.util.Properties();
      try (var in = Files.newInputStream(state)) {
        p.load(in);
        TxId t = TxId.parse(p.getProperty("txid", ""));
        if (max == null || t.isAfter(max)) {
          max = t;
        }
      } catch (IOException | IllegalArgumentException e) {
        // ignore a damaged record
      }
    }
    return Optional.ofNullable(max);
  }
}
