package dev.runnel.compact;

import dev.runnel.testing.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.CountingReplicaClient;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.file.FileReplicaClient;
import dev.runnel.replicate.ReplicatedDatabase;
import dev.runnel.replicate.ReplicationOptions;
import dev.runnel.replicate.ReplicationRuntime;
import dev.runnel.restore.ReplicaListing;
import dev.runnel.restore.RestorePlan;
import dev.runnel.restore.RestorePlanner;
import dev.runnel.restore.RestoreTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** The shared scheduler: idle cost, minimal restore plans, local L0 reads, background mode. */
class CompactionServiceTest {
  @TempDir Path tmp;
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static Path newDb(Path p) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + p); Statement st = c.createStatement()) {
      st.execute("PRAGMA journal_mode = wal");
      st.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
    }
    return p;
  }

  private static void insert(Connection c, int id) throws Exception {
    try (Statement st = c.createStatement()) {
      st.execute("INSERT INTO t (id, v) VALUES (" + id + ", hex(randomblob(50)))");
    }
  }

  @Test
  void idleDatabases_manySimulatedHours_zeroReplicaRequests() throws Exception {
    int n = 6;
    TestClock clock = new TestClock(T0);
    ReplicationOptions opts = ReplicationOptions.defaults().withMonitorInterval(Duration.ofMillis(20));
    List<CountingReplicaClient> replicas = new ArrayList<>();
    List<ReplicatedDatabase> dbs = new ArrayList<>();
    try (ReplicationRuntime runtime = new ReplicationRuntime(2, 4, clock);
        CompactionService svc = CompactionService.manual(CompactionConfig.defaults(), clock)) {
      for (int i = 0; i < n; i++) {
        CountingReplicaClient r = new CountingReplicaClient(FileReplicaClient.create(tmp.resolve("replica-" + i)));
        ReplicatedDatabase db = ReplicatedDatabase.open(newDb(tmp.resolve("db-" + i + ".db")), r, opts, runtime);
        replicas.add(r);
        dbs.add(db);
        svc.attach(db);
      }
      // Some activity, then let compaction, snapshots and retention settle over two days.
      for (int step = 0; step < 2 * 24 * 6; step++) {
        if (step < 20) {
          for (int i = 0; i < n; i++) {
            try (Connection c = dbs.get(i).connect()) {
              insert(c, step);
            }
            dbs.get(i).sync();
          }
        }
        clock.advance(Duration.ofMinutes(10));
        for (ReplicatedDatabase db : dbs) {
          db.sync();
        }
        svc.runDue();
      }
      replicas.forEach(CountingReplicaClient::reset);
      // Three idle days, every monitor firing at every one of its boundaries.
      for (int s = 0; s < 3 * 24 * 120; s++) {
        clock.advance(Duration.ofSeconds(30));
        svc.runDue();
      }
      Thread.sleep(100); // let the engines' own monitors tick too
      for (int i = 0; i < n; i++) {
        assertEquals(0, replicas.get(i).snapshot().requests(), "database " + i + " requests while idle: " + replicas.get(i));
      }
      assertEquals(0, svc.stats().errors());
      for (ReplicatedDatabase db : dbs) {
        db.close();
      }
    }
  }

  @Test
  void firstPass_freshDatabase_uploadsOneFullCopyPlusTheSnapshotAndRestoresEveryState() throws Exception {
    TestClock clock = new TestClock(T0);
    Path dbPath = newDb(tmp.resolve("f.db"));
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbPath); Statement st = c.createStatement()) {
      st.execute("WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < 2000) "
          + "INSERT INTO t SELECT x, hex(randomblob(200)) FROM s");
    }
    CountingReplicaClient replica = new CountingReplicaClient(FileReplicaClient.create(tmp.resolve("replica")));
    java.util.TreeMap<TxId, String> content = new java.util.TreeMap<>();
    java.util.TreeMap<Instant, TxId> syncedAt = new java.util.TreeMap<>();
    try (ReplicationRuntime runtime = new ReplicationRuntime(2, 4, clock);
        CompactionService svc = CompactionService.manual(CompactionConfig.defaults(), clock);
        ReplicatedDatabase db = ReplicatedDatabase.open(dbPath, replica,
            ReplicationOptions.defaults().withMonitorInterval(Duration.ofMillis(50)), runtime);
        Connection c = db.connect()) {
      content.put(db.sync(), dev.runnel.replicate.DbContent.hash(c));
      syncedAt.put(clock.instant(), db.localTxId());
      svc.attach(db);
      svc.runDue();
      CountingReplicaClient.Counts initial = replica.snapshot();
      long full = initial.putBytesByLevel()[0];
      // The first full-page L0 file and the snapshot; no level repeats them.
      assertEquals(List.of(1L, 0L, 0L, 0L, 1L), List.of(initial.putsByLevel()[0], initial.putsByLevel()[1],
          initial.putsByLevel()[2], initial.putsByLevel()[3], initial.putsByLevel()[9]), "initial PUTs " + initial);
      assertTrue(full > 400_000 && initial.putBytes() < 2.1 * full, "initial bytes " + initial);
      // Restores of TxId 1, by TxId, latest and by time, right after the first pass.
      checkRestores(replica, content, syncedAt, clock.instant());
      // 2 h 10 min of a write every 20 s: every level compacts, starting after the snapshot.
      int id = 5000;
      while (clock.instant().isBefore(T0.plus(Duration.ofMinutes(130)))) {
        insert(c, id++);
        content.put(db.sync(), dev.runnel.replicate.DbContent.hash(c));
        syncedAt.put(clock.instant(), db.localTxId());
        clock.advance(Duration.ofSeconds(20));
        db.sync();
        svc.runDue();
        if (id % 45 == 0) {
          checkRestores(replica, content, syncedAt, clock.instant());
        }
      }
      ReplicaListing listing = ReplicaListing.fetch(replica, false);
      for (int level = 1; level <= 3; level++) {
        assertFalse(listing.level(level).isEmpty(), "L" + level + " compacted");
        assertEquals(TxId.of(2), listing.level(level).getFirst().minTxId(), "L" + level + " starts after the snapshot");
      }
      assertTrue(listing.level(0).stream().noneMatch(f -> f.minTxId().equals(TxId.ONE)), "full L0 file retired");
      checkRestores(replica, content, syncedAt, clock.instant());
      // Level files are kept until snapshot retention (a day): none of them is a full copy.
      for (int level = 1; level <= 3; level++) {
        for (LtxFileInfo f : listing.level(level)) {
          assertTrue(f.size() < full / 4, "L" + level + " file " + f + " of " + f.size() + " bytes, full copy " + full);
        }
      }
      assertEquals(initial.putBytesByLevel()[9], replica.snapshot().putBytesByLevel()[9], "one snapshot");
      assertEquals(0, svc.stats().errors());
    }
    dev.runnel.verify.VerifyResult v = dev.runnel.verify.ReplicaVerifier.verify(replica,
        dev.runnel.verify.ReplicaVerifier.Options.defaults().withTempDir(tmp.resolve("v")));
    assertTrue(v.ok(), "verify: " + v.problems());
  }

  /**
   * Latest, every TxId the replica restores exactly (each file's MaxTXID) and a time just after
   * each recorded sync: each restore's content must equal what was recorded.
   */
  private void checkRestores(CountingReplicaClient replica, java.util.TreeMap<TxId, String> content,
      java.util.TreeMap<Instant, TxId> syncedAt, Instant now) throws Exception {
    ReplicaListing listing = ReplicaListing.fetch(replica, false);
    Path out = tmp.resolve("check.db");
    dev.runnel.restore.Restorer.Result r = dev.runnel.restore.Restorer.restore(replica,
        RestorePlanner.plan(listing, RestoreTarget.latest()), out, dev.runnel.restore.Restorer.Options.defaults());
    assertEquals(content.lastKey(), r.txId());
    assertEquals(content.lastEntry().getValue(), dev.runnel.replicate.DbContent.hash(out), "latest");
    Files.delete(out);
    java.util.TreeSet<TxId> exact = new java.util.TreeSet<>();
    for (int level = 0; level <= 9; level++) {
      listing.level(level).forEach(f -> exact.add(f.maxTxId()));
    }
    for (TxId t : exact) {
      r = dev.runnel.restore.Restorer.restore(replica, RestorePlanner.plan(listing, RestoreTarget.atTxId(t)),
          out, dev.runnel.restore.Restorer.Options.defaults());
      assertEquals(t, r.txId());
      assertEquals(content.floorEntry(t).getValue(), dev.runnel.replicate.DbContent.hash(out), "content at TxId " + t);
      Files.delete(out);
    }
    // By time: just after the snapshot was taken (the first pass), the state of TxId 1 or later.
    Instant at = listing.level(9).getFirst().createdAt().plusMillis(1);
    r = dev.runnel.restore.Restorer.restore(replica, RestorePlanner.plan(ReplicaListing.fetch(
        replica, true), RestoreTarget.atTime(at)), out, dev.runnel.restore.Restorer.Options.defaults());
    assertTrue(r.txId().compareTo(syncedAt.floorEntry(at).getValue()) <= 0, "time restore went past " + at);
    assertEquals(content.floorEntry(r.txId()).getValue(), dev.runnel.replicate.DbContent.hash(out), "time " + at);
    Files.delete(out);
  }

  @ParameterizedTest(name = "cumulative={0}")
  @ValueSource(booleans = {true, false})
  void compactedReplica_latestPlan_isTheShortestChainInLevelOrder(boolean cumulative) throws Exception {
    TestClock clock = new TestClock(T0);
    // Unbounded cumulative files: one per level (the default bounds the rewrites, see ReplicaCompactorTest).
    CompactionConfig cfg = CompactionConfig.defaults().withCumulativeLevels(cumulative)
        .withCumulativeRewriteRatio(Double.POSITIVE_INFINITY);
    Path replicaDir = tmp.resolve("replica");
    try (ReplicationRuntime runtime = new ReplicationRuntime(2, 4, clock);
        CompactionService svc = CompactionService.manual(cfg, clock);
        ReplicatedDatabase db = ReplicatedDatabase.open(newDb(tmp.resolve("p.db")), FileReplicaClient.create(replicaDir),
            ReplicationOptions.defaults().withMonitorInterval(Duration.ofMillis(50)), runtime);
        Connection c = db.connect()) {
      db.sync();
      CompactionService.Attachment a = svc.attach(db);
      svc.runDue();
      int id = 0;
      // 2 h 17 min of a write every 20 s; the monitors run at every boundary.
      while (clock.instant().isBefore(T0.plus(Duration.ofMinutes(137)))) {
        insert(c, id++);
        db.sync();
        clock.advance(Duration.ofSeconds(20));
        db.sync();
        svc.runDue();
        if (id % 40 == 0) {
          ReplicaListing listing = ReplicaListing.fetch(db.replica(), false);
          RestorePlan plan = RestorePlanner.plan(listing, RestoreTarget.latest());
          assertEquals(shortestChain(listing), plan.files().size(), "plan " + plan.files());
          // Snapshot first, then levels never increase: the coarsest files cover the most.
          for (int i = 2; i < plan.files().size(); i++) {
            assertTrue(plan.files().get(i).level() <= plan.files().get(i - 1).level(), "level order " + plan.files());
          }
          assertEquals(9, plan.files().getFirst().level());
          if (cumulative) {
            assertEquals(newestPerLevelChain(listing, cfg), plan.files());
          }
        }
      }
      ReplicaListing listing = ReplicaListing.fetch(db.replica(), false);
      RestorePlan plan = RestorePlanner.plan(listing, RestoreTarget.latest());
      int[] perLevel = new int[10];
      plan.files().forEach(f -> perLevel[f.level()]++);
      assertEquals(1, perLevel[9]);
      if (cumulative) {
        // Snapshot at attach, then the newest file of each level, then L0 since the last L1.
        assertEquals(List.of(1, 1, 1), List.of(perLevel[3], perLevel[2], perLevel[1]), "plan " + plan.files());
        assertTrue(perLevel[0] <= 2, "plan " + plan.files());
      } else {
        // Snapshot at attach, two hourly L3 files, L2 files of this hour, L1 of these 5 min, L0 since.
        assertEquals(2, perLevel[3], "plan " + plan.files());
        assertTrue(perLevel[2] <= 3 && perLevel[1] <= 10 && perLevel[0] <= 2, "plan " + plan.files());
      }
      assertEquals(db.localTxId(), plan.maxTxId());
      assertTrue(svc.stats().localFilesRead() > 0, "L1 inputs read locally: " + svc.stats());
      // Local L0 copies are cleaned up once in L1: only the newest few remain.
      try (var s = Files.list(replicaDirMeta(db))) {
        assertTrue(s.count() <= 3, "local L0 copies left");
      }
      a.close();
    }
  }

  @Test
  void attach_metaPathElsewhere_compactionWorkFilesStayUnderMetaPath() throws Exception {
    TestClock clock = new TestClock(T0);
    Path dbDir = Files.createDirectories(tmp.resolve("data"));
    Path meta = tmp.resolve("state/meta");
    try (ReplicationRuntime runtime = new ReplicationRuntime(2, 4, clock);
        CompactionService svc = CompactionService.manual(CompactionConfig.defaults(), clock);
        ReplicatedDatabase db = ReplicatedDatabase.open(newDb(dbDir.resolve("m.db")),
            FileReplicaClient.create(tmp.resolve("replica")),
            ReplicationOptions.defaults().withMonitorInterval(Duration.ofMillis(50)).withMetaPath(meta), runtime);
        Connection c = db.connect()) {
      db.sync();
      svc.attach(db);
      for (int i = 0; i < 40; i++) {
        insert(c, i);
        db.sync();
        clock.advance(Duration.ofSeconds(20));
        svc.runDue();
      }
      assertEquals(db.metaPath(), meta.toAbsolutePath().normalize(), "meta path reported");
      assertFalse(ReplicaListing.fetch(db.replica(), false).level(1).isEmpty(), "L1 written, so the work dir was used");
      try (var s = Files.list(dbDir)) {
        List<String> beside = s.map(p -> p.getFileName().toString()).sorted().toList();
        assertTrue(beside.stream().allMatch(n -> n.startsWith("m.db")), "only the database files beside it: " + beside);
      }
    }
  }

  private static Path replicaDirMeta(ReplicatedDatabase db) {
    return db.path().resolveSibling("." + db.path().getFileName() + "-litestream").resolve("ltx").resolve("0");
  }

  /**
   * The plan the cumulative layout is built for, computed without the planner: the newest
   * snapshot, then per level n..1 its newest file if it goes further (it must start within reach),
   * then the L0 files past that.
   */
  static List<LtxFileInfo> newestPerLevelChain(ReplicaListing listing, CompactionConfig cfg) {
    List<LtxFileInfo> chain = new ArrayList<>();
    TxId cur = TxId.ZERO;
    if (!listing.level(9).isEmpty()) {
      chain.add(listing.level(9).getLast());
      cur = listing.level(9).getLast().maxTxId();
    }
    for (int level = cfg.topLevel(); level >= 0; level--) {
      List<LtxFileInfo> files = new ArrayList<>(listing.level(level));
      if (level > 0) {
        files.sort(java.util.Comparator.comparing(LtxFileInfo::maxTxId).thenComparing(LtxFileInfo::minTxId));
        files = files.isEmpty() ? List.of() : List.of(files.getLast());
      }
      for (LtxFileInfo f : files) {
        if (f.maxTxId().isAfter(cur)) {
          assertTrue(f.minTxId().compareTo(cur.next()) <= 0, f + " does not continue TxId " + cur + " in " + chain);
          chain.add(f);
          cur = f.maxTxId();
        }
      }
    }
    return chain;
  }

  /** Fewest files forming a chain from TxId 1 to the replica's max (BFS over all files). */
  static int shortestChain(ReplicaListing listing) {
    List<LtxFileInfo> all = new ArrayList<>();
    TxId max = TxId.ZERO;
    for (int level = 0; level <= 9; level++) {
      all.addAll(listing.level(level));
      for (LtxFileInfo f : listing.level(level)) {
        max = TxId.max(max, f.maxTxId());
      }
    }
    Map<TxId, Integer> dist = new HashMap<>();
    ArrayDeque<TxId> q = new ArrayDeque<>();
    dist.put(TxId.ZERO, 0);
    q.add(TxId.ZERO);
    while (!q.isEmpty()) {
      TxId cur = q.poll();
      if (cur.equals(max)) {
        return dist.get(cur);
      }
      for (LtxFileInfo f : all) {
        boolean reachable = f.level() == 9 ? cur.isZero() : f.minTxId().compareTo(cur.next()) <= 0;
        if (reachable && f.maxTxId().isAfter(cur) && !dist.containsKey(f.maxTxId())) {
          dist.put(f.maxTxId(), dist.get(cur) + 1);
          q.add(f.maxTxId());
        }
      }
    }
    throw new AssertionError("no chain to " + max);
  }

  @Test
  void backgroundService_systemClock_compactsWithoutManualCalls() throws Exception {
    CompactionConfig cfg = CompactionConfig.defaults()
        .withLevels(List.of(Duration.ofMillis(200), Duration.ofMillis(600)))
        .withSnapshot(Duration.ofSeconds(2), Duration.ofSeconds(4))
        .withL0Retention(Duration.ofMillis(300), Duration.ofMillis(100));
    try (ReplicationRuntime runtime = ReplicationRuntime.createDefault();
        CompactionService svc = CompactionService.start(cfg, java.time.Clock.systemUTC(), 2, Duration.ofMillis(50));
        ReplicatedDatabase db = ReplicatedDatabase.open(newDb(tmp.resolve("bg.db")),
            FileReplicaClient.create(tmp.resolve("bg-replica")),
            ReplicationOptions.defaults().withMonitorInterval(Duration.ofMillis(20)), runtime);
        Connection c = db.connect()) {
      svc.attach(db);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      int id = 0;
      while (System.nanoTime() < deadline) {
        insert(c, id++);
        db.sync();
        Thread.sleep(20);
        if (!db.replica().list(2).isEmpty() && id > 60) {
          break;
        }
      }
      assertTrue(!db.replica().list(1).isEmpty() && !db.replica().list(2).isEmpty(), "levels 1 and 2 written");
      assertTrue(!db.replica().list(9).isEmpty(), "snapshot at attach");
      RestorePlan plan = RestorePlanner.plan(db.replica(), RestoreTarget.latest());
      assertEquals(db.replicatedTxId().compareTo(plan.maxTxId()) >= 0, true);
    }
  }
}
