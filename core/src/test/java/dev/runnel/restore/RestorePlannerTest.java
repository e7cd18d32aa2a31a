package dev.runnel.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.ltx.LtxFileName;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RestorePlannerTest {

  /** A file whose createdAt is {@code max} seconds after the epoch unless given. */
  static LtxFileInfo f(int level, long min, long max) {
    return f(level, min, max, max * 1000);
  }

  static LtxFileInfo f(int level, long min, long max, long createdAtMillis) {
    return new LtxFileInfo(level, LtxFileName.of(TxId.of(min), TxId.of(max)), 100, Instant.ofEpochMilli(createdAtMillis));
  }

  static List<LtxFileInfo> l0(long from, long to) {
    return java.util.stream.LongStream.rangeClosed(from, to).mapToObj(i -> f(0, i, i)).toList();
  }

  static ReplicaListing listing(LtxFileInfo... files) {
    return ReplicaListing.of("test-replica", Arrays.asList(files));
  }

  static ReplicaListing listing(List<LtxFileInfo> a, LtxFileInfo... more) {
    List<LtxFileInfo> all = new java.util.ArrayList<>(a);
    all.addAll(Arrays.asList(more));
    return ReplicaListing.of("test-replica", all);
  }

  static RestorePlan plan(ReplicaListing l, RestoreTarget t) throws Exception {
    return RestorePlanner.plan(l, t);
  }

  static RestoreTarget txid(long v) {
    return RestoreTarget.atTxId(TxId.of(v));
  }

  static RestoreTarget before(long millis) {
    return RestoreTarget.atTime(Instant.ofEpochMilli(millis));
  }

  static final RestoreTarget LATEST = RestoreTarget.latest();

  // ---- snapshot selection --------------------------------------------------------------------

  @Test
  void plan_emptyReplica_throwsNoMatching() {
    NoMatchingBackupException e = assertThrows(NoMatchingBackupException.class, () -> plan(listing(), LATEST));
    assertTrue(e.getMessage().startsWith("no matching backup files available"), e.getMessage());
    assertTrue(e.getMessage().contains("test-replica"), e.getMessage());
    assertThrows(NoMatchingBackupException.class, () -> plan(listing(), txid(1)));
    assertThrows(NoMatchingBackupException.class, () -> plan(listing(), before(Long.MAX_VALUE)));
  }

  @Test
  void plan_snapshotOnly_isSnapshot() throws Exception {
    LtxFileInfo snap = f(9, 1, 10);
    assertEquals(new RestorePlan(List.of(snap), TxId.of(10)), plan(listing(snap), LATEST));
  }

  @Test
  void plan_severalSnapshots_lastAllowedWins() throws Exception {
    LtxFileInfo s5 = f(9, 1, 5);
    LtxFileInfo s10 = f(9, 1, 10);
    LtxFileInfo s20 = f(9, 1, 20);
    ReplicaListing l = listing(s20, s5, s10);
    assertEquals(List.of(s20), plan(l, LATEST).files());
    assertEquals(List.of(s10), plan(l, txid(12 - 2)).files());
    assertEquals(List.of(s5), plan(l, txid(5)).files());
    assertThrows(NoMatchingBackupException.class, () -> plan(l, txid(12)), "a snapshot alone cannot reach 12");
    assertEquals(List.of(s10), plan(l, before(20_000)).files());
  }

  @Test
  void plan_txidEqualToSnapshotMax_isSnapshotAlone() throws Exception {
    LtxFileInfo snap = f(9, 1, 10);
    ReplicaListing l = listing(l0(1, 15), snap);
    assertEquals(List.of(snap), plan(l, txid(10)).files());
  }

  @Test
  void plan_txidBelowSnapshot_skipsItAndUsesLowerLevels() throws Exception {
    LtxFileInfo snap = f(9, 1, 10);
    LtxFileInfo l1 = f(1, 1, 4);
    ReplicaListing l = listing(l0(1, 12), snap, l1);
    assertEquals(List.of(l1, f(0, 5, 5), f(0, 6, 6), f(0, 7, 7)), plan(l, txid(7)).files());
  }

  // ---- txid and time bounds ------------------------------------------------------------------

  @Test
  void plan_txid_isInclusive() throws Exception {
    RestorePlan p = plan(listing(l0(1, 5)), txid(3));
    assertEquals(l0(1, 3), p.files());
    assertEquals(TxId.of(3), p.maxTxId());
  }

  @Test
  void plan_txidBeyondFiles_throwsNoMatchingNamingReach() {
    NoMatchingBackupException e = assertThrows(NoMatchingBackupException.class, () -> plan(listing(l0(1, 3)), txid(5)));
    assertEquals(TxId.of(3), e.reached());
    assertEquals(txid(5), e.target());
  }

  @Test
  void plan_txidInsideCompaction_cannotSplitIt() throws Exception {
    // Only [1-4] reaches txid 2, and it overshoots: a file is never cut.
    assertThrows(NoMatchingBackupException.class, () -> plan(listing(f(1, 1, 4)), txid(2)));
    assertEquals(List.of(f(1, 1, 4)), plan(listing(f(1, 1, 4)), txid(4)).files());
  }

  @Test
  void plan_time_isStrictlyExclusive() throws Exception {
    ReplicaListing l = listing(f(0, 1, 1, 100), f(0, 2, 2, 200), f(0, 3, 3, 300));
    assertEquals(List.of(f(0, 1, 1, 100)), plan(l, before(200)).files());
    assertEquals(List.of(f(0, 1, 1, 100), f(0, 2, 2, 200)), plan(l, before(201)).files());
    RestorePlan nanos = RestorePlanner.plan(l, RestoreTarget.atTime(Instant.ofEpochMilli(200).plusNanos(1)));
    assertEquals(TxId.of(2), nanos.maxTxId());
    assertThrows(NoMatchingBackupException.class, () -> plan(l, before(100)));
  }

  @Test
  void plan_snapshotCreatedExactlyAtTime_isExcluded() throws Exception {
    LtxFileInfo snap = f(9, 1, 2, 200);
    ReplicaListing l = listing(f(0, 1, 1, 100), f(0, 2, 2, 150), snap);
    assertEquals(List.of(f(0, 1, 1, 100), f(0, 2, 2, 150)), plan(l, before(200)).files());
    assertEquals(List.of(snap), plan(l, before(201)).files());
  }

  // ---- candidate order -----------------------------------------------------------------------

  @Test
  void plan_tieKey1_largerMaxWinsOverHigherLevel() throws Exception {
    assertEquals(List.of(f(0, 1, 6)), plan(listing(f(2, 1, 5), f(0, 1, 6)), LATEST).files());
  }

  @Test
  void plan_tieKey2_sameMaxSmallerMinWinsOverHigherLevel() throws Exception {
    LtxFileInfo snap = f(9, 1, 4);
    ReplicaListing l = listing(snap, f(2, 5, 8), f(0, 3, 8));
    assertEquals(List.of(snap, f(0, 3, 8)), plan(l, LATEST).files());
  }

  @Test
  void plan_tieKey3_sameRangeHigherLevelWins() throws Exception {
    LtxFileInfo snap = f(9, 1, 4);
    ReplicaListing l = listing(snap, f(1, 5, 8, 10), f(3, 5, 8, 99), f(0, 5, 8, 1));
    assertEquals(List.of(snap, f(3, 5, 8, 99)), plan(l, LATEST).files());
  }

  @Test
  void plan_tieKey4_sameRangeAndLevelEarlierCreatedAtWins() throws Exception {
    // Only a listing can hold one name twice in a level (e.g. merged from two sources).
    LtxFileInfo snap = f(9, 1, 4);
    LtxFileInfo late = f(1, 5, 8, 20);
    LtxFileInfo early = f(1, 5, 8, 10);
    assertEquals(List.of(snap, early), plan(listing(snap, late, early), LATEST).files());
    assertEquals(List.of(snap, early), plan(listing(snap, early, late), LATEST).files());
  }

  @Test
  void better_comparesFourKeysInOrder() {
    assertTrue(RestorePlanner.better(f(0, 5, 9), f(8, 1, 8)));
    assertTrue(RestorePlanner.better(f(0, 4, 9), f(8, 5, 9)));
    assertTrue(RestorePlanner.better(f(2, 5, 9, 50), f(1, 5, 9, 1)));
    assertTrue(RestorePlanner.better(f(1, 5, 9, 1), f(1, 5, 9, 2)));
    assertTrue(!RestorePlanner.better(f(1, 5, 9, 2), f(1, 5, 9, 2)), "a full tie keeps the incumbent");
  }

  // ---- contiguity ----------------------------------------------------------------------------

  @Test
  void plan_overlappingCompactions_takesFarthestReach() throws Exception {
    LtxFileInfo snap = f(9, 1, 10);
    ReplicaListing l = listing(l0(11, 20), snap, f(1, 8, 15), f(1, 11, 13), f(2, 5, 18));
    assertEquals(List.of(snap, f(2, 5, 18), f(0, 19, 19), f(0, 20, 20)), plan(l, LATEST).files());
  }

  @Test
  void plan_gapInL0BridgedByL1_isContiguous() throws Exception {
    ReplicaListing l = listing(List.of(f(0, 1, 1), f(0, 2, 2), f(0, 5, 5), f(0, 6, 6)), f(1, 1, 4));
    assertEquals(List.of(f(1, 1, 4), f(0, 5, 5), f(0, 6, 6)), plan(l, LATEST).files());
    assertEquals(List.of(f(1, 1, 4), f(0, 5, 5)), plan(l, txid(5)).files());
  }

  @Test
  void plan_unbridgeableGap_latestThrowsGap() {
    ReplicaListing l = listing(f(0, 1, 1), f(0, 2, 2), f(0, 4, 4), f(0, 5, 5));
    ReplicaGapException e = assertThrows(ReplicaGapException.class, () -> plan(l, LATEST));
    assertTrue(e.getMessage().startsWith(
        "non-contiguous ltx files: have up to 0000000000000002 but next file starts at 0000000000000004"), e.getMessage());
    assertTrue(e.getMessage().contains("level 0") && e.getMessage().contains("test-replica"), e.getMessage());
    assertEquals(TxId.of(2), e.haveUpTo());
    assertEquals(f(0, 4, 4), e.next());
  }

  @Test
  void plan_unbridgeableGap_txidBelowGapSucceedsAboveFails() throws Exception {
    ReplicaListing l = listing(f(0, 1, 1), f(0, 2, 2), f(0, 4, 4), f(0, 5, 5));
    assertEquals(l0(1, 2), plan(l, txid(2)).files());
    assertThrows(NoMatchingBackupException.class, () -> plan(l, txid(4)));
  }

  @Test
  void plan_unbridgeableGap_timeTargetStopsBeforeGapLikeLitestream() throws Exception {
    // Litestream checks gaps for latest restores only; a timestamp restore silently stops short.
    ReplicaListing l = listing(f(0, 1, 1), f(0, 2, 2), f(0, 4, 4), f(0, 5, 5));
    assertEquals(l0(1, 2), plan(l, before(Long.MAX_VALUE)).files());
  }

  @Test
  void plan_gapRightAfterSnapshot_latestThrowsGap() {
    ReplicaListing l = listing(f(9, 1, 10), f(0, 12, 12));
    ReplicaGapException e = assertThrows(ReplicaGapException.class, () -> plan(l, LATEST));
    assertEquals(TxId.of(10), e.haveUpTo());
  }

  @Test
  void plan_filesBehindSnapshot_areIgnoredWithoutGap() throws Exception {
    LtxFileInfo snap = f(9, 1, 10);
    assertEquals(List.of(snap), plan(listing(l0(1, 10), snap, f(1, 1, 8)), LATEST).files());
  }

  @Test
  void plan_noFileStartingAtOne_throwsNoMatching() {
    assertThrows(NoMatchingBackupException.class, () -> plan(listing(f(0, 5, 5), f(0, 6, 6)), LATEST));
  }

  @Test
  void plan_snapshotLevelFileNotStartingAtOne_throwsGap() {
    ReplicaGapException e = assertThrows(ReplicaGapException.class, () -> plan(listing(f(9, 3, 10)), LATEST));
    assertEquals(TxId.ZERO, e.haveUpTo());
  }

  @Test
  void plan_unsignedTxIdsNearTop_stayContiguous() throws Exception {
    long big = Long.MIN_VALUE; // 0x8000000000000000
    LtxFileInfo snap = f(9, 1, big, 1);
    LtxFileInfo next = f(0, big + 1, -1L, 2);
    assertEquals(List.of(snap, next), plan(listing(snap, next), LATEST).files());
    assertEquals(TxId.of(-1L), plan(listing(snap, next), txid(-1L)).maxTxId());
  }

  // ---- inputs --------------------------------------------------------------------------------

  @Test
  void plan_mapInput_isSortedByName() throws Exception {
    Map<Integer, List<LtxFileInfo>> levels = Map.of(0, List.of(f(0, 3, 3), f(0, 1, 1), f(0, 2, 2)));
    assertEquals(l0(1, 3), RestorePlanner.plan(levels, LATEST).files());
  }

  @Test
  void listing_fileUnderWrongLevel_throwsIllegalArgument() {
    assertThrows(IllegalArgumentException.class, () -> new ReplicaListing("r", Map.of(1, List.of(f(0, 1, 1)))));
    assertThrows(IllegalArgumentException.class, () -> new ReplicaListing("r", Map.of(10, List.of())));
  }

  @Test
  void target_zeroTxId_throwsIllegalArgument() {
    assertThrows(IllegalArgumentException.class, () -> RestoreTarget.atTxId(TxId.ZERO));
    assertThrows(NullPointerException.class, () -> RestoreTarget.atTime(null));
  }
}
