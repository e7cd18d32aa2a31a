package dev.runnel.restore.v3;

import dev.runnel.restore.IntegrityCheck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Arrays;
import net.jpountz.lz4.LZ4FrameOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fixtures only have WAL index 0. This builds a replica with two WAL indexes (the WAL was
 * restarted by a checkpoint in between, so index 1 has new salts) the way 0.3 lays it out, with
 * index 1 split into two segments, and restores across the index boundary.
 */
class V3MultiIndexRestoreTest {
  private static final String GEN = "00112233aabbccdd";
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path dir;
  private Path replica;

  @BeforeEach
  void buildReplica() throws Exception {
    replica = dir.resolve("replica");
    Path db = dir.resolve("src/app.db");
    Files.createDirectories(db.getParent());
    Path wal = db.resolveSibling("app.db-wal");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement()) {
      st.execute("PRAGMA journal_mode=WAL");
      st.execute("PRAGMA wal_autocheckpoint=0");
      st.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
      checkpoint(st);
      put(replica.resolve("generations/" + GEN + "/snapshots/00000000.snapshot.lz4"),
          Files.readAllBytes(db), 0);
      st.execute("INSERT INTO t VALUES (1, 'index0')");
      put(seg(0, 0), Files.readAllBytes(wal), 1);
      checkpoint(st); // restarts the WAL: the next write begins index 1
      st.execute("INSERT INTO t VALUES (2, 'index1-a')");
      byte[] w1a = Files.readAllBytes(wal);
      put(seg(1, 0), w1a, 2);
      st.execute("INSERT INTO t WITH RECURSIVE s(x) AS (SELECT 3 UNION ALL SELECT x + 1 FROM s"
          + " WHERE x < 43) SELECT x, hex(randomblob(500)) FROM s");
      byte[] w1 = Files.readAllBytes(wal);
      put(seg(1, w1a.length), Arrays.copyOfRange(w1, w1a.length, w1.length), 3);
    }
  }

  private static void checkpoint(Statement st) throws SQLException {
    try (ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
      rs.next();
      assertEquals(0, rs.getInt(1));
    }
  }

  private Path seg(long index, long offset) {
    return replica.resolve("generations/" + GEN + "/wal/" + V3Names.hex8(index) + "_"
        + String.format("%08x", offset) + ".wal.lz4");
  }

  private static void put(Path p, byte[] raw, int second) throws IOException {
    Files.createDirectories(p.getParent());
    try (OutputStream o = new LZ4FrameOutputStream(Files.newOutputStream(p))) {
      o.write(raw);
    }
    Files.setLastModifiedTime(p, FileTime.from(T0.plusSeconds(second)));
  }

  private static String rows(Path db) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(
            "SELECT count(*), group_concat(id) FROM (SELECT id FROM t ORDER BY id LIMIT 3)")) {
      rs.next();
      return rs.getInt(1) + ":" + rs.getString(2);
    }
  }

  private V3RestoreResult restore(V3RestoreTarget target, Path out) throws IOException {
    return new V3Restorer(new LocalV3Store(replica)).restore(target,
        V3RestoreOptions.to(out).withIntegrityCheck(IntegrityCheck.FULL));
  }

  @Test
  void restoreLatest_twoWalIndexes_appliesBoth() throws Exception {
    Path out = dir.resolve("latest.db");
    V3RestoreResult r = restore(new V3RestoreTarget.Latest(), out);
    assertEquals(3, r.plan().segments().size());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + out);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM t")) {
      rs.next();
      assertEquals(43, rs.getInt(1));
    }
    assertEquals(r.pageCount() * r.pageSize(), Files.size(out));
  }

  @Test
  void restoreGenerationIndex_index0_stopsBeforeWalRestart() throws Exception {
    Path out = dir.resolve("i0.db");
    restore(new V3RestoreTarget.GenerationIndex(GEN, 0), out);
    assertEquals("1:1", rows(out));
  }

  @Test
  void restoreAtTime_firstSegmentOfIndex1_stopsInsideIndex() throws Exception {
    Path out = dir.resolve("t2.db");
    restore(new V3RestoreTarget.AtTime(T0.plusSeconds(2)), out);
    assertEquals("2:1,2", rows(out));
  }
}
