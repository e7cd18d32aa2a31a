package dev.runnel.replicate;

import dev.runnel.testing.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.ltx.LtxDecoder;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import dev.runnel.replica.file.FileReplicaClient;
import dev.runnel.restore.RestoreTarget;
import dev.runnel.restore.Restorer;
import java.io.InputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Randomized workloads through the application's own connections, recording the content at every
 * TxId that {@code sync()} returns; then restores at every recorded TxId and at timestamps between
 * syncs, and checks each file Runnel wrote against the strict decoder.
 */
class RandomWorkloadTest {
  @TempDir Path tmp;

  @ParameterizedTest(name = "pageSize={0} seed={1}")
  @CsvSource({"1024, 11", "4096, 12", "65536, 13", "4096, 14"})
  void randomWorkload_restoreAtEveryTxIdAndTime_matchesRecordedContent(int pageSize, long seed) throws Exception {
    Random rnd = new Random(seed);
    Path dbPath = tmp.resolve("w.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbPath); Statement st = c.createStatement()) {
      st.execute("PRAGMA page_size = " + pageSize);
      st.execute("PRAGMA journal_mode = wal");
      st.execute("CREATE TABLE kv (k INTEGER PRIMARY KEY, v BLOB)");
    }
    TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    // A small checkpoint threshold and byte cap so checkpoints, WAL restarts and multi-file syncs
    // all happen within a short test.
    ReplicationOptions opts = ReplicationOptions.defaults()
        .withMonitorInterval(Duration.ofMillis(20))
        .withMinCheckpointPageCount(pageSize >= 65536 ? 8 : 40)
        .withMaxSyncWalBytes(64 * 1024);
    Map<TxId, String> byTxId = new LinkedHashMap<>();
    List<Instant> times = new ArrayList<>();
    List<String> timeContent = new ArrayList<>();
    try (ReplicationRuntime runtime = new ReplicationRuntime(2, 4, clock);
        ReplicaClient replica = FileReplicaClient.create(tmp.resolve("replica"))) {
      try (ReplicatedDatabase db = ReplicatedDatabase.open(dbPath, replica, opts, runtime);
          Connection c = db.connect()) {
        int tables = 1;
        for (int step = 0; step < 60; step++) {
          String op = mutate(c, rnd, tables);
          if (op.equals("create")) {
            tables++;
          }
          if (rnd.nextInt(3) == 0 || step == 59) {
            clock.advance(Duration.ofSeconds(1));
            TxId t = db.sync();
            String content = DbContent.hash(c);
            byTxId.put(t, content);
            times.add(clock.instant());
            timeContent.add(content);
            // Later background syncs must not share this sync's timestamp.
            clock.advance(Duration.ofSeconds(1));
          }
        }
        assertTrue(db.status().checkpointCount() > 0, "workload should have checkpointed");
      }
      // Every file Runnel wrote passes strict verification.
      for (int level = 0; level <= 9; level++) {
        for (LtxFileInfo f : replica.list(level)) {
          try (InputStream in = replica.open(f)) {
            LtxDecoder.verify(in, f.toString());
          }
        }
      }
      int i = 0;
      for (Map.Entry<TxId, String> e : byTxId.entrySet()) {
        Path out = tmp.resolve("tx-" + e.getKey() + ".db");
        Restorer.Result r = Restorer.restore(replica, RestoreTarget.atTxId(e.getKey()), out, Restorer.Options.defaults());
        assertEquals(e.getKey(), r.txId());
        assertEquals("ok", DbContent.integrityCheck(out), "integrity at " + e.getKey());
        assertEquals(e.getValue(), DbContent.hash(out), "content at " + e.getKey() + " (seed " + seed + ")");
        i++;
      }
      // Timestamps are exclusive: a time just after a sync's clock reading restores that sync's state.
      for (int k = 0; k < times.size(); k++) {
        Path out = tmp.resolve("time-" + k + ".db");
        Restorer.restore(replica, RestoreTarget.atTime(times.get(k).plusMillis(500)), out, Restorer.Options.defaults());
        assertEquals(timeContent.get(k), DbContent.hash(out), "content at time index " + k + " (seed " + seed + ")");
      }
      assertTrue(i > 5);
    }
  }

  /** One random change; returns what it did. */
  private static String mutate(Connection c, Random rnd, int tables) throws Exception {
    int op = rnd.nextInt(100);
    try (Statement st = c.createStatement()) {
      if (op < 40) {
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement("INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)")) {
          int n = 1 + rnd.nextInt(50);
          for (int i = 0; i < n; i++) {
            ps.setInt(1, rnd.nextInt(5000));
            byte[] v = new byte[rnd.nextInt(10) == 0 ? 5000 + rnd.nextInt(70000) : rnd.nextInt(300)];
            rnd.nextBytes(v);
            ps.setBytes(2, v);
            ps.executeUpdate();
          }
        }
        c.commit();
        c.setAutoCommit(true);
        return "insert";
      } else if (op < 55) {
        st.execute("UPDATE kv SET v = randomblob(" + rnd.nextInt(400) + ") WHERE k % " + (2 + rnd.nextInt(9)) + " = 0");
        return "update";
      } else if (op < 68) {
        st.execute("DELETE FROM kv WHERE k % " + (2 + rnd.nextInt(5)) + " = 1");
        return "delete";
      } else if (op < 76) {
        st.execute("CREATE TABLE IF NOT EXISTS t" + tables + " (a INTEGER, b TEXT)");
        st.execute("INSERT INTO t" + tables + " SELECT k, hex(v) FROM kv LIMIT " + rnd.nextInt(100));
        st.execute("CREATE INDEX IF NOT EXISTS i" + tables + " ON t" + tables + " (b)");
        return "create";
      } else if (op < 82 && tables > 1) {
        st.execute("DROP TABLE IF EXISTS t" + (1 + rnd.nextInt(tables - 1)));
        return "drop";
      } else if (op < 87) {
        st.execute("VACUUM");
        return "vacuum";
      } else if (op < 93) {
        // One transaction much larger than the sync byte cap.
        st.execute("WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < " + (50 + rnd.nextInt(200))
            + ") INSERT OR REPLACE INTO kv (k, v) SELECT x + 10000, randomblob(2000) FROM s");
        return "big";
      } else {
        st.execute("DELETE FROM kv WHERE k >= 10000");
        return "shrink";
      }
    }
  }
}
