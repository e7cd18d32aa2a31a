package dev.runnel.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.compact.CompactionConfig;
import dev.runnel.compact.CompactionService;
import dev.runnel.testing.TestClock;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.file.FileReplicaClient;
import dev.runnel.replicate.ReplicatedDatabase;
import dev.runnel.replicate.ReplicationOptions;
import dev.runnel.replicate.ReplicationRuntime;
import dev.runnel.verify.VerifyProblem.Kind;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Verification of a healthy replica and of replicas damaged in one precise way each. */
class ReplicaVerifierTest {
  @TempDir Path tmp;
  Path healthy;

  @BeforeEach
  void buildReplica() throws Exception {
    Path db = tmp.resolve("v.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
      st.execute("PRAGMA journal_mode = wal");
      st.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
    }
    healthy = tmp.resolve("healthy");
    TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    try (ReplicationRuntime runtime = new ReplicationRuntime(2, 4, clock);
        CompactionService svc = CompactionService.manual(CompactionConfig.defaults(), clock);
        ReplicatedDatabase rdb = ReplicatedDatabase.open(db, FileReplicaClient.create(healthy),
            ReplicationOptions.defaults().withMonitorInterval(Duration.ofMillis(50)), runtime);
        Connection c = rdb.connect()) {
      for (int i = 0; i < 4; i++) {
        try (Statement st = c.createStatement()) {
          st.execute("INSERT INTO t (v) SELECT randomblob(3000) FROM (SELECT 1 UNION SELECT 2)");
        }
        rdb.sync();
      }
      svc.attach(rdb);
      svc.runDue(); // the snapshot (L1 starts after it: the snapshot already covers these TxIds)
      for (int i = 0; i < 6; i++) {
        clock.advance(Duration.ofSeconds(10));
        try (Statement st = c.createStatement()) {
          st.execute("INSERT INTO t (v) VALUES (randomblob(500))");
        }
        rdb.sync();
      }
      clock.advance(Duration.ofSeconds(30));
      svc.runDue();
    }
  }

  private Path copy(String name) throws Exception {
    Path dst = tmp.resolve(name);
    try (Stream<Path> s = Files.walk(healthy)) {
      for (Path p : s.toList()) {
        Path t = dst.resolve(healthy.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
    return dst;
  }

  private VerifyResult verify(Path replica) throws Exception {
    try (FileReplicaClient r = FileReplicaClient.create(replica)) {
      return ReplicaVerifier.verify(r, ReplicaVerifier.Options.defaults().withRestoreEverySnapshot(true)
          .withTempDir(tmp.resolve("verify-tmp")));
    }
  }

  private static List<LtxFileInfo> level(Path replica, int level) throws Exception {
    try (FileReplicaClient r = FileReplicaClient.create(replica)) {
      return r.list(level);
    }
  }

  @Test
  void verify_healthyReplica_clean() throws Exception {
    VerifyResult v = verify(healthy);
    assertEquals(List.of(), v.problems());
    assertTrue(v.ok());
    VerifyResult.Summary s = v.summary();
    assertTrue(s.filesPerLevel().get(0) >= 8 && s.filesPerLevel().get(1) >= 1 && s.filesPerLevel().get(9) == 1,
        "levels " + s.filesPerLevel());
    assertEquals(s.files(), s.filesVerified());
    assertEquals(0, s.filesBad());
    assertEquals(1, s.snapshotsRestored());
    assertTrue(s.restoredTxId().isPresent());
  }

  @Test
  void verify_cumulativeLevelFiles_noWarning_partialOverlapWarns_gapFails() throws Exception {
    Path r = tmp.resolve("cumulative");
    try (FileReplicaClient c = FileReplicaClient.create(r)) {
      // Cumulative periods [1..], [5..]; [3..3] lies inside [1..4] (superseded): all expected.
      long[][] l1 = {{1, 2}, {1, 4}, {3, 3}, {5, 6}, {5, 8}, {7, 9}, {11, 11}};
      for (long[] f : l1) {
        byte[] page = new byte[512];
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        dev.runnel.ltx.LtxEncoder enc = new dev.runnel.ltx.LtxEncoder(out, dev.runnel.ltx.LtxHeader.of(512, 1,
            dev.runnel.ltx.TxId.of(f[0]), dev.runnel.ltx.TxId.of(f[1]), 1_767_225_600_000L + f[1]));
        enc.encodePage(1, page);
        enc.finish();
        c.write(1, dev.runnel.ltx.TxId.of(f[0]), dev.runnel.ltx.TxId.of(f[1]),
            new java.io.ByteArrayInputStream(out.toByteArray()));
      }
      VerifyResult v = ReplicaVerifier.verify(c, ReplicaVerifier.Options.defaults().withRestoreLatest(false));
      assertEquals(List.of(Kind.OVERLAP, Kind.GAP), v.problems().stream().map(VerifyProblem::kind).toList(),
          v.problems().toString());
      assertEquals("0000000000000007-0000000000000009.ltx", v.problems(Kind.OVERLAP).getFirst().file());
      assertEquals(VerifyProblem.Severity.WARNING, v.problems(Kind.OVERLAP).getFirst().severity());
      assertEquals("min txid 000000000000000a", v.problems(Kind.GAP).getFirst().expected());
      assertEquals(VerifyProblem.Severity.ERROR, v.problems(Kind.GAP).getFirst().severity());
    }
  }

  @Test
  void verify_middleL0FileDeleted_reportsGapWithTxIds() throws Exception {
    Path r = copy("gap");
    List<LtxFileInfo> l0 = level(r, 0);
    LtxFileInfo victim = l0.get(l0.size() / 2);
    LtxFileInfo next = l0.get(l0.size() / 2 + 1);
    Files.delete(FileReplicaClient.create(r).filePath(0, victim.minTxId(), victim.maxTxId()));
    VerifyResult v = verify(r);
    assertFalse(v.ok());
    List<VerifyProblem> gaps = v.problems(Kind.GAP);
    assertEquals(1, gaps.size(), v.problems().toString());
    VerifyProblem g = gaps.getFirst();
    assertEquals(0, g.level());
    assertEquals(next.name().toString(), g.file());
    assertEquals("min txid " + victim.minTxId(), g.expected());
    assertEquals("min txid " + next.minTxId(), g.actual());
    assertTrue(g.message().contains(victim.minTxId() + ".." + victim.maxTxId() + " are missing from level 0"), g.message());
  }

  @Test
  void verify_corruptByteInSnapshot_reportsChecksumFailureOfThatFile() throws Exception {
    Path r = copy("corrupt");
    LtxFileInfo snap = level(r, 9).getFirst();
    Path p = FileReplicaClient.create(r).filePath(9, snap.minTxId(), snap.maxTxId());
    byte[] b = Files.readAllBytes(p);
    b[b.length - 40] ^= 0x5a; // inside the page index
    Files.write(p, b);
    VerifyResult v = verify(r);
    assertFalse(v.ok());
    List<VerifyProblem> corrupt = v.problems(Kind.CORRUPT);
    assertEquals(1, corrupt.size(), v.problems().toString());
    assertEquals(9, corrupt.getFirst().level());
    assertEquals(snap.name().toString(), corrupt.getFirst().file());
    assertEquals(1, v.summary().filesBad());
    assertEquals(0, v.summary().snapshotsRestored());
  }

  @Test
  void verify_truncatedFile_reportsUnexpectedEnd() throws Exception {
    Path r = copy("truncated");
    LtxFileInfo f = level(r, 1).getFirst();
    Path p = FileReplicaClient.create(r).filePath(1, f.minTxId(), f.maxTxId());
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() / 2);
    }
    VerifyResult v = verify(r);
    assertFalse(v.ok());
    List<VerifyProblem> corrupt = v.problems(Kind.CORRUPT);
    assertEquals(1, corrupt.size(), v.problems().toString());
    assertEquals(1, corrupt.getFirst().level());
    assertEquals(f.name().toString(), corrupt.getFirst().file());
    assertTrue(corrupt.getFirst().message().contains("unexpected end of file"), corrupt.getFirst().message());
  }

  @Test
  void verify_fileNamedForOtherTxIds_reportsNameMismatch() throws Exception {
    Path r = copy("misnamed");
    List<LtxFileInfo> l0 = level(r, 0);
    LtxFileInfo a = l0.get(2);
    LtxFileInfo b = l0.get(3);
    FileReplicaClient c = FileReplicaClient.create(r);
    Files.copy(c.filePath(0, b.minTxId(), b.maxTxId()), c.filePath(0, a.minTxId(), a.maxTxId()),
        StandardCopyOption.REPLACE_EXISTING);
    VerifyResult v = verify(r);
    assertFalse(v.ok());
    List<VerifyProblem> m = v.problems(Kind.NAME_MISMATCH);
    assertEquals(1, m.size(), v.problems().toString());
    assertEquals(0, m.getFirst().level());
    assertEquals(a.name().toString(), m.getFirst().actual());
    assertEquals(b.name().toString(), m.getFirst().expected());
  }

  @Test
  void verify_emptyReplica_reportsEmpty() throws Exception {
    VerifyResult v = verify(tmp.resolve("nothing"));
    assertFalse(v.ok());
    assertEquals(Kind.EMPTY, v.problems().getFirst().kind());
  }
}
