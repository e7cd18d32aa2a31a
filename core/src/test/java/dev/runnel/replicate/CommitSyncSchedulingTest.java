package dev.runnel.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.ltx.LtxDecoder;
import dev.runnel.ltx.LtxHeader;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.wal.WalFrame;
import dev.runnel.replica.file.FileReplicaClient;
import java.io.InputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When commits through Runnel's connections sync: a burst's last commit promptly (not at the next
 * monitor tick), and a writer that keeps committing gets coalesced files rather than one per pass.
 */
class CommitSyncSchedulingTest {
  @TempDir Path tmp;

  /** The monitor tick is far away: only commit hints can sync anything within these tests. */
  private static final ReplicationOptions NO_TICK = ReplicationOptions.defaults()
      .withMonitorInterval(Duration.ofSeconds(60)).withMinCheckpointPageCount(1_000_000)
      .withTruncatePageN(2_000_000).withCheckpointInterval(Duration.ZERO);

  private Path newDb() throws Exception {
    Path db = tmp.resolve("c.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
      st.execute("PRAGMA journal_mode = wal");
      st.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
    }
    return db;
  }

  @Test
  void commitHint_burstEnds_lastCommitSyncedWithoutTickOrForcedSync() throws Exception {
    Random rnd = new Random(7);
    try (ReplicationRuntime rt = ReplicationRuntime.createDefault();
        ReplicatedDatabase db = ReplicatedDatabase.open(newDb(), FileReplicaClient.create(tmp.resolve("r")), NO_TICK, rt);
        Connection c = db.connect();
        PreparedStatement ins = c.prepareStatement("INSERT INTO t (v) VALUES (?)")) {
      db.sync();
      for (int burst = 0; burst < 15; burst++) {
        int n = 1 + rnd.nextInt(400);
        for (int i = 0; i < n; i++) {
          ins.setString(1, "burst " + burst + " row " + i);
          ins.executeUpdate();
        }
        // Everything must reach the replica on its own: wait until the replicated position has
        // stood still for 300 ms; a forced sync then finds nothing new.
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        TxId replicated = db.replicatedTxId();
        long stillSince = System.nanoTime();
        while (System.nanoTime() < deadline && System.nanoTime() - stillSince < Duration.ofMillis(300).toNanos()) {
          Thread.sleep(10);
          TxId now = db.replicatedTxId();
          if (!now.equals(replicated) || now.compareTo(db.localTxId()) < 0) {
            replicated = now;
            stillSince = System.nanoTime();
          }
        }
        assertEquals(replicated, db.sync(), "burst " + burst + " of " + n + " commits: its tail was left to the tick");
      }
    }
  }

  @Test
  void commitHint_writerKeepsCommitting_filesCoalescedToTheBusyGap() throws Exception {
    List<LtxHeader> headers = new ArrayList<>();
    try (ReplicationRuntime rt = ReplicationRuntime.createDefault();
        ReplicatedDatabase db = ReplicatedDatabase.open(newDb(), FileReplicaClient.create(tmp.resolve("r")), NO_TICK, rt);
        Connection c = db.connect();
        PreparedStatement ins = c.prepareStatement("INSERT INTO t (v) VALUES (?)")) {
      try (Statement st = c.createStatement()) {
        st.execute("PRAGMA synchronous = OFF"); // as fast a writer as this machine allows
      }
      TxId start = db.sync();
      long end = System.nanoTime() + Duration.ofMillis(1500).toNanos();
      int i = 0;
      while (System.nanoTime() < end) {
        ins.setString(1, "row " + i++);
        ins.executeUpdate();
      }
      db.sync();
      for (LtxFileInfo f : db.replica().list(0)) {
        if (f.minTxId().compareTo(start) > 0) {
          try (InputStream in = db.replica().open(f)) {
            headers.add(new LtxDecoder(in, f.toString()).header());
          }
        }
      }
    }
    int busy = 0;
    for (int k = 0; k + 2 < headers.size(); k++) { // the last file came from the forced sync
      LtxHeader h = headers.get(k);
      if (h.walSize() >= 8L * (WalFrame.HEADER_SIZE + h.pageSize())) {
        busy++;
        long gap = headers.get(k + 1).timestamp() - h.timestamp();
        assertTrue(gap >= 19, "file after a busy one (" + h.walSize() + " WAL bytes) came " + gap + " ms later: "
            + h.maxTxId());
      }
    }
    assertTrue(busy > 0, "the writer was fast enough to fill busy files: " + headers.size() + " files");
  }

  @Test
  void commitHint_storeSlowerThanCommits_filesFollowTheUploadPace() throws Exception {
    // A store with 60 ms writes (a distant S3) behind a writer that commits every ~2 ms for 3 s: if
    // commit-triggered passes ignored the uploads, they would make a file per busy gap (20 ms),
    // three times what the store takes, and the backlog (and the lag) would grow for as long as
    // the writer runs. Passes must wait for the uploader instead, so each file carries what was
    // committed during the previous upload.
    FaultyReplicaClient store = new FaultyReplicaClient(FileReplicaClient.create(tmp.resolve("r")));
    try (ReplicationRuntime rt = ReplicationRuntime.createDefault();
        ReplicatedDatabase db = ReplicatedDatabase.open(newDb(), store, NO_TICK, rt);
        Connection c = db.connect();
        PreparedStatement ins = c.prepareStatement("INSERT INTO t (v) VALUES (?)")) {
      db.sync();
      store.writeDelayMs = 60;
      long syncsBefore = db.status().syncCount();
      long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      int i = 0;
      while (System.nanoTime() < end) {
        ins.setString(1, "row " + i++);
        ins.executeUpdate();
        Thread.sleep(2);
      }
      TxId last = db.localTxId();
      long files = db.status().syncCount() - syncsBefore;
      long t0 = System.nanoTime();
      // The commits of the last upload's duration may still be uncaptured: let the hints do it.
      assertTrue(db.awaitReplicated(db.localTxId(), Duration.ofSeconds(30)), "replicated eventually");
      long catchUpMs = (System.nanoTime() - t0) / 1_000_000;
      // 3 s / 60 ms = 50 uploads at most; a pass per busy gap would have made about 150 files.
      assertTrue(files <= 65, files + " L0 files for 3 s against a 60 ms store (uploads pace them: <= 65)");
      assertTrue(catchUpMs < 1000, "catch-up after the writer stopped took " + catchUpMs + " ms (backlog); "
          + files + " files, last local " + last);
    }
  }

  @Test
  void commitHint_storeDownAndRetrying_commitsStillCapturedThenReplicated() throws Exception {
    // While uploads fail and wait for their retry, commit hints must still capture (and let
    // checkpoints run): with no monitor tick, a pass that waited for the failing uploader would
    // leave the commit uncaptured for as long as the store is down.
    FaultyReplicaClient store = new FaultyReplicaClient(FileReplicaClient.create(tmp.resolve("r")));
    try (ReplicationRuntime rt = ReplicationRuntime.createDefault();
        ReplicatedDatabase db = ReplicatedDatabase.open(newDb(), store, NO_TICK, rt);
        Connection c = db.connect();
        PreparedStatement ins = c.prepareStatement("INSERT INTO t (v) VALUES (?)")) {
      TxId start = db.sync();
      store.down.set(true);
      ins.setString(1, "while down 1");
      ins.executeUpdate();
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (store.failedWrites.get() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertTrue(store.failedWrites.get() > 0, "the first upload failed");
      TxId before = db.localTxId();
      ins.setString(1, "while down 2");
      ins.executeUpdate();
      deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      while (db.localTxId().compareTo(before) <= 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertTrue(db.localTxId().compareTo(before) > 0, "a commit while the store is down was not captured: local "
          + db.localTxId() + ", before it " + before + " (start " + start + ")");
      assertEquals(start, db.replicatedTxId(), "nothing reached the dead store");
      store.down.set(false);
      assertTrue(db.awaitReplicated(db.localTxId(), Duration.ofSeconds(30)), "replicated once the store is back");
    }
  }
}
