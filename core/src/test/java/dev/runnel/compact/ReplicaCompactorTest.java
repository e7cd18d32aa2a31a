package dev.runnel.compact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.runnel.ltx.LtxDecoder;
import dev.runnel.ltx.LtxHeader;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import dev.runnel.replica.file.FileReplicaClient;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import dev.runnel.restore.RestorePlan;
import dev.runnel.restore.RestorePlanner;
import dev.runnel.restore.RestoreTarget;
import dev.runnel.verify.ReplicaVerifier;
import dev.runnel.verify.VerifyProblem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** The compaction, "too early"/"nothing to do" and retention rules, on hand-made replicas. */
class ReplicaCompactorTest {
  @TempDir Path tmp;
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private ReplicaCompactor compactor(ReplicaClient r, CompactionConfig cfg) {
    return new ReplicaCompactor("test", r, LocalL0Store.NONE, null, cfg, tmp.resolve("work"));
  }

  private static List<String> names(ReplicaClient r, int level) throws Exception {
    return r.list(level).stream().map(f -> f.name().toString()).toList();
  }

  private static String n(long min, long max) {
    return dev.runnel.ltx.LtxFileName.of(TxId.of(min), TxId.of(max)).toString();
  }

  @Test
  void boundaries_truncate_matchGoZeroTimeMultiples() {
    assertEquals(Instant.parse("2026-01-01T00:00:30Z"), Boundaries.truncate(Instant.parse("2026-01-01T00:00:59.999Z"), Duration.ofSeconds(30)));
    assertEquals(Instant.parse("2026-01-01T01:00:00Z"), Boundaries.next(Instant.parse("2026-01-01T00:59:00Z"), Duration.ofHours(1)));
    // 7 s does not divide a day: Go counts from 0001-01-01, which puts this boundary at +3 s.
    assertEquals(Instant.parse("2026-01-01T00:00:03Z"), Boundaries.truncate(Instant.parse("2026-01-01T00:00:07Z"), Duration.ofSeconds(7)));
    assertEquals(Instant.parse("2026-01-01T00:00:10Z"), Boundaries.next(Instant.parse("2026-01-01T00:00:03Z"), Duration.ofSeconds(7)));
  }

  @Test
  void config_invalidValues_rejectedWithKeyName() {
    List<Duration> nine = Collections.nCopies(9, Duration.ofSeconds(1));
    assertThrows(IllegalArgumentException.class, () -> CompactionConfig.defaults().withLevels(nine));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CompactionConfig.defaults().withLevels(List.of(Duration.ofSeconds(1), Duration.ZERO)));
    assertEquals("levels[1] (L2) interval must be > 0 (at least 1ms), got PT0S", e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> CompactionConfig.defaults().withL0Retention(Duration.ofSeconds(-1), Duration.ofSeconds(15)));
    assertThrows(IllegalArgumentException.class,
        () -> CompactionConfig.defaults().withSnapshot(Duration.ZERO, Duration.ofHours(1)));
    assertEquals(3, CompactionConfig.defaults().topLevel());
    assertEquals(Duration.ofHours(24), CompactionConfig.defaults().interval(9));
  }

  @Test
  void compact_l0Files_mergedIntoOneFileWithLastTimestampAndNoChecksumFlag() throws Exception {
    try (ReplicaClient r = FileReplicaClient.create(tmp.resolve("r"))) {
      for (int i = 1; i <= 5; i++) {
        SyntheticReplica.put(r, 0, i, i, T0.plusSeconds(i));
      }
      ReplicaCompactor c = compactor(r, CompactionConfig.litestream());
      assertEquals(ReplicaCompactor.Outcome.WROTE, c.compact(1, T0.plusSeconds(30)));
      assertEquals(List.of(n(1, 5)), names(r, 1));
      LtxFileInfo f = r.list(1).getFirst();
      assertEquals(T0.plusSeconds(5), f.createdAt());
      try (InputStream in = r.open(f)) {
        LtxHeader h = LtxDecoder.verify(in, "out").header();
        assertEquals(LtxHeader.FLAG_NO_CHECKSUM, h.flags());
        assertEquals(T0.plusSeconds(5).toEpochMilli(), h.timestamp());
        assertEquals(0, h.walOffset());
      }
      // Nothing new in L0: nothing to do, no file written.
      assertEquals(ReplicaCompactor.Outcome.NOTHING_TO_DO, c.compact(1, T0.plusSeconds(60)));
      SyntheticReplica.put(r, 0, 6, 6, T0.plusSeconds(61));
      SyntheticReplica.put(r, 0, 7, 8, T0.plusSeconds(62));
      c.invalidate(); // written behind the compactor's back: it must list again
      assertEquals(ReplicaCompactor.Outcome.WROTE, c.compact(1, T0.plusSeconds(90)));
      assertEquals(List.of(n(1, 5), n(6, 8)), names(r, 1));
      // L2 takes both L1 files.
      assertEquals(ReplicaCompactor.Outcome.WROTE, c.compact(2, T0.plusSeconds(300)));
      assertEquals(List.of(n(1, 8)), names(r, 2));
    }
  }

  @Test
  void compact_cumulative_newFileRepeatsTheLevelSinceThePeriodBase() throws Exception {
    try (ReplicaClient r = FileReplicaClient.create(tmp.resolve("r"))) {
      for (int i = 1; i <= 5; i++) {
        SyntheticReplica.put(r, 0, i, i, T0.plusSeconds(i));
      }
      SyntheticReplica.put(r, 9, 1, 2, T0.plusSeconds(3)); // snapshot: base of the top level
      ReplicaCompactor c = compactor(r, CompactionConfig.defaults()
          .withLevels(List.of(Duration.ofSeconds(30), Duration.ofMinutes(5))));
      // L1 is empty and the snapshot holds TxIds 1..2: L1 starts after it.
      assertEquals(ReplicaCompactor.Outcome.WROTE, c.compact(1, T0.plusSeconds(30)));
      assertEquals(List.of(n(3, 5)), names(r, 1));
      SyntheticReplica.put(r, 0, 6, 6, T0.plusSeconds(61));
      SyntheticReplica.put(r, 0, 7, 8, T0.plusSeconds(62));
      c.invalidate();
      // No L2 yet, base = the snapshot (2): L1's newest file [3..5] reaches it, so it is repeated.
      assertEquals(ReplicaCompactor.Outcome.WROTE, c.compact(1, T0.plusSeconds(90)));
      assertEquals(List.of(n(3, 5), n(3, 8)), names(r, 1));
      // L2 (top level, base = snapshot 2) reads only the newest L1 file, which covers the others.
      long remoteBefore = c.remoteFilesRead.get() + c.localFilesRead.get();
      assertEquals(ReplicaCompactor.Outcome.WROTE, c.compact(2, T0.plusSeconds(300)));
      assertEquals(1, c.remoteFilesRead.get() + c.localFilesRead.get() - remoteBefore);
      assertEquals(List.of(n(3, 8)), names(r, 2));
      // A new L1 period starts after L2's MaxTXID; the next L2 file extends [3..8].
      SyntheticReplica.put(r, 0, 9, 9, T0.plusSeconds(301));
      c.invalidate();
      assertEquals(ReplicaCompactor.Outcome.WROTE, c.compact(1, T0.plusSeconds(330)));
      SyntheticReplica.put(r, 0, 10, 10, T0.plusSeconds(331));
      c.invalidate();
      assertEquals(ReplicaCompactor.Outcome.WROTE, c.compact(1, T0.plusSeconds(360)));
      assertEquals(List.of(n(3, 5), n(3, 8), n(9, 9), n(9, 10)), names(r, 1));
      assertEquals(ReplicaCompactor.Outcome.WROTE, c.compact(2, T0.plusSeconds(600)));
      assertEquals(List.of(n(3, 8), n(3, 10)), names(r, 2));
      // A newer snapshot past L2's end starts a new top-level period.
      SyntheticReplica.put(r, 9, 1, 10, T0.plusSeconds(601));
      SyntheticReplica.put(r, 0, 11, 11, T0.plusSeconds(602));
      c.invalidate();
      assertEquals(ReplicaCompactor.Outcome.WROTE, c.compact(1, T0.plusSeconds(630)));
      assertEquals(ReplicaCompactor.Outcome.WROTE, c.compact(2, T0.plusSeconds(900)));
      assertEquals(List.of(n(3, 8), n(3, 10), n(11, 11)), names(r, 2));
      // Every file holds what its name says, merged latest-wins: page 1 is from the last TxId.
      for (LtxFileInfo f : r.list(2)) {
        try (InputStream in = r.open(f)) {
          assertEquals(f.maxTxId(), LtxDecoder.verify(in, "out").header().maxTxId());
        }
      }
    }
  }

  @ParameterizedTest(name = "ratio={0}")
  @ValueSource(doubles = {1.0, Double.POSITIVE_INFINITY})
  void compact_cumulativeFileLargerThanNewInput_notRewrittenUnlessUnbounded(double ratio) throws Exception {
    try (ReplicaClient r = FileReplicaClient.create(tmp.resolve("r"))) {
      SyntheticReplica.put(r, 9, 1, 1, T0);
      SyntheticReplica.put(r, 1, 2, 10, T0.plusSeconds(10), 20); // the period so far: 20 pages
      SyntheticReplica.put(r, 0, 11, 11, T0.plusSeconds(31), 1);
      ReplicaCompactor c = compactor(r, CompactionConfig.defaults().withCumulativeRewriteRatio(ratio)
          .withLevels(List.of(Duration.ofSeconds(30), Duration.ofMinutes(5))));
      assertEquals(ReplicaCompactor.Outcome.WROTE, c.compact(1, T0.plusSeconds(60)));
      boolean bounded = ratio == 1.0;
      // Bounded: [2..10] (20 pages) is larger than the 1-page input, so it is left as it is.
      assertEquals(bounded ? List.of(n(2, 10), n(11, 11)) : List.of(n(2, 10), n(2, 11)), names(r, 1));
      SyntheticReplica.put(r, 0, 12, 12, T0.plusSeconds(61), 1);
      c.invalidate();
      long remote = c.remoteFilesRead.get();
      long local = c.localFilesRead.get();
      assertEquals(ReplicaCompactor.Outcome.WROTE, c.compact(1, T0.plusSeconds(90)));
      // The repeated file is the one this compactor wrote last: read locally; the new L0 file remotely.
      assertEquals(1, c.localFilesRead.get() - local);
      assertEquals(1, c.remoteFilesRead.get() - remote);
      // Bounded: [11..11] is no larger than the new input, so it is repeated; [2..10] still is not.
      assertEquals(bounded ? List.of(n(2, 10), n(11, 11), n(11, 12)) : List.of(n(2, 10), n(2, 11), n(2, 12)),
          names(r, 1));
      RestorePlan plan = RestorePlanner.plan(r, RestoreTarget.latest());
      assertEquals(bounded ? List.of(n(1, 1), n(2, 10), n(11, 12)) : List.of(n(1, 1), n(2, 12)),
          plan.files().stream().map(f -> f.name().toString()).toList());
      // Every state the replica held before is still restorable by TxId.
      for (long t : new long[] {1, 10, 11, 12}) {
        RestorePlan p = RestorePlanner.plan(r, RestoreTarget.atTxId(TxId.of(t)));
        assertEquals(TxId.of(t), p.maxTxId());
      }
    }
  }

  @Test
  void config_cumulativeRewriteRatio_negativeOrNaNRejected() {
    assertThrows(IllegalArgumentException.class, () -> CompactionConfig.defaults().withCumulativeRewriteRatio(-1));
    assertThrows(IllegalArgumentException.class,
        () -> CompactionConfig.defaults().withCumulativeRewriteRatio(Double.NaN));
    assertEquals(CompactionConfig.DEFAULT_CUMULATIVE_REWRITE_RATIO, CompactionConfig.defaults().cumulativeRewriteRatio());
    assertEquals(0.0, CompactionConfig.defaults().withCumulativeRewriteRatio(0).cumulativeRewriteRatio());
  }

  @Test
  void compact_afterLitestreamLayout_cumulativeRepeatsTheChainOnce() throws Exception {
    try (ReplicaClient r = FileReplicaClient.create(tmp.resolve("r"))) {
      // Litestream's layout: L1 tiles after L2's end (4).
      SyntheticReplica.put(r, 2, 1, 4, T0.plusSeconds(4));
      SyntheticReplica.put(r, 1, 5, 6, T0.plusSeconds(6));
      SyntheticReplica.put(r, 1, 7, 9, T0.plusSeconds(9));
      SyntheticReplica.put(r, 0, 10, 10, T0.plusSeconds(10));
      ReplicaCompactor c = compactor(r, CompactionConfig.defaults()
          .withLevels(List.of(Duration.ofSeconds(30), Duration.ofMinutes(5))));
      assertEquals(ReplicaCompactor.Outcome.WROTE, c.compact(1, T0.plusSeconds(30)));
      assertEquals(List.of(n(5, 6), n(5, 10), n(7, 9)), names(r, 1));
      // And back: Litestream's mode reads the shortest chain, not the overlapping files.
      ReplicaCompactor lit = compactor(r, CompactionConfig.litestream()
          .withLevels(List.of(Duration.ofSeconds(30), Duration.ofMinutes(5))));
      long before = lit.remoteFilesRead.get();
      assertEquals(ReplicaCompactor.Outcome.WROTE, lit.compact(2, T0.plusSeconds(300)));
      assertEquals(1, lit.remoteFilesRead.get() - before);
      assertEquals(List.of(n(1, 4), n(5, 10)), names(r, 2));
    }
  }

  @Test
  void coverRuns_overlappingAndGappedFiles_shortestChainsPerRun() {
    List<LtxFileInfo> files = List.of(info(1, 2), info(1, 5), info(3, 4), info(6, 6), info(6, 9), info(12, 12),
        info(12, 14), info(13, 15));
    List<List<LtxFileInfo>> runs = ReplicaCompactor.coverRuns(files);
    assertEquals(List.of(List.of(info(1, 5), info(6, 9)), List.of(info(12, 14), info(13, 15))), runs);
    // Abutting files (Litestream's layout): every file, one run.
    List<LtxFileInfo> tiles = List.of(info(1, 2), info(3, 3), info(4, 7));
    assertEquals(List.of(tiles), ReplicaCompactor.coverRuns(tiles));
  }

  private static LtxFileInfo info(long min, long max) {
    return new LtxFileInfo(1, dev.runnel.ltx.LtxFileName.of(TxId.of(min), TxId.of(max)), 1, T0);
  }

  @Test
  void compact_newestDestinationFileAfterLatestBoundary_tooEarly() throws Exception {
    try (ReplicaClient r = FileReplicaClient.create(tmp.resolve("r"))) {
      SyntheticReplica.put(r, 0, 1, 1, T0.plusSeconds(1));
      SyntheticReplica.put(r, 1, 1, 1, T0.plusSeconds(31)); // created after the 00:00:30 boundary
      SyntheticReplica.put(r, 0, 2, 2, T0.plusSeconds(40));
      ReplicaCompactor c = compactor(r, CompactionConfig.litestream());
      assertEquals(ReplicaCompactor.Outcome.TOO_EARLY, c.compact(1, T0.plusSeconds(45)));
      assertEquals(ReplicaCompactor.Outcome.WROTE, c.compact(1, T0.plusSeconds(60)));
      assertEquals(List.of(n(1, 1), n(2, 2)), names(r, 1));
    }
  }

  @Test
  void compact_sourceLevelWithGap_eachRunCompactedSeparately() throws Exception {
    try (ReplicaClient r = FileReplicaClient.create(tmp.resolve("r"))) {
      SyntheticReplica.put(r, 0, 1, 1, T0.plusSeconds(1));
      SyntheticReplica.put(r, 0, 2, 2, T0.plusSeconds(2));
      SyntheticReplica.put(r, 0, 5, 5, T0.plusSeconds(3)); // 3..4 lost
      SyntheticReplica.put(r, 0, 6, 6, T0.plusSeconds(4));
      ReplicaCompactor c = compactor(r, CompactionConfig.defaults());
      assertEquals(ReplicaCompactor.Outcome.WROTE, c.compact(1, T0.plusSeconds(30)));
      assertEquals(List.of(n(1, 2), n(5, 6)), names(r, 1));
    }
  }

  @Test
  void snapshotRetention_oldSnapshotsAndLevelFilesBelowFloor_deletedKeepingNewestAndOnePerLevel() throws Exception {
    try (ReplicaClient r = FileReplicaClient.create(tmp.resolve("r"))) {
      Instant now = T0.plus(Duration.ofHours(72));
      SyntheticReplica.put(r, 9, 1, 10, now.minus(Duration.ofHours(60)));
      SyntheticReplica.put(r, 9, 1, 20, now.minus(Duration.ofHours(36)));
      SyntheticReplica.put(r, 9, 1, 30, now.minus(Duration.ofHours(12)));
      SyntheticReplica.put(r, 1, 1, 15, now.minus(Duration.ofHours(50)));
      SyntheticReplica.put(r, 1, 16, 19, now.minus(Duration.ofHours(40)));
      SyntheticReplica.put(r, 1, 20, 25, now.minus(Duration.ofHours(30)));
      SyntheticReplica.put(r, 1, 26, 30, now.minus(Duration.ofHours(20)));
      SyntheticReplica.put(r, 2, 1, 19, now.minus(Duration.ofHours(40)));
      ReplicaCompactor c = compactor(r, CompactionConfig.defaults());
      // Floor = 20, the newest deleted snapshot's MaxTXID: L1 files ending below 20 go; L2's only
      // file ends below it too but is the level's last, so it stays.
      assertEquals(4, c.enforceSnapshotRetention(now));
      assertEquals(List.of(n(1, 30)), names(r, 9));
      assertEquals(List.of(n(20, 25), n(26, 30)), names(r, 1));
      assertEquals(List.of(n(1, 19)), names(r, 2));
      // Only one snapshot, and it is old: the newest is always kept.
      assertEquals(0, c.enforceSnapshotRetention(now.plus(Duration.ofDays(10))));
      assertEquals(List.of(n(1, 30)), names(r, 9));
    }
  }

  /** Two levels (30 s, 5 min) below snapshots every minute kept 5 minutes: levels lag retention. */
  static final CompactionConfig SHORT_SNAPSHOTS = CompactionConfig.defaults().withLevels(List.of(
      Duration.ofSeconds(30), Duration.ofMinutes(5))).withSnapshot(Duration.ofMinutes(1), Duration.ofMinutes(5));

  private List<VerifyProblem> gaps(ReplicaClient r) throws Exception {
    return ReplicaVerifier.verify(r, ReplicaVerifier.Options.defaults().withRestoreLatest(false)
        .withTempDir(tmp.resolve("v"))).problems(VerifyProblem.Kind.GAP);
  }

  @Test
  void snapshotRetention_levelFilesNotYetInNextLevel_keptSoTheNextLevelHasNoGap() throws Exception {
    try (ReplicaClient r = FileReplicaClient.create(tmp.resolve("r"))) {
      Instant now = T0.plus(Duration.ofHours(2));
      SyntheticReplica.put(r, 9, 1, 12, now.minus(Duration.ofMinutes(10)));
      SyntheticReplica.put(r, 9, 1, 14, now.minus(Duration.ofMinutes(1)));
      SyntheticReplica.put(r, 2, 1, 5, now.minus(Duration.ofMinutes(50)));
      SyntheticReplica.put(r, 1, 6, 8, now.minus(Duration.ofMinutes(40)));
      SyntheticReplica.put(r, 1, 9, 12, now.minus(Duration.ofMinutes(30)));
      ReplicaCompactor c = compactor(r, SHORT_SNAPSHOTS);
      // Floor 12: L1's 6..8 ends below it but L2 (up to 5) has not compacted it yet, so it stays.
      assertEquals(1, c.enforceSnapshotRetention(now));
      assertEquals(List.of(n(6, 8), n(9, 12)), names(r, 1));
      assertEquals(ReplicaCompactor.Outcome.WROTE, c.compact(2, now));
      assertEquals(List.of(n(1, 5), n(6, 12)), names(r, 2));
      // Once L2 holds them, they go when the next snapshot expires (floor 14).
      c.noteStored(SyntheticReplica.put(r, 9, 1, 16, now.plus(Duration.ofMinutes(9))));
      assertEquals(3, c.enforceSnapshotRetention(now.plus(Duration.ofMinutes(10))));
      assertEquals(List.of(n(9, 12)), names(r, 1));
      assertEquals(List.of(n(6, 12)), names(r, 2), "the top level has no next level: the floor alone");
      assertEquals(List.of(), gaps(r));
    }
  }

  @Test
  void snapshotRetention_cumulativeLevelAllBelowFloor_keepsTheFileReachingFurthest() throws Exception {
    try (ReplicaClient r = FileReplicaClient.create(tmp.resolve("r"))) {
      Instant now = T0.plus(Duration.ofHours(2));
      SyntheticReplica.put(r, 9, 1, 50, now.minus(Duration.ofMinutes(10)));
      SyntheticReplica.put(r, 9, 1, 60, now.minus(Duration.ofMinutes(1)));
      SyntheticReplica.put(r, 2, 1, 45, now.minus(Duration.ofMinutes(20)));
      // A period merged like a binary counter: 31..40 is last by name, 1..45 reaches furthest.
      SyntheticReplica.put(r, 1, 31, 40, now.minus(Duration.ofMinutes(30)));
      SyntheticReplica.put(r, 1, 1, 45, now.minus(Duration.ofMinutes(20)));
      for (long t = 46; t <= 47; t++) {
        SyntheticReplica.put(r, 0, t, t, now.minus(Duration.ofMinutes(5)));
      }
      ReplicaCompactor c = compactor(r, SHORT_SNAPSHOTS);
      assertEquals(2, c.enforceSnapshotRetention(now));
      assertEquals(List.of(n(1, 45)), names(r, 1));
      assertEquals(ReplicaCompactor.Outcome.WROTE, c.compact(1, now));
      assertEquals(List.of(n(1, 45), n(46, 47)), names(r, 1));
      assertEquals(List.of(), gaps(r));
    }
  }

  @Test
  void snapshotRetention_retentionDisabled_deletesNothing() throws Exception {
    try (ReplicaClient r = FileReplicaClient.create(tmp.resolve("r"))) {
      Instant now = T0.plus(Duration.ofHours(72));
      SyntheticReplica.put(r, 9, 1, 10, now.minus(Duration.ofHours(60)));
      SyntheticReplica.put(r, 9, 1, 20, now.minus(Duration.ofHours(1)));
      SyntheticReplica.put(r, 0, 1, 1, now.minus(Duration.ofHours(60)));
      SyntheticReplica.put(r, 0, 2, 2, now.minus(Duration.ofHours(59)));
      SyntheticReplica.put(r, 1, 1, 2, now.minus(Duration.ofHours(59)));
      ReplicaCompactor c = compactor(r, CompactionConfig.defaults().withRetentionEnabled(false));
      assertEquals(0, c.enforceSnapshotRetention(now));
      assertEquals(0, c.enforceL0Retention(now));
      assertEquals(2, r.list(9).size());
      assertEquals(2, r.list(0).size());
    }
  }

  @Test
  void l0Retention_compactedOldFiles_deletedUpToFirstTooRecentNeverNewest() throws Exception {
    try (ReplicaClient r = FileReplicaClient.create(tmp.resolve("r"))) {
      Instant now = T0.plus(Duration.ofHours(1));
      SyntheticReplica.put(r, 0, 1, 1, now.minus(Duration.ofMinutes(20)));
      SyntheticReplica.put(r, 0, 2, 2, now.minus(Duration.ofMinutes(10)));
      SyntheticReplica.put(r, 0, 3, 3, now.minus(Duration.ofMinutes(2))); // too recent: scan stops
      SyntheticReplica.put(r, 0, 4, 4, now.minus(Duration.ofMinutes(9))); // older, but after the stop
      SyntheticReplica.put(r, 1, 1, 4, now.minus(Duration.ofMinutes(1)));
      ReplicaCompactor c = compactor(r, CompactionConfig.defaults());
      assertEquals(2, c.enforceL0Retention(now));
      assertEquals(List.of(n(3, 3), n(4, 4)), names(r, 0));
      // Later all are old and compacted: all but the newest go.
      assertEquals(1, c.enforceL0Retention(now.plus(Duration.ofMinutes(10))));
      assertEquals(List.of(n(4, 4)), names(r, 0));
    }
  }

  @Test
  void l0Retention_notYetInL1_kept() throws Exception {
    try (ReplicaClient r = FileReplicaClient.create(tmp.resolve("r"))) {
      Instant now = T0.plus(Duration.ofHours(1));
      SyntheticReplica.put(r, 0, 1, 1, now.minus(Duration.ofMinutes(20)));
      SyntheticReplica.put(r, 0, 2, 2, now.minus(Duration.ofMinutes(19)));
      SyntheticReplica.put(r, 0, 3, 3, now.minus(Duration.ofMinutes(18)));
      SyntheticReplica.put(r, 1, 1, 1, now.minus(Duration.ofMinutes(20)));
      ReplicaCompactor c = compactor(r, CompactionConfig.defaults());
      assertEquals(1, c.enforceL0Retention(now));
      assertEquals(List.of(n(2, 2), n(3, 3)), names(r, 0));
      ReplicaCompactor off = compactor(r, CompactionConfig.defaults().withL0Retention(Duration.ZERO, Duration.ofSeconds(15)));
      SyntheticReplica.put(r, 1, 2, 3, now.minus(Duration.ofMinutes(18)));
      off.invalidate();
      assertEquals(0, off.enforceL0Retention(now), "l0-retention 0 never deletes");
    }
  }
}
