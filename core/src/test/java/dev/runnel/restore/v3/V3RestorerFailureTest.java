package dev.runnel.restore.v3;

import dev.runnel.restore.IntegrityCheck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.stream.Stream;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged or incomplete replicas, existing outputs, and cleanup after every failure. */
class V3RestorerFailureTest {
  private static final String GEN = "f1662eda1453690a"; // the `simple` set

  @TempDir Path dir;
  private Path set;
  private Path out;

  @BeforeEach
  void setUp() throws IOException {
    set = V3Fixtures.copyWithMtimes("simple", dir);
    out = dir.resolve("restore/app.db");
  }

  private V3RestoreResult restoreLatest() throws IOException {
    return new V3Restorer(new LocalV3Store(V3Fixtures.replica(set)))
        .restore(new V3RestoreTarget.Latest(), V3RestoreOptions.to(out));
  }

  private void assertNothingLeft() throws IOException {
    for (String s : new String[] {"", ".tmp", ".tmp-wal", ".tmp-shm", "-wal", "-shm"}) {
      assertFalse(Files.exists(V3Restorer.sibling(out, s)), "left behind: " + out + s);
    }
    if (Files.isDirectory(out.getParent())) {
      try (Stream<Path> s = Files.list(out.getParent())) {
        assertEquals(0, s.count(), "output directory must be empty");
      }
    }
  }

  /** Rewrites a file keeping its mtime, which carries meaning in 0.3. */
  private static void rewrite(Path p, byte[] bytes) throws IOException {
    FileTime t = Files.getLastModifiedTime(p);
    Files.write(p, bytes);
    Files.setLastModifiedTime(p, t);
  }

  private static byte[] lz4Decode(Path p) throws IOException {
    try (InputStream in = new LZ4FrameInputStream(Files.newInputStream(p))) {
      return in.readAllBytes();
    }
  }

  private static byte[] lz4Encode(byte[] raw) throws IOException {
    ByteArrayOutputStream bo = new ByteArrayOutputStream();
    try (LZ4FrameOutputStream o = new LZ4FrameOutputStream(bo)) {
      o.write(raw);
    }
    return bo.toByteArray();
  }

  @Test
  void restore_truncatedSnapshotLz4_throwsCorruptAndCleansUp() throws IOException {
    Path s = V3Fixtures.snapshot(set, GEN, "00000000.snapshot.lz4");
    byte[] b = Files.readAllBytes(s);
    rewrite(s, java.util.Arrays.copyOf(b, b.length / 2));
    var e = assertThrows(V3CorruptReplicaException.class, this::restoreLatest);
    assertTrue(e.getMessage().contains("00000000.snapshot.lz4"), e.getMessage());
    assertNothingLeft();
  }

  @Test
  void restore_truncatedWalSegmentLz4_throwsCorruptAndCleansUp() throws IOException {
    Path w = V3Fixtures.wal(set, GEN, "00000000_00005098.wal.lz4");
    byte[] b = Files.readAllBytes(w);
    rewrite(w, java.util.Arrays.copyOf(b, b.length - 7));
    var e = assertThrows(V3CorruptReplicaException.class, this::restoreLatest);
    assertTrue(e.getMessage().contains("00000000_00005098.wal.lz4"), e.getMessage());
    assertNothingLeft();
  }

  @Test
  void restore_flippedByteInSnapshot_throwsCorruptAndCleansUp() throws IOException {
    Path s = V3Fixtures.snapshot(set, GEN, "00000000.snapshot.lz4");
    byte[] b = Files.readAllBytes(s);
    b[b.length / 2] ^= 0x01;
    rewrite(s, b);
    // The frame's content checksum (pierrec/lz4 writes one by default) catches it at the end.
    assertThrows(V3CorruptReplicaException.class, this::restoreLatest);
    assertNothingLeft();
  }

  @Test
  void restore_emptySnapshotObject_throwsCorrupt() throws IOException {
    rewrite(V3Fixtures.snapshot(set, GEN, "00000000.snapshot.lz4"), new byte[0]);
    assertThrows(V3CorruptReplicaException.class, this::restoreLatest);
    assertNothingLeft();
  }

  @Test
  void restore_validLz4ButBadWalChecksum_throwsCorruptInsteadOfSilentlyDroppingFrames()
      throws IOException {
    // SQLite would stop reading the WAL at this frame and restore an older state without error.
    Path w = V3Fixtures.wal(set, GEN, "00000000_00005098.wal.lz4");
    byte[] raw = lz4Decode(w);
    raw[24 + 100] ^= 0x40; // inside the page of the only frame
    rewrite(w, lz4Encode(raw));
    var e = assertThrows(V3CorruptReplicaException.class, this::restoreLatest);
    assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
    assertNothingLeft();
  }

  @Test
  void restore_walFromAnotherWalFile_throwsCorruptOnSaltMismatch() throws IOException {
    // A frame copied from a different WAL (other salts), re-framed validly: SQLite ignores it.
    Path w = V3Fixtures.wal(set, GEN, "00000000_00005098.wal.lz4");
    byte[] raw = lz4Decode(w);
    raw[8] ^= 0x01; // salt-1 of the frame header
    rewrite(w, lz4Encode(raw));
    var e = assertThrows(V3CorruptReplicaException.class, this::restoreLatest);
    assertTrue(e.getMessage().contains("salt"), e.getMessage());
    assertNothingLeft();
  }

  @Test
  void restore_missingMiddleWalSegment_throwsMissingWalSegmentNamingIt() throws IOException {
    Files.delete(V3Fixtures.wal(set, GEN, "00000000_00005098.wal.lz4"));
    var e = assertThrows(V3MissingWalSegmentException.class, this::restoreLatest);
    assertEquals(GEN, e.generation());
    assertEquals(0, e.index());
    assertEquals(0x5098, e.expectedOffset());
    assertEquals(0x60b0, e.actualOffset());
    assertTrue(e.getMessage().contains("00000000_00005098.wal.lz4"), e.getMessage());
    assertTrue(e.getMessage().startsWith("missing WAL segment"), e.getMessage());
    assertNothingLeft();
  }

  @Test
  void restore_missingWalIndex_throwsMissingWalIndex() throws IOException {
    // Index 1 is missing: the replica jumps from index 0 to index 2.
    Path extra = V3Fixtures.wal(set, GEN, "00000002_00000000.wal.lz4");
    Files.copy(V3Fixtures.wal(set, GEN, "00000000_00000000.wal.lz4"), extra);
    Files.setLastModifiedTime(extra, FileTime.from(Instant.parse("2026-11-22T03:27:40Z")));
    var e = assertThrows(V3MissingWalIndexException.class, this::restoreLatest);
    assertEquals(1, e.expectedIndex());
    assertEquals(2, e.actualIndex().orElseThrow());
    assertNothingLeft();
  }

  @Test
  void restore_junkFilesInReplica_ignored() throws IOException {
    Path g = V3Fixtures.replica(set).resolve("generations");
    Files.writeString(V3Fixtures.replica(set).resolve(".DS_Store"), "junk");
    Files.writeString(V3Fixtures.replica(set).resolve("generation"), GEN);
    Files.writeString(g.resolve("README"), "junk");
    Files.createDirectories(g.resolve("F1662EDA1453690A/snapshots"));
    Files.writeString(g.resolve("F1662EDA1453690A/snapshots/00000009.snapshot.lz4"), "junk");
    Files.createDirectories(g.resolve("not-a-generation/wal"));
    Files.writeString(g.resolve("not-a-generation/wal/00000000_00000000.wal.lz4"), "junk");
    Files.writeString(g.resolve(GEN + "/snapshots/00000009.snapshot.lz4.tmp"), "junk");
    Files.writeString(g.resolve(GEN + "/wal/00000000_0000abcd.wal.lz4.tmp"), "junk");
    Files.writeString(g.resolve(GEN + "/wal/0000000A_00000000.wal.lz4"), "junk");
    Files.writeString(g.resolve(GEN + "/wal/00000000_000070C8.wal.lz4"), "junk");
    Files.createDirectories(g.resolve(GEN + "/wal/00000001_00000000.wal.lz4.d"));

    restoreLatest();

    assertArrayEquals(Files.readAllBytes(V3Fixtures.restored("simple", "latest.db")),
        Files.readAllBytes(out));
  }

  @Test
  void restore_replicaRootIsSymlink_listedThroughLink() throws IOException {
    Path link = Files.createSymbolicLink(dir.resolve("link"), V3Fixtures.replica(set));
    new V3Restorer(new LocalV3Store(link)).restore(new V3RestoreTarget.Latest(),
        V3RestoreOptions.to(out));
    assertArrayEquals(Files.readAllBytes(V3Fixtures.restored("simple", "latest.db")),
        Files.readAllBytes(out));
  }

  @Test
  void restore_emptyReplica_throwsNoSnapshots() throws IOException {
    Path empty = Files.createDirectories(dir.resolve("empty/generations"));
    V3Replica replica = new V3Replica(new LocalV3Store(empty.getParent()));
    assertFalse(replica.exists());
    assertTrue(replica.latestTimestamp().isEmpty());
    var e = assertThrows(V3NoSnapshotsException.class, () -> new V3Restorer(replica.store())
        .restore(new V3RestoreTarget.Latest(), V3RestoreOptions.to(out)));
    assertTrue(e.getMessage().startsWith("no snapshots available"), e.getMessage());
    assertNothingLeft();
  }

  @Test
  void restore_missingReplicaDirectory_throwsNoSnapshots() throws IOException {
    var store = new LocalV3Store(dir.resolve("does-not-exist"));
    assertFalse(new V3Replica(store).exists());
    assertThrows(V3NoSnapshotsException.class, () -> new V3Restorer(store)
        .restore(new V3RestoreTarget.Latest(), V3RestoreOptions.to(out)));
  }

  @Test
  void restore_existingOutput_refusedAndUntouched() throws IOException {
    Files.createDirectories(out.getParent());
    Files.writeString(out, "precious");
    assertThrows(FileAlreadyExistsException.class, this::restoreLatest);
    assertEquals("precious", Files.readString(out));
    try (Stream<Path> s = Files.list(out.getParent())) {
      assertEquals(1, s.count(), "no temp files next to the refused output");
    }
  }

  @Test
  void restore_existingOutputWithForce_replacedAndStaleSidecarsRemoved() throws IOException {
    Files.createDirectories(out.getParent());
    Files.writeString(out, "old");
    Files.writeString(V3Restorer.sibling(out, "-wal"), "stale wal of the old database");
    Files.writeString(V3Restorer.sibling(out, "-shm"), "stale shm");
    new V3Restorer(new LocalV3Store(V3Fixtures.replica(set))).restore(
        new V3RestoreTarget.Latest(), V3RestoreOptions.to(out).withForce(true)
            .withIntegrityCheck(IntegrityCheck.QUICK));
    assertArrayEquals(Files.readAllBytes(V3Fixtures.restored("simple", "latest.db")),
        Files.readAllBytes(out));
    assertFalse(Files.exists(V3Restorer.sibling(out, "-wal")));
    assertFalse(Files.exists(V3Restorer.sibling(out, "-shm")));
  }

  @Test
  void restore_failureWithForce_keepsExistingOutput() throws IOException {
    Files.createDirectories(out.getParent());
    Files.writeString(out, "old");
    Files.delete(V3Fixtures.wal(set, GEN, "00000000_00005098.wal.lz4"));
    assertThrows(V3MissingWalSegmentException.class, () -> new V3Restorer(
        new LocalV3Store(V3Fixtures.replica(set))).restore(
            new V3RestoreTarget.Latest(), V3RestoreOptions.to(out).withForce(true)));
    assertEquals("old", Files.readString(out));
    assertFalse(Files.exists(V3Restorer.sibling(out, ".tmp")));
    assertFalse(Files.exists(V3Restorer.sibling(out, ".tmp-wal")));
  }

  @Test
  void restore_staleTempFilesFromCrashedRun_ignoredAndReplaced() throws IOException {
    Files.createDirectories(out.getParent());
    // A stale -wal next to <out>.tmp would be replayed by SQLite if it were not removed first.
    Files.write(V3Restorer.sibling(out, ".tmp"), new byte[] {1, 2, 3});
    Files.copy(V3Fixtures.source("simple").resolve("restored/latest.db"),
        V3Restorer.sibling(out, ".tmp-wal"));
    new V3Restorer(new LocalV3Store(V3Fixtures.replica(set))).restore(
        new V3RestoreTarget.AtTime(Instant.parse("2026-11-22T03:27:20Z")),
        V3RestoreOptions.to(out));
    assertArrayEquals(Files.readAllBytes(V3Fixtures.restored("simple", "after-b1.db")),
        Files.readAllBytes(out));
    assertFalse(Files.exists(V3Restorer.sibling(out, ".tmp-wal")));
  }

  @Test
  void restore_snapshotWithCorruptBtree_integrityCheckFailsAndDeletesOutput() throws IOException {
    Path s = V3Fixtures.snapshot(set, GEN, "00000000.snapshot.lz4");
    byte[] db = lz4Decode(s);
    // Page 2 is the items table root (a leaf); point its first cell beyond the page.
    int page2 = 4096;
    db[page2 + 8] = (byte) 0xff;
    db[page2 + 9] = (byte) 0xf0;
    rewrite(s, lz4Encode(db));
    try (Stream<Path> w = Files.list(V3Fixtures.replica(set).resolve("generations/" + GEN
        + "/wal"))) {
      for (Path p : w.toList()) {
        Files.delete(p);
      }
    }
    var e = assertThrows(V3IntegrityCheckException.class, () -> new V3Restorer(
        new LocalV3Store(V3Fixtures.replica(set))).restore(new V3RestoreTarget.Latest(),
            V3RestoreOptions.to(out).withIntegrityCheck(IntegrityCheck.FULL)));
    assertTrue(e.getMessage().contains("output deleted"), e.getMessage());
    assertNothingLeft();
  }
}
