package dev.runnel.compact;

import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.file.FileReplicaClient;
import dev.runnel.replicate.ReplicatedDatabase;
import dev.runnel.replicate.ReplicationOptions;
import dev.runnel.replicate.ReplicationRuntime;
import dev.runnel.restore.RestorePlan;
import dev.runnel.restore.RestorePlanner;
import dev.runnel.restore.RestoreTarget;
import dev.runnel.restore.Restorer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Restore cost after one simulated day (injected clock) with Litestream's default levels
 * (30 s / 5 min / 1 h, snapshot every 24 h): files read and time for the latest state from the
 * compacted replica, versus the same final database from a single snapshot, versus an L0-only
 * replica (no compaction). Prints a table.
 *
 * <p>Args: [work dir] [seconds between transactions, default 20].
 */
public final class CompactionRestoreMeasure {
  public static void main(String[] args) throws Exception {
    Path work = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("runnel-measure-");
    int every = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    Files.createDirectories(work);
    Path dbPath = work.resolve("m.db");
    Random rnd = new Random(1);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbPath); Statement st = c.createStatement()) {
      st.execute("PRAGMA journal_mode = wal");
      st.execute("CREATE TABLE kv (k INTEGER PRIMARY KEY, v BLOB)");
      st.execute("WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < 20000) "
          + "INSERT INTO kv SELECT x, randomblob(400) FROM s");
    }
    TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:05Z"));
    Path replicaDir = work.resolve("replica");
    Path l0Only = work.resolve("l0-only");
    FileReplicaClient replica = FileReplicaClient.create(replicaDir);
    FileReplicaClient baseline = FileReplicaClient.create(l0Only);
    long t0 = System.nanoTime();
    int txns = 0;
    try (ReplicationRuntime runtime = new ReplicationRuntime(2, 4, clock);
        CompactionService svc = CompactionService.manual(CompactionConfig.defaults(), clock);
        ReplicatedDatabase db = ReplicatedDatabase.open(dbPath, replica,
            ReplicationOptions.defaults().withMonitorInterval(Duration.ofMillis(100)), runtime);
        Connection c = db.connect();
        PreparedStatement up = c.prepareStatement("UPDATE kv SET v = randomblob(?) WHERE k = ?")) {
      db.addReplicaListener(f -> {
        if (f.level() == 0) {
          try {
            Path dst = baseline.filePath(0, f.minTxId(), f.maxTxId());
            Files.createDirectories(dst.getParent());
            Files.copy(replica.filePath(0, f.minTxId(), f.maxTxId()), dst, StandardCopyOption.REPLACE_EXISTING);
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
      });
      db.sync();
      svc.attach(db);
      svc.runDue();
      Instant end = clock.instant().plus(Duration.ofHours(24)).minusSeconds(60);
      while (clock.instant().isBefore(end)) {
        c.setAutoCommit(false);
        for (int i = 0; i < 5; i++) {
          up.setInt(1, 300 + rnd.nextInt(200));
          up.setInt(2, 1 + rnd.nextInt(20000));
          up.executeUpdate();
        }
        c.commit();
        c.setAutoCommit(true);
        db.sync();
        txns++;
        clock.advance(Duration.ofSeconds(every));
        svc.runDue();
      }
      db.sync();
      System.out.printf("simulated 24h: %d transactions in %.1f s; compaction %s%n", txns,
          (System.nanoTime() - t0) / 1e9, svc.stats());
      // The same final state as one snapshot, in a replica of its own.
      LtxFileInfo snap = db.snapshot();
      Path single = work.resolve("single");
      Files.createDirectories(FileReplicaClient.create(single).levelDir(9));
      Files.copy(replica.filePath(9, snap.minTxId(), snap.maxTxId()),
          FileReplicaClient.create(single).filePath(9, snap.minTxId(), snap.maxTxId()));
      replica.delete(List.of(snap)); // measure the replica as compaction left it
    }
    System.out.printf("%-34s %7s %10s %10s%n", "replica", "files", "MiB read", "restore ms");
    measure("compacted (levels + snapshot)", FileReplicaClient.create(replicaDir), work);
    measure("single snapshot of final state", FileReplicaClient.create(single(work)), work);
    measure("L0 only (no compaction)", baseline, work);
    try (Stream<Path> s = Files.walk(work)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static Path single(Path work) {
    return work.resolve("single");
  }

  private static void measure(String what, FileReplicaClient r, Path work) throws Exception {
    long best = Long.MAX_VALUE;
    RestorePlan plan = RestorePlanner.plan(r, RestoreTarget.latest());
    for (int i = 0; i < 3; i++) {
      Path out = work.resolve("out-" + i + ".db");
      long t = System.nanoTime();
      Restorer.restore(r, RestorePlanner.plan(r, RestoreTarget.latest()), out, Restorer.Options.defaults());
      best = Math.min(best, System.nanoTime() - t);
      Files.delete(out);
    }
    System.out.printf("%-34s %7d %10.1f %10.0f%n", what, plan.files().size(), plan.totalSize() / 1048576.0, best / 1e6);
  }
}
