package dev.runnel.compact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import dev.runnel.replica.file.FileReplicaClient;
import dev.runnel.replicate.DbContent;
import dev.runnel.replicate.ReplicatedDatabase;
import dev.runnel.replicate.ReplicationOptions;
import dev.runnel.replicate.ReplicationRuntime;
import dev.runnel.restore.ReplicaListing;
import dev.runnel.restore.RestorePlan;
import dev.runnel.restore.RestorePlanner;
import dev.runnel.restore.RestoreTarget;
import dev.runnel.restore.Restorer;
import dev.runnel.testing.TestClock;
import dev.runnel.verify.ReplicaVerifier;
import dev.runnel.verify.VerifyResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random schedules of writes, syncs, level compactions, snapshots and both retention rules, in
 * random order and with random (often odd) settings, on a real database with a mutable clock.
 * The service's monitor order is one of these schedules; any order must leave a sound replica.
 *
 * <p>After every step: the latest state restores exactly; every TxId the replica promises
 * ({@link CompactionWorkloadTest#retainedTxIds}) restores exactly; a timestamp restore just
 * after each file's creation (from the oldest snapshot on) succeeds and holds a state that was
 * synced before that time; and {@link ReplicaVerifier} finds no problem (in particular no TxId gap
 * inside a level). A failure names the seed, the settings and the schedule so far.
 *
 * <p>More schedules: {@code -Drunnel.retain.seeds=N} (default 12), {@code -Drunnel.retain.steps=N}
 * (default 120), {@code -Drunnel.retain.seed=S} for one seed.
 */
class RetentionScheduleTest {
  @TempDir Path tmp;

  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  static List<Long> seeds() {
    Long one = Long.getLong("runnel.retain.seed");
    if (one != null) {
      return List.of(one);
    }
    List<Long> seeds = new ArrayList<>();
    for (long s = 1; s <= Integer.getInteger("runnel.retain.seeds", 12); s++) {
      seeds.add(s);
    }
    return seeds;
  }

  /** Settings drawn so that levels often lag behind snapshot retention (short snapshot cycles). */
  static CompactionConfig randomConfig(Random rnd) {
    Duration[] levelChoices = {Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1),
        Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofHours(1)};
    int n = 1 + rnd.nextInt(3);
    List<Duration> levels = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      levels.add(levelChoices[rnd.nextInt(levelChoices.length)]);
    }
    levels.sort(Duration::compareTo);
    Duration[] snapChoices = {Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5),
        Duration.ofMinutes(10), Duration.ofHours(1)};
    Duration[] retChoices = {Duration.ZERO, Duration.ofSeconds(30), Duration.ofMinutes(2), Duration.ofMinutes(10),
        Duration.ofHours(1)};
    Duration[] l0Choices = {Duration.ZERO, Duration.ofSeconds(10), Duration.ofMinutes(1), Duration.ofMinutes(5)};
    CompactionConfig cfg = CompactionConfig.defaults().withLevels(levels)
        .withSnapshot(snapChoices[rnd.nextInt(snapChoices.length)], retChoices[rnd.nextInt(retChoices.length)])
        .withL0Retention(l0Choices[rnd.nextInt(l0Choices.length)], Duration.ofSeconds(15))
        .withVerifyCompaction(true);
    return switch (rnd.nextInt(6)) {
      case 0 -> cfg.withCumulativeLevels(false);
      case 1 -> cfg.withCumulativeRewriteRatio(Double.POSITIVE_INFINITY);
      case 2 -> cfg.withCumulativeRewriteRatio(0);
      case 3 -> cfg.withCumulativeRewriteRatio(0.5);
      case 4 -> cfg.withCumulativeRewriteRatio(4);
      default -> cfg;
    };
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomSchedule_compactSnapshotAndRetention_promisedRestoresExactAndReplicaVerifiesClean(long seed)
      throws Exception {
    Random rnd = new Random(seed);
    CompactionConfig cfg = randomConfig(rnd);
    int steps = Integer.getInteger("runnel.retain.steps", 120);
    Path dbPath = tmp.resolve("app.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbPath); Statement st = c.createStatement()) {
      st.execute("PRAGMA page_size = 1024");
      st.execute("PRAGMA journal_mode = wal");
      st.execute("CREATE TABLE kv (k INTEGER PRIMARY KEY, v BLOB)");
    }
    TestClock clock = new TestClock(T0);
    // No checkpoints: their _litestream_seq bump is a TxId of its own right after a commit, which
    // would make "content at TxId t" ambiguous; checkpoints do not touch compaction or retention.
    ReplicationOptions opts = ReplicationOptions.defaults().withMonitorInterval(Duration.ofMillis(50))
        .withCheckpointInterval(Duration.ZERO).withMinCheckpointPageCount(Integer.MAX_VALUE);
    TreeMap<TxId, String> content = new TreeMap<>();
    TreeMap<Instant, TxId> syncedAt = new TreeMap<>();
    ArrayDeque<String> log = new ArrayDeque<>();
    Checker checker = new Checker(tmp.resolve("check"));
    try (ReplicaClient replica = FileReplicaClient.create(tmp.resolve("replica"));
        ReplicationRuntime runtime = new ReplicationRuntime(2, 4, clock);
        ReplicatedDatabase db = ReplicatedDatabase.open(dbPath, replica, opts, runtime);
        CompactionService svc = CompactionService.manual(cfg, clock);
        Connection c = db.connect()) {
      CompactionWorkloadTest.record(db, c, content, syncedAt, clock);
      // The service is only the wiring (local L0 copies, snapshots); the schedule is this test's.
      ReplicaCompactor rc = svc.attach(db).compactor();
      for (int step = 1; step <= steps; step++) {
        Instant now = clock.instant();
        int op = rnd.nextInt(100);
        String what;
        if (op < 35) {
          int txns = 1 + rnd.nextInt(3);
          for (int i = 0; i < txns; i++) {
            Map.Entry<TxId, String> before = content.lastEntry();
            CompactionWorkloadTest.mutate(c, rnd);
            CompactionWorkloadTest.record(db, c, content, syncedAt, clock);
            // A transaction that changed nothing writes no WAL frame and gets no TxId.
            assertTrue(content.lastKey().equals(before.getKey().next())
                || content.lastEntry().equals(before), "one TxId per transaction");
          }
          what = "write " + txns + " -> " + content.lastKey();
        } else if (op < 60) {
          int level = 1 + rnd.nextInt(cfg.topLevel());
          what = "compact L" + level + " " + rc.compact(level, now);
        } else if (op < 72) {
          what = "snapshot " + rc.snapshot(now);
        } else if (op < 86) {
          what = "snapshot retention -" + rc.enforceSnapshotRetention(now);
        } else {
          what = "L0 retention -" + rc.enforceL0Retention(now);
        }
        log.add(step + "@" + Duration.between(T0, now) + " " + what);
        try {
          checker.check(replica, content, syncedAt, clock.instant());
          assertEquals(0, rc.verifyErrors.get(), "verify-compaction found a level gap");
          assertEquals(0, rc.errors.get(), "compaction errors");
        } catch (AssertionError | IOException e) {
          throw new AssertionError("seed " + seed + ", " + cfg + ", step " + step + ": " + e.getMessage()
              + "\nschedule:\n  " + String.join("\n  ", log) + "\nreplica:\n" + describe(replica), e);
        }
        // Mostly short steps, sometimes long ones: levels fall behind snapshot retention.
        clock.advance(rnd.nextInt(10) < 8 ? Duration.ofSeconds(1 + rnd.nextInt(90))
            : Duration.ofMinutes(2 + rnd.nextInt(40)));
      }
      System.out.printf("retention schedule seed %d: %d TxIds, %s, files %s%n", seed, content.size(), checker,
          java.util.Arrays.toString(rc.fileCounts()));
    } finally {
      checker.deleteWorkDir();
    }
  }

  private static String describe(ReplicaClient replica) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int level = 0; level <= LtxFileInfo.MAX_LEVEL; level++) {
      List<LtxFileInfo> files = replica.list(level);
      if (!files.isEmpty()) {
        sb.append("  L").append(level).append(':');
        for (LtxFileInfo f : files) {
          sb.append(' ').append(f.minTxId().value()).append("..").append(f.maxTxId().value()).append('@')
              .append(Duration.between(T0, f.createdAt()));
        }
        sb.append('\n');
      }
    }
    return sb.toString();
  }

  /**
   * The checks after each step. Restoring a plan of files already restored and compared is
   * skipped (files are immutable, so the result is the same); every new plan is restored.
   */
  static final class Checker {
    private final Path work;
    private final Set<String> checkedPlans = new HashSet<>();
    private int restores;
    private int txIdTargets;
    private int timeTargets;
    private int verifies;

    Checker(Path work) {
      this.work = work;
    }

    void check(ReplicaClient replica, TreeMap<TxId, String> content, TreeMap<Instant, TxId> syncedAt, Instant now)
        throws Exception {
      Files.createDirectories(work);
      ReplicaListing listing = ReplicaListing.fetch(replica, false);

      RestorePlan latest = RestorePlanner.plan(listing, RestoreTarget.latest());
      assertEquals(content.lastKey(), latest.maxTxId(), "latest restore plan is behind: " + latest.files());
      restoreAndCompare(replica, latest, content, "latest");

      TreeSet<TxId> promised = CompactionWorkloadTest.retainedTxIds(listing);
      for (TxId t : promised) {
        RestorePlan plan;
        try {
          plan = RestorePlanner.plan(listing, RestoreTarget.atTxId(t));
        } catch (IOException e) {
          throw new AssertionError("promised TxId " + t + " (floor " + CompactionWorkloadTest.retainedFloor(listing)
              + ") cannot be restored: " + e.getMessage(), e);
        }
        assertEquals(t, plan.maxTxId(), "restore to TxId " + t);
        restoreAndCompare(replica, plan, content, "TxId " + t);
        txIdTargets++;
      }

      List<LtxFileInfo> snaps = listing.level(LtxFileInfo.SNAPSHOT_LEVEL);
      Instant from = snaps.isEmpty() ? Instant.MIN : snaps.getFirst().createdAt();
      TreeSet<Instant> times = new TreeSet<>();
      for (List<LtxFileInfo> files : listing.levels().values()) {
        for (LtxFileInfo f : files) {
          if (!f.createdAt().isBefore(from)) {
            times.add(f.createdAt().plusMillis(1));
          }
        }
      }
      times.add(now.plusMillis(1));
      for (Instant at : times) {
        RestorePlan plan;
        try {
          plan = RestorePlanner.plan(listing, RestoreTarget.atTime(at));
        } catch (IOException e) {
          throw new AssertionError("time " + at + " (oldest snapshot " + from + ") cannot be restored: "
              + e.getMessage(), e);
        }
        Map.Entry<Instant, TxId> lastBefore = syncedAt.lowerEntry(at);
        assertTrue(plan.maxTxId().compareTo(lastBefore.getValue()) <= 0,
            "time restore at " + at + " reaches " + plan.maxTxId() + ", synced by then: " + lastBefore.getValue());
        TxId newestSnapshotBefore = snaps.stream().filter(s -> s.createdAt().isBefore(at))
            .map(LtxFileInfo::maxTxId).max(TxId::compareTo).orElse(TxId.ZERO);
        assertTrue(plan.maxTxId().compareTo(newestSnapshotBefore) >= 0, "time restore at " + at + " reaches "
            + plan.maxTxId() + ", older than the snapshot at " + newestSnapshotBefore);
        restoreAndCompare(replica, plan, content, "time " + at);
        timeTargets++;
      }

      VerifyResult v = ReplicaVerifier.verify(replica, ReplicaVerifier.Options.defaults().withRestoreLatest(false)
          .withParallelism(2).withTempDir(work));
      assertEquals(List.of(), v.problems(), "verifier");
      verifies++;
    }

    private void restoreAndCompare(ReplicaClient replica, RestorePlan plan, TreeMap<TxId, String> content,
        String what) throws Exception {
      if (!checkedPlans.add(plan.files().toString())) {
        return;
      }
      Path out = work.resolve("restore.db");
      Restorer.Result r = Restorer.restore(replica, plan, out, Restorer.Options.defaults().withOverwrite(true));
      assertEquals(plan.maxTxId(), r.txId(), what);
      assertEquals(content.floorEntry(r.txId()).getValue(), DbContent.hash(out), what + ": content at " + r.txId());
      Files.delete(out);
      restores++;
    }

    void deleteWorkDir() throws IOException {
      if (Files.exists(work)) {
        try (var s = Files.walk(work)) {
          for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(p);
          }
        }
      }
    }

    @Override
    public String toString() {
      return restores + " restores (" + txIdTargets + " TxId and " + timeTargets + " time targets), " + verifies
          + " verifies";
    }
  }
}
