package dev.runnel.compact;

import dev.runnel.testing.TestClock;
import dev.runnel.replica.CountingReplicaClient;
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
 * (30 s / 5 min / 1 h, snapshot every 24 h), once with cumulative level files (Runnel's default)
 * and once with Litestream's exact layout: files read, MiB read and time for the latest state,
 * and bytes uploaded during the day per level; versus the same final database from a single
 * snapshot and an L0-only replica (no compaction). Prints a table.
 *
 * <p>Args: [work dir] [seconds between transactions, default 20].
 */
public final class CompactionRestoreMeasure {
  private static final double MIB = 1048576.0;

  public static void main(String[] args) throws Exception {
    Path work = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("runnel-measure-");
    int every = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    Files.createDirectories(work);
    long[] cumulative = day(work.resolve("cumulative"), every, true, true);
    long[] litestream = day(work.resolve("litestream"), every, false, false);

    System.out.printf("%n%-38s %7s %9s %11s | %-40s%n", "replica", "files", "MiB read", "restore ms",
        "MiB uploaded in the day: L0 / L1 / L2 / L3 / L9 = total");
    measure("cumulative levels (Runnel default)", FileReplicaClient.create(work.resolve("cumulative/replica")),
        work, cumulative);
    measure("Litestream layout (cumulative off)", FileReplicaClient.create(work.resolve("litestream/replica")),
        work, litestream);
    measure("single snapshot of final state", FileReplicaClient.create(work.resolve("cumulative/single")), work,
        null);
    measure("L0 only (no compaction)", FileReplicaClient.create(work.resolve("cumulative/l0-only")), work, null);
    long extra = total(cumulative) - total(litestream);
    System.out.printf("cumulative uploads %.1f MiB more in the day (%+.0f%% of all uploads, %+.0f%% of L1..L3)%n",
        extra / MIB, 100.0 * extra / total(litestream),
        100.0 * (levels(cumulative) - levels(litestream)) / levels(litestream));
    try (Stream<Path> s = Files.walk(work)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * One simulated day into {@code dir/replica} (and, if {@code baselines}, an L0-only copy in
   * {@code dir/l0-only} and a single snapshot of the final state in {@code dir/single}).
   *
   * @return bytes uploaded per level 0..9 during the day
   */
  private static long[] day(Path dir, int every, boolean cumulative, boolean baselines) throws Exception {
    Files.createDirectories(dir);
    Path dbPath = dir.resolve("m.db");
    Random rnd = new Random(1);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbPath); Statement st = c.createStatement()) {
      st.execute("PRAGMA journal_mode = wal");
      st.execute("CREATE TABLE kv (k INTEGER PRIMARY KEY, v BLOB)");
      st.execute("WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < 20000) "
          + "INSERT INTO kv SELECT x, randomblob(400) FROM s");
    }
    TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:05Z"));
    FileReplicaClient replica = FileReplicaClient.create(dir.resolve("replica"));
    CountingReplicaClient counting = new CountingReplicaClient(replica);
    FileReplicaClient baseline = FileReplicaClient.create(dir.resolve("l0-only"));
    long t0 = System.nanoTime();
    int txns = 0;
    CompactionConfig cfg = CompactionConfig.defaults().withCumulativeLevels(cumulative);
    try (ReplicationRuntime runtime = new ReplicationRuntime(2, 4, clock);
        CompactionService svc = CompactionService.manual(cfg, clock);
        ReplicatedDatabase db = ReplicatedDatabase.open(dbPath, counting,
            ReplicationOptions.defaults().withMonitorInterval(Duration.ofMillis(100)), runtime);
        Connection c = db.connect();
        PreparedStatement up = c.prepareStatement("UPDATE kv SET v = randomblob(?) WHERE k = ?")) {
      if (baselines) {
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
      }
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
      System.out.printf("%s: simulated 24h, %d transactions in %.1f s; compaction %s%n",
          cumulative ? "cumulative" : "litestream", txns, (System.nanoTime() - t0) / 1e9, svc.stats());
      long[] bytes = new long[10];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = counting.snapshot().putBytesByLevel()[i];
      }
      if (baselines) {
        // The same final state as one snapshot, in a replica of its own.
        LtxFileInfo snap = db.snapshot();
        Path single = dir.resolve("single");
        Files.createDirectories(FileReplicaClient.create(single).levelDir(9));
        Files.copy(replica.filePath(9, snap.minTxId(), snap.maxTxId()),
            FileReplicaClient.create(single).filePath(9, snap.minTxId(), snap.maxTxId()));
        replica.delete(List.of(snap)); // measure the replica as compaction left it
      }
      return bytes;
    }
  }

  private static long total(long[] bytes) {
    long t = 0;
    for (long b : bytes) {
      t += b;
    }
    return t;
  }

  private static long levels(long[] bytes) {
    return bytes[1] + bytes[2] + bytes[3];
  }

  private static void measure(String what, FileReplicaClient r, Path work, long[] uploaded) throws Exception {
    long best = Long.MAX_VALUE;
    RestorePlan plan = RestorePlanner.plan(r, RestoreTarget.latest());
    for (int i = 0; i < 3; i++) {
      Path out = work.resolve("out-" + i + ".db");
      long t = System.nanoTime();
      Restorer.restore(r, RestorePlanner.plan(r, RestoreTarget.latest()), out, Restorer.Options.defaults());
      best = Math.min(best, System.nanoTime() - t);
      Files.delete(out);
    }
    String up = uploaded == null ? "" : String.format("%.1f / %.1f / %.1f / %.1f / %.1f = %.1f", uploaded[0] / MIB,
        uploaded[1] / MIB, uploaded[2] / MIB, uploaded[3] / MIB, uploaded[9] / MIB, total(uploaded) / MIB);
    System.out.printf("%-38s %7d %9.1f %11.0f | %s%n", what, plan.files().size(), plan.totalSize() / MIB, best / 1e6,
        up);
  }
}
