package dev.runnel.compact;

import dev.runnel.testing.TestClock;
import dev.runnel.replicate.DbContent;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import dev.runnel.restore.Restorer;
import dev.runnel.verify.ReplicaVerifier;
import dev.runnel.verify.VerifyResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * More than a day of simulated history (mutable clock) through the application's own connections,
 * with level compaction, snapshots and both retention rules running at their boundaries. After
 * every step: the latest state restores exactly and its plan stays within the bound the level
 * layout allows; regularly, restores at retained TxIds and times match what was recorded; file
 * counts per level stay bounded; L0 retention holds; at the end the replica verifies clean.
 */
class CompactionWorkloadTest {
  @TempDir Path tmp;

  static final CompactionConfig CONFIG = CompactionConfig.defaults()
      .withSnapshot(Duration.ofHours(6), Duration.ofHours(12));

  /**
   * Largest plan the layout allows: one snapshot, then per level at most the number of its
   * intervals within the next level's interval (the snapshot's for the top level), then the L0
   * files newer than L1, plus 2 for the boundary fired once at attach.
   */
  static int planBound(CompactionConfig cfg, int l0Pending) {
    int n = cfg.topLevel();
    int bound = 1 + l0Pending + 2;
    for (int level = 1; level <= n; level++) {
      Duration upper = level == n ? cfg.snapshotInterval() : cfg.interval(level + 1);
      bound += (int) Math.ceil((double) upper.toMillis() / cfg.interval(level).toMillis());
    }
    return bound;
  }

  /**
   * Largest latest plan of the cumulative layout: the snapshot, one file per level, and the L0
   * files of the current L1 interval (not yet compacted).
   */
  static int cumulativeBound(CompactionConfig cfg, int l0ThisInterval) {
    return 1 + cfg.topLevel() + l0ThisInterval;
  }

  /**
   * The layout of a mode: "cumulative" = unbounded cumulative level files (one file per level),
   * "bounded" = the default (cumulative, rewrites bounded by cumulativeRewriteRatio), "litestream"
   * = Litestream's layout.
   */
  static CompactionConfig config(String mode) {
    return switch (mode) {
      case "cumulative" -> CONFIG.withCumulativeRewriteRatio(Double.POSITIVE_INFINITY);
      case "bounded" -> CONFIG;
      case "litestream" -> CONFIG.withCumulativeLevels(false);
      default -> throw new IllegalArgumentException(mode);
    };
  }

  /**
   * @param modes a mode of {@link #config}, or "a>b": mode a for the first 12 simulated hours,
   *              then the service is closed and mode b continues on the same database and replica
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"cumulative", "bounded", "litestream", "litestream>cumulative", "cumulative>litestream",
      "bounded>cumulative"})
  void dayOfHistory_compactionSnapshotsAndRetention_restoresMatchAndPlansStayBounded(String modes) throws Exception {
    long seed = Long.getLong("runnel.compact.seed", 20260101L);
    Random rnd = new Random(seed);
    Path dbPath = tmp.resolve("app.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbPath); Statement st = c.createStatement()) {
      st.execute("PRAGMA page_size = 4096");
      st.execute("PRAGMA journal_mode = wal");
      st.execute("CREATE TABLE kv (k INTEGER PRIMARY KEY, v BLOB)");
    }
    TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    ReplicationOptions opts = ReplicationOptions.defaults().withMonitorInterval(Duration.ofMillis(50))
        .withMinCheckpointPageCount(60);
    TreeMap<TxId, String> content = new TreeMap<>();
    TreeMap<Instant, TxId> syncedAt = new TreeMap<>();
    CountingReplicaClient replica = new CountingReplicaClient(FileReplicaClient.create(tmp.resolve("replica")));
    Instant start = clock.instant();
    Instant end = start.plus(Duration.ofHours(30));
    String[] phase = modes.split(">");
    Instant switchAt = phase.length > 1 ? start.plus(Duration.ofHours(12)) : end;
    boolean cumulative = phase[0].equals("cumulative");
    // The cumulative bound holds once every level has compacted in cumulative mode.
    Instant settledAt = cumulative ? start : end;
    int steps = 0;
    int maxPlan = 0;
    int maxL0 = 0;
    long planSum = 0;
    int txRestores = 0;
    int timeRestores = 0;
    long compactionErrors = 0;
    int boundedPlans = 0;
    CompactionService svc = CompactionService.manual(config(phase[0]), clock);
    try (ReplicationRuntime runtime = new ReplicationRuntime(2, 4, clock);
        ReplicatedDatabase db = ReplicatedDatabase.open(dbPath, replica, opts, runtime);
        Connection c = db.connect()) {
      record(db, c, content, syncedAt, clock);
      CompactionService.Attachment attachment = svc.attach(db);
      svc.runDue();
      while (clock.instant().isBefore(end)) {
        steps++;
        if (!clock.instant().isBefore(switchAt)) {
          compactionErrors += svc.stats().errors();
          svc.close();
          cumulative = phase[1].equals("cumulative");
          svc = CompactionService.manual(config(phase[1]), clock);
          attachment = svc.attach(db);
          switchAt = end;
          settledAt = cumulative ? clock.instant().plus(cumulativeSettle(CONFIG)) : end;
        }
        int hour = (int) Duration.between(Instant.parse("2026-01-01T00:00:00Z"), clock.instant()).toHours() % 24;
        boolean night = hour >= 1 && hour < 4; // idle hours: nothing changes, nothing is uploaded
        if (!night) {
          int txns = rnd.nextInt(4);
          for (int i = 0; i < txns; i++) {
            mutate(c, rnd);
            record(db, c, content, syncedAt, clock);
          }
        }
        clock.advance(rnd.nextInt(10) < 7 ? Duration.ofSeconds(5 + rnd.nextInt(115))
            : Duration.ofMinutes(5 + rnd.nextInt(35)));
        db.sync(); // background syncs captured before the jump are uploaded before the monitors run
        svc.runDue();

        // Latest: exact content, and a plan within the layout's bound.
        ReplicaListing listing = ReplicaListing.fetch(replica, false);
        TxId l1Max = listing.level(1).stream().map(LtxFileInfo::maxTxId).max(TxId::compareTo).orElse(TxId.ZERO);
        int l0Pending = (int) listing.level(0).stream().filter(f -> f.maxTxId().isAfter(l1Max)).count();
        RestorePlan plan = RestorePlanner.plan(listing, RestoreTarget.latest());
        Instant l1Boundary = Boundaries.truncate(clock.instant(), CONFIG.interval(1));
        int l0ThisInterval = (int) listing.level(0).stream().filter(f -> !f.createdAt().isBefore(l1Boundary)).count();
        maxL0 = Math.max(maxL0, l0ThisInterval);
        int bound = cumulative && !clock.instant().isBefore(settledAt) ? cumulativeBound(CONFIG, l0ThisInterval)
            : planBound(CONFIG, l0Pending);
        assertTrue(plan.files().size() <= bound, "step " + steps + ": plan of " + plan.files().size()
            + " files exceeds bound " + bound + ": " + plan.files());
        maxPlan = Math.max(maxPlan, plan.files().size());
        if (phase[0].equals("bounded") && clock.instant().isBefore(switchAt)
            && plan.files().size() > cumulativeBound(CONFIG, l0ThisInterval)) {
          boundedPlans++; // some level's period is split in several files: the rewrite bound acted
        }
        planSum += plan.files().size();
        Path out = tmp.resolve("latest-" + steps + ".db");
        Restorer.Result r = Restorer.restore(replica, plan, out, Restorer.Options.defaults());
        assertEquals(content.lastKey(), content.floorKey(r.txId()), "step " + steps + ": latest restore is behind");
        assertEquals(content.floorEntry(r.txId()).getValue(), DbContent.hash(out), "step " + steps + " latest content");
        Files.delete(out);

        try {
          checkBounds(listing, clock.instant(), steps);
        } catch (AssertionError e) {
          throw new AssertionError(e.getMessage() + "; stats " + svc.stats() + " index " + java.util.Arrays.toString(
              attachment.compactor().fileCounts()) + " listing L0 " + listing.level(0) + " L1 " + listing.level(1), e);
        }

        if (steps % 4 == 0) {
          // A retained TxId: the MaxTXID of a file of levels 1..9 (or an L0 file newer than L1).
          List<TxId> candidates = new ArrayList<>(retainedTxIds(listing));
          TxId t = candidates.get(rnd.nextInt(candidates.size()));
          Path o = tmp.resolve("tx-" + steps + ".db");
          Restorer.Result rt = Restorer.restore(replica, RestoreTarget.atTxId(t), o, Restorer.Options.defaults());
          assertEquals(t, rt.txId());
          assertEquals(content.floorEntry(t).getValue(), DbContent.hash(o), "step " + steps + " content at " + t);
          Files.delete(o);
          txRestores++;

          // A retained time: after the oldest snapshot, restores a state synced before it.
          Instant from = listing.level(9).getFirst().createdAt();
          long span = Duration.between(from, clock.instant()).toMillis();
          Instant at = from.plusMillis(1 + (span <= 1 ? 0 : (long) (rnd.nextDouble() * span)));
          Path ot = tmp.resolve("time-" + steps + ".db");
          Restorer.Result rtime = Restorer.restore(replica, RestoreTarget.atTime(at), ot, Restorer.Options.defaults());
          Map.Entry<Instant, TxId> lastBefore = syncedAt.lowerEntry(at);
          assertTrue(rtime.txId().compareTo(lastBefore.getValue()) <= 0 || content.floorKey(rtime.txId())
              .equals(lastBefore.getValue()), "step " + steps + ": time restore went past " + at);
          assertEquals(content.floorEntry(rtime.txId()).getValue(), DbContent.hash(ot), "step " + steps + " time " + at);
          Files.delete(ot);
          timeRestores++;
        }
      }
      if (phase[0].equals("bounded")) {
        assertTrue(boundedPlans > 0, "the rewrite bound never split a period");
      }
      int everyTxId = restoreEveryRetainedTxId(replica, content);
      CompactionService.Stats stats = svc.stats();
      assertEquals(0, stats.errors() + compactionErrors, "compaction errors");
      assertTrue(stats.snapshots() >= (phase.length > 1 ? 2 : 5), "snapshots: " + stats);
      assertTrue(stats.localFilesRead() > 0, "L1 compaction should read local L0 copies: " + stats);
      if (!phase[phase.length - 1].equals("litestream")) {
        // Cumulative files repeat files this process wrote, which it keeps locally.
        assertTrue(stats.remoteFilesRead() * 10 < stats.compactions(), "remote reads: " + stats);
      }
      assertTrue(stats.filesDeleted() > 0, "retention should delete: " + stats);
      System.out.printf("workload %s: %d steps, %d TxIds, plan max %d avg %.1f (L0 per L1 interval max %d), "
          + "%d txid + %d time restores (+ %d at the end), bounded plans %d, %s, files %s, bytes written per level "
          + "%s%n", modes, steps, content.size(), maxPlan, (double) planSum / steps, maxL0, txRestores, timeRestores,
          everyTxId, boundedPlans, stats,
          java.util.Arrays.toString(ReplicaListing.fetch(replica, false).levels().values().stream()
              .mapToInt(List::size).toArray()), java.util.Arrays.toString(replica.snapshot().putBytesByLevel()));
    } finally {
      svc.close();
    }
    VerifyResult v = ReplicaVerifier.verify(replica, ReplicaVerifier.Options.defaults().withTempDir(tmp.resolve("v")));
    assertTrue(v.ok(), "verify: " + v.problems());
    assertEquals(List.of(), v.problems());
  }

  /**
   * Restores every TxId the replica can restore exactly (the MaxTXID of every file of levels
   * 1..9 from the retained floor on, and of the L0 files newer than L1) and compares each with
   * the content recorded at that TxId.
   *
   * @return the number of restores
   */
  private int restoreEveryRetainedTxId(CountingReplicaClient replica, TreeMap<TxId, String> content)
      throws Exception {
    ReplicaListing listing = ReplicaListing.fetch(replica, false);
    java.util.TreeSet<TxId> all = retainedTxIds(listing);
    Path o = tmp.resolve("every.db");
    for (TxId t : all) {
      Restorer.Result r = Restorer.restore(replica, RestorePlanner.plan(listing, RestoreTarget.atTxId(t)), o,
          Restorer.Options.defaults());
      assertEquals(t, r.txId());
      assertEquals(content.floorEntry(t).getValue(), DbContent.hash(o), "content at " + t);
      Files.delete(o);
    }
    return all.size();
  }

  /**
   * Every TxId the replica can restore exactly: the MaxTXID of every file of levels 1..9 from
   * {@link #retainedFloor} on, and of the L0 files newer than L1.
   */
  static java.util.TreeSet<TxId> retainedTxIds(ReplicaListing listing) {
    TxId floor = retainedFloor(listing);
    TxId l1Max = listing.level(1).stream().map(LtxFileInfo::maxTxId).max(TxId::compareTo).orElse(TxId.ZERO);
    java.util.TreeSet<TxId> all = new java.util.TreeSet<>();
    for (int level = 0; level <= 9; level++) {
      for (LtxFileInfo f : listing.level(level)) {
        if (!f.maxTxId().isBefore(floor) && (level > 0 || f.maxTxId().isAfter(l1Max))) {
          all.add(f.maxTxId());
        }
      }
    }
    return all;
  }

  /** Time after a switch to cumulative mode until each level has written its first cumulative file. */
  static Duration cumulativeSettle(CompactionConfig cfg) {
    Duration d = Duration.ZERO;
    for (int level = 1; level <= cfg.topLevel(); level++) {
      d = d.plus(cfg.interval(level));
    }
    return d.plus(cfg.interval(1));
  }

  /** Smallest TxId every restore target at or above is guaranteed to reach exactly. */
  static TxId retainedFloor(ReplicaListing listing) {
    List<LtxFileInfo> l1 = listing.level(1);
    if (!l1.isEmpty() && l1.getFirst().minTxId().equals(TxId.ONE)) {
      return TxId.ONE;
    }
    return listing.level(9).stream().map(LtxFileInfo::maxTxId).min(TxId::compareTo).orElse(TxId.ONE);
  }

  private void checkBounds(ReplicaListing listing, Instant now, int step) {
    CompactionConfig cfg = CONFIG;
    Duration kept = cfg.snapshotRetention().plus(cfg.snapshotInterval().multipliedBy(2));
    assertTrue(listing.level(9).size() <= kept.toMillis() / cfg.snapshotInterval().toMillis() + 1,
        "step " + step + ": " + listing.level(9).size() + " snapshots");
    for (int level = 1; level <= cfg.topLevel(); level++) {
      long max = kept.toMillis() / cfg.interval(level).toMillis() + 3;
      assertTrue(listing.level(level).size() <= max, "step " + step + ": L" + level + " holds "
          + listing.level(level).size() + " files, bound " + max);
    }
    // L0 retention: every L0 file but the newest is either not yet in L1 or recent.
    TxId l1Max = listing.level(1).stream().map(LtxFileInfo::maxTxId).max(TxId::compareTo).orElse(TxId.ZERO);
    List<LtxFileInfo> l0 = listing.level(0);
    Instant recent = now.minus(cfg.l0Retention()).minus(cfg.l0RetentionCheckInterval()).minus(cfg.interval(1));
    for (int i = 0; i < l0.size() - 1; i++) {
      LtxFileInfo f = l0.get(i);
      if (!l0.get(i + 1).createdAt().isBefore(now.minus(cfg.l0RetentionCheckInterval()))) {
        continue; // it may have been the newest at the last L0 retention run, which keeps the newest
      }
      assertTrue(f.maxTxId().isAfter(l1Max) || f.createdAt().isAfter(recent),
          "step " + step + ": L0 file " + f + " created " + f.createdAt() + " should have been deleted at " + now);
    }
  }

  static void record(ReplicatedDatabase db, Connection c, TreeMap<TxId, String> content,
      TreeMap<Instant, TxId> syncedAt, TestClock clock) throws Exception {
    TxId t = db.sync();
    content.put(t, DbContent.hash(c));
    syncedAt.put(clock.instant(), t);
  }

  static void mutate(Connection c, Random rnd) throws Exception {
    int op = rnd.nextInt(100);
    try (Statement st = c.createStatement()) {
      if (op < 60) {
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement("INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)")) {
          int n = 1 + rnd.nextInt(20);
          for (int i = 0; i < n; i++) {
            ps.setInt(1, rnd.nextInt(3000));
            byte[] v = new byte[rnd.nextInt(20) == 0 ? 3000 + rnd.nextInt(9000) : rnd.nextInt(200)];
            rnd.nextBytes(v);
            ps.setBytes(2, v);
            ps.executeUpdate();
          }
        }
        c.commit();
        c.setAutoCommit(true);
      } else if (op < 80) {
        st.execute("UPDATE kv SET v = randomblob(" + rnd.nextInt(300) + ") WHERE k % " + (5 + rnd.nextInt(20)) + " = 0");
      } else if (op < 95) {
        st.execute("DELETE FROM kv WHERE k % " + (3 + rnd.nextInt(7)) + " = 1");
      } else {
        st.execute("VACUUM");
      }
    }
  }
}
