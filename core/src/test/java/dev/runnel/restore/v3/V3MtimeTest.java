package dev.runnel.restore.v3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What happens when the replica's mtimes were not preserved (e.g. a git checkout or a plain
 * copy). Documented behaviour:
 * <ul>
 *   <li>Restores of a named generation ignore mtimes and are always right.</li>
 *   <li>A latest restore across generations whose newest snapshots share an mtime, or whose
 *       mtimes contradict each other, fails with {@link V3AmbiguousTimestampException}.</li>
 *   <li>A single-generation latest restore needs no mtimes: all its WAL is replayed.</li>
 *   <li>Point-in-time restores answer according to the mtimes as they are: before them, "no
 *       snapshots"; at or after them, everything. mtimes that are consistent but wrong (every file
 *       shifted in order) cannot be detected.</li>
 * </ul>
 */
class V3MtimeTest {
  private static final Instant SAME = Instant.parse("2026-11-22T04:00:00Z");
  private static final String GEN1 = "063bd87f6ed0230c";
  private static final String GEN2 = "6502a6a27a31a55e";

  @TempDir Path dir;

  private Path out() {
    return dir.resolve("out.db");
  }

  private V3Restorer restorer(Path set) {
    return new V3Restorer(new LocalV3Store(V3Fixtures.replica(set)));
  }

  @Test
  void restoreLatest_multiGenerationAllSameMtime_throwsAmbiguous() throws IOException {
    Path set = V3Fixtures.copy("multi-generation", dir);
    V3Fixtures.setAllMtimes(set, SAME);
    assertThrows(V3AmbiguousTimestampException.class,
        () -> restorer(set).restore(new V3RestoreTarget.Latest(), V3RestoreOptions.to(out())));
    assertFalse(Files.exists(out()));
  }

  @Test
  void restoreLatest_multiGenerationInterleavedMtimes_throwsAmbiguous() throws IOException {
    // Gen 1's snapshot looks newest, but gen 2's WAL was written after it: contradictory.
    Path set = V3Fixtures.copyWithMtimes("multi-generation", dir);
    Files.setLastModifiedTime(V3Fixtures.snapshot(set, GEN1, "00000000.snapshot.lz4"),
        FileTime.from(Instant.parse("2026-11-22T03:29:00Z")));
    assertThrows(V3AmbiguousTimestampException.class,
        () -> restorer(set).restore(new V3RestoreTarget.Latest(), V3RestoreOptions.to(out())));
    assertFalse(Files.exists(out()));
  }

  @Test
  void restoreGeneration_allSameMtime_matchesLitestream() throws IOException {
    Path set = V3Fixtures.copy("multi-generation", dir);
    V3Fixtures.setAllMtimes(set, SAME);
    restorer(set).restore(new V3RestoreTarget.Generation(GEN2), V3RestoreOptions.to(out()));
    assertArrayEquals(
        Files.readAllBytes(V3Fixtures.restored("multi-generation", "latest.db")),
        Files.readAllBytes(out()));
  }

  @Test
  void restoreLatest_singleGenerationAllSameMtime_matchesLitestream() throws IOException {
    Path set = V3Fixtures.copy("simple", dir);
    V3Fixtures.setAllMtimes(set, SAME);
    restorer(set).restore(new V3RestoreTarget.Latest(), V3RestoreOptions.to(out()));
    assertArrayEquals(Files.readAllBytes(V3Fixtures.restored("simple", "latest.db")),
        Files.readAllBytes(out()));
  }

  @Test
  void restoreAtTime_allSameMtimeAfterTimestamp_throwsNoSnapshots() throws IOException {
    // The fixture's documented timestamp predates the (unrestored) mtimes: a clear error, not
    // some other state.
    Path set = V3Fixtures.copy("simple", dir);
    V3Fixtures.setAllMtimes(set, SAME);
    assertThrows(V3NoSnapshotsException.class, () -> restorer(set).restore(
        new V3RestoreTarget.AtTime(Instant.parse("2026-11-22T03:27:20Z")),
        V3RestoreOptions.to(out())));
    assertFalse(Files.exists(out()));
  }

  @Test
  void restoreAtTime_allSameMtimeAtTimestamp_restoresEverythingTheMtimesClaim()
      throws IOException {
    Path set = V3Fixtures.copy("simple", dir);
    V3Fixtures.setAllMtimes(set, SAME);
    V3RestoreResult r = restorer(set).restore(new V3RestoreTarget.AtTime(SAME),
        V3RestoreOptions.to(out()));
    assertEquals(5, r.plan().segments().size());
    assertEquals(10, r.walFramesApplied(), "frames SQLite checkpointed: 4+1+1+1+3 commits");
    assertEquals(4, r.pageCount());
    assertEquals(4096, r.pageSize());
    assertArrayEquals(Files.readAllBytes(V3Fixtures.restored("simple", "latest.db")),
        Files.readAllBytes(out()));
  }

  @Test
  void latestTimestamp_fixtureMtimes_newestSegment() throws IOException {
    Path set = V3Fixtures.copyWithMtimes("multi-generation", dir);
    V3Replica r = new V3Replica(new LocalV3Store(V3Fixtures.replica(set)));
    assertEquals(Instant.parse("2026-11-22T03:29:07.399514507Z"),
        r.latestTimestamp().orElseThrow());
    assertEquals(Instant.parse("2026-11-22T03:28:43.215514507Z"),
        r.bestSnapshotTimeAtOrBefore(Instant.parse("2026-11-22T03:28:58Z")).orElseThrow());
    assertEquals(java.util.List.of(GEN1, GEN2), java.util.List.copyOf(r.listing().generations()));
  }
}
