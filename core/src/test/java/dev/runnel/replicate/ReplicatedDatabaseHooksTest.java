package dev.runnel.replicate;

import dev.runnel.testing.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.ltx.LtxFileName;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.file.FileReplicaClient;
import java.io.InputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine hooks compaction uses: replica listener, retained local L0 files, snapshot ordering. */
class ReplicatedDatabaseHooksTest {
  @TempDir Path tmp;

  private ReplicatedDatabase open(ReplicationRuntime runtime) throws Exception {
    Path db = tmp.resolve("h.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
      st.execute("PRAGMA journal_mode = wal");
      st.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)");
    }
    return ReplicatedDatabase.open(db, FileReplicaClient.create(tmp.resolve("replica")),
        ReplicationOptions.defaults().withMonitorInterval(Duration.ofMillis(20)), runtime);
  }

  private static void write(ReplicatedDatabase db, int n) throws Exception {
    try (Connection c = db.connect(); Statement st = c.createStatement()) {
      for (int i = 0; i < n; i++) {
        st.execute("INSERT INTO t DEFAULT VALUES");
        db.sync();
      }
    }
  }

  @Test
  void replicaListener_uploadsAndSnapshots_reportedBeforeSyncReturns() throws Exception {
    try (ReplicationRuntime runtime = new ReplicationRuntime(2, 4, new TestClock(Instant.parse("2026-01-01T00:00:00Z")));
        ReplicatedDatabase db = open(runtime)) {
      List<LtxFileInfo> seen = new CopyOnWriteArrayList<>();
      db.addReplicaListener(seen::add);
      db.sync();
      seen.clear();
      write(db, 3);
      TxId t = db.sync();
      assertEquals(t, seen.getLast().maxTxId());
      assertTrue(seen.stream().allMatch(f -> f.level() == 0));
      assertEquals(db.replica().list(0).getLast(), seen.getLast());
      LtxFileInfo snap = db.snapshot();
      assertEquals(snap, seen.getLast());
      assertEquals(9, snap.level());
    }
  }

  @Test
  void retainUploadedL0_keepsLocalCopiesUntilDeletedThroughNeverTheNewest() throws Exception {
    try (ReplicationRuntime runtime = new ReplicationRuntime(2, 4, new TestClock(Instant.parse("2026-01-01T00:00:00Z")));
        ReplicatedDatabase db = open(runtime)) {
      db.sync();
      db.setRetainUploadedL0(true);
      write(db, 5);
      List<LtxFileInfo> remote = db.replica().list(0);
      int present = 0;
      for (LtxFileInfo f : remote) {
        var in = db.openLocalL0(f.name());
        if (in.isPresent()) {
          present++;
          in.get().close();
        }
      }
      assertTrue(present >= 5, "local copies kept: " + present);
      TxId newest = remote.getLast().maxTxId();
      db.deleteLocalL0Through(newest);
      assertTrue(db.openLocalL0(remote.getLast().name()).isPresent(), "the newest local file stays");
      assertTrue(db.openLocalL0(remote.get(remote.size() - 2).name()).isEmpty());
      assertTrue(db.openLocalL0(LtxFileName.of(TxId.of(999), TxId.of(999))).isEmpty());
      // Back to the default: the next upload removes older local files itself.
      db.setRetainUploadedL0(false);
      write(db, 1);
      assertTrue(db.openLocalL0(remote.getLast().name()).isEmpty());
    }
  }

  @Test
  void snapshot_neverCoversTxIdsMissingFromL0() throws Exception {
    try (ReplicationRuntime runtime = new ReplicationRuntime(2, 4, new TestClock(Instant.parse("2026-01-01T00:00:00Z")));
        ReplicatedDatabase db = open(runtime)) {
      try (Connection c = db.connect(); Statement st = c.createStatement()) {
        for (int i = 0; i < 20; i++) {
          st.execute("INSERT INTO t DEFAULT VALUES");
          LtxFileInfo snap = db.snapshot(); // no sync() before: the snapshot must wait for the upload itself
          TxId l0Max = db.replica().list(0).getLast().maxTxId();
          assertTrue(snap.maxTxId().compareTo(l0Max) <= 0, "snapshot " + snap + " ahead of L0 " + l0Max);
          try (InputStream in = db.replica().open(snap)) {
            dev.runnel.ltx.LtxDecoder.verify(in, snap.toString());
          }
        }
      }
    }
  }
}
