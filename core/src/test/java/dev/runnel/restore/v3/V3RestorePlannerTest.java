package dev.runnel.restore.v3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Planner rules on synthetic listings (no I/O). */
class V3RestorePlannerTest {
  private static final String A = "aaaaaaaaaaaaaaaa";
  private static final String B = "0000000000000001"; // sorts before A: names are not time order
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private final List<V3Object> objects = new ArrayList<>();

  private void snap(String gen, long index, int second) {
    objects.add(new V3Object("generations/" + gen + "/snapshots/" + V3Names.hex8(index)
        + ".snapshot.lz4", 10, T0.plusSeconds(second)));
  }

  private void seg(String gen, long index, long offset, int second) {
    objects.add(new V3Object("generations/" + gen + "/wal/" + V3Names.hex8(index) + "_"
        + String.format("%08x", offset) + ".wal.lz4", 10, T0.plusSeconds(second)));
  }

  private V3RestorePlan plan(V3RestoreTarget target) throws V3RestoreException {
    return V3RestorePlanner.plan(V3Listing.of(objects), target);
  }

  private static List<String> positions(V3RestorePlan p) {
    return p.segments().stream().map(s -> V3Names.hex8(s.index()) + ":" + s.offset()).toList();
  }

  @Test
  void plan_latest_picksGenerationOfNewestSnapshotNotNameOrder() throws Exception {
    snap(A, 0, 0);
    seg(A, 0, 0, 1);
    snap(B, 0, 10);
    seg(B, 0, 0, 11);
    seg(B, 0, 100, 12);
    V3RestorePlan p = plan(new V3RestoreTarget.Latest());
    assertEquals(B, p.generation());
    assertEquals(List.of("00000000:0", "00000000:100"), positions(p));
  }

  @Test
  void plan_atTimeEqualToMtime_inclusive() throws Exception {
    snap(A, 0, 0);
    seg(A, 0, 0, 1);
    seg(A, 0, 100, 5);
    seg(A, 0, 200, 9);
    V3RestorePlan p = plan(new V3RestoreTarget.AtTime(T0.plusSeconds(5)));
    assertEquals(List.of("00000000:0", "00000000:100"), positions(p));
  }

  @Test
  void plan_atTimeBeforeFirstSnapshot_throwsNoSnapshots() {
    snap(A, 0, 10);
    seg(A, 0, 0, 11);
    var e = assertThrows(V3NoSnapshotsException.class,
        () -> plan(new V3RestoreTarget.AtTime(T0.plusSeconds(9))));
    assertTrue(e.getMessage().startsWith("no snapshots available"), e.getMessage());
  }

  @Test
  void plan_emptyListing_throwsNoSnapshots() {
    assertThrows(V3NoSnapshotsException.class, () -> plan(new V3RestoreTarget.Latest()));
  }

  @Test
  void plan_segmentsWithoutSnapshot_throwsNoSnapshots() {
    seg(A, 0, 0, 1);
    assertThrows(V3NoSnapshotsException.class, () -> plan(new V3RestoreTarget.Latest()));
  }

  @Test
  void plan_laterSnapshotInSameGeneration_skipsOlderIndexes() throws Exception {
    snap(A, 0, 0);
    seg(A, 0, 0, 1);
    seg(A, 1, 0, 2);
    snap(A, 2, 3);
    seg(A, 2, 0, 4);
    seg(A, 3, 0, 5);
    V3RestorePlan p = plan(new V3RestoreTarget.Latest());
    assertEquals(2, p.snapshot().index());
    assertEquals(List.of("00000002:0", "00000003:0"), positions(p));
  }

  @Test
  void plan_missingMiddleIndex_throwsMissingWalIndex() {
    snap(A, 0, 0);
    seg(A, 0, 0, 1);
    seg(A, 2, 0, 3);
    var e = assertThrows(V3MissingWalIndexException.class,
        () -> plan(new V3RestoreTarget.Latest()));
    assertEquals(1, e.expectedIndex());
    assertEquals(OptionalLong.of(2), e.actualIndex());
    assertEquals(A, e.generation());
    assertTrue(e.getMessage().contains("missing WAL index"), e.getMessage());
  }

  @Test
  void plan_indexNotStartingAtOffsetZero_throwsMissingWalSegment() {
    snap(A, 0, 0);
    seg(A, 0, 0, 1);
    seg(A, 1, 4152, 3);
    var e = assertThrows(V3MissingWalSegmentException.class,
        () -> plan(new V3RestoreTarget.Latest()));
    assertEquals(1, e.index());
    assertEquals(0, e.expectedOffset());
    assertEquals(4152, e.actualOffset());
  }

  @Test
  void plan_generationIndex_stopsAtEndOfIndex() throws Exception {
    snap(A, 0, 0);
    seg(A, 0, 0, 1);
    seg(A, 1, 0, 2);
    seg(A, 1, 50, 3);
    seg(A, 2, 0, 4);
    V3RestorePlan p = plan(new V3RestoreTarget.GenerationIndex(A, 1));
    assertEquals(List.of("00000000:0", "00000001:0", "00000001:50"), positions(p));
  }

  @Test
  void plan_generationIndexBeyondWal_throwsMissingWalIndex() {
    snap(A, 0, 0);
    seg(A, 0, 0, 1);
    var e = assertThrows(V3MissingWalIndexException.class,
        () -> plan(new V3RestoreTarget.GenerationIndex(A, 3)));
    assertEquals(1, e.expectedIndex());
    assertTrue(e.actualIndex().isEmpty());
  }

  @Test
  void plan_generationIgnoresMtimes_picksHighestIndexSnapshot() throws Exception {
    snap(A, 0, 50); // times deliberately inverted
    snap(A, 1, 0);
    seg(A, 1, 0, 0);
    snap(B, 0, 99);
    V3RestorePlan p = plan(new V3RestoreTarget.Generation(A));
    assertEquals(1, p.snapshot().index());
  }

  @Test
  void plan_unknownGeneration_throwsNoSnapshots() {
    snap(A, 0, 0);
    assertThrows(V3NoSnapshotsException.class,
        () -> plan(new V3RestoreTarget.Generation(B)));
  }

  @Test
  void plan_newestSnapshotsTiedAcrossGenerations_throwsAmbiguous() {
    snap(A, 0, 5);
    snap(B, 0, 5);
    var e = assertThrows(V3AmbiguousTimestampException.class,
        () -> plan(new V3RestoreTarget.Latest()));
    assertTrue(e.getMessage().contains(A) && e.getMessage().contains(B), e.getMessage());
  }

  @Test
  void plan_otherGenerationNewerThanChosenSnapshot_throwsAmbiguous() {
    snap(A, 0, 10);
    snap(B, 0, 5);
    seg(B, 0, 0, 20); // B's WAL continues after A's snapshot: generations overlap in time
    assertThrows(V3AmbiguousTimestampException.class, () -> plan(new V3RestoreTarget.Latest()));
  }

  @Test
  void plan_otherGenerationNewerOnlyAfterTarget_allowed() throws Exception {
    snap(B, 0, 0);
    seg(B, 0, 0, 1);
    snap(A, 0, 10);
    seg(A, 0, 0, 11);
    V3RestorePlan p = plan(new V3RestoreTarget.AtTime(T0.plusSeconds(5)));
    assertEquals(B, p.generation());
  }

  @Test
  void plan_samePositionTwoNames_throwsCorrupt() {
    snap(A, 0, 0);
    seg(A, 0, 0, 1);
    objects.add(new V3Object("generations/" + A + "/wal/00000000_00004080.wal.lz4", 1, T0));
    objects.add(new V3Object("generations/" + A + "/wal/00000000_000004080.wal.lz4", 1, T0));
    assertThrows(V3CorruptReplicaException.class, () -> plan(new V3RestoreTarget.Latest()));
  }

  @Test
  void listing_timestamps_newestAndBestSnapshotInclusive() {
    snap(A, 0, 0);
    seg(A, 0, 0, 1);
    snap(B, 0, 10);
    seg(B, 0, 0, 30);
    V3Listing l = V3Listing.of(objects);
    assertEquals(T0.plusSeconds(30), l.latestTimestamp().orElseThrow());
    assertEquals(T0.plusSeconds(10), l.bestSnapshotTimeAtOrBefore(T0.plusSeconds(10))
        .orElseThrow());
    assertEquals(T0, l.bestSnapshotTimeAtOrBefore(T0.plusSeconds(9)).orElseThrow());
    assertTrue(l.bestSnapshotTimeAtOrBefore(T0.minusNanos(1)).isEmpty());
    assertEquals(List.of(B, A), List.copyOf(l.generations()));
  }
}
