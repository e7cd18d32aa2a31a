package dev.runnel.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.replica.file.FileReplicaClient;
import dev.runnel.restore.IntegrityCheck;
import dev.runnel.restore.RestoreTarget;
import dev.runnel.restore.Restorer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several application threads write through their own connections, with sqlite-jdbc's default
 * busy timeout, while Runnel syncs and checkpoints (small threshold so it happens often). No
 * writer may see SQLITE_BUSY, and the replica ends equal to the database.
 */
class ConcurrentWritersTest {
  @TempDir Path tmp;

  @Test
  void writersDuringCheckpoints_neverBusy_replicaMatches() throws Exception {
    Path dbPath = tmp.resolve("app.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbPath); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, w INTEGER, v BLOB)");
    }
    ReplicationOptions opts = ReplicationOptions.defaults()
        .withMonitorInterval(Duration.ofMillis(10))
        .withMinCheckpointPageCount(20);
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    try (ReplicationRuntime runtime = ReplicationRuntime.createDefault();
        FileReplicaClient replica = FileReplicaClient.create(tmp.resolve("replica"));
        ReplicatedDatabase db = ReplicatedDatabase.open(dbPath, replica, opts, runtime)) {
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int id = w;
        Thread t = new Thread(() -> {
          // Half the writers use plain connections (default busy timeout), half Runnel's.
          try (Connection c = id % 2 == 0 ? db.connect() : DriverManager.getConnection("jdbc:sqlite:" + dbPath);
              PreparedStatement ps = c.prepareStatement("INSERT INTO t (w, v) VALUES (?, randomblob(?))")) {
            for (int i = 0; i < 300; i++) {
              ps.setInt(1, id);
              ps.setInt(2, 50 + (i % 7) * 300);
              ps.executeUpdate();
            }
          } catch (Throwable e) {
            errors.add(e);
          }
        });
        threads.add(t);
        t.start();
      }
      for (Thread t : threads) {
        t.join();
      }
      assertTrue(errors.isEmpty(), "writers failed: " + errors);
      db.sync();
      assertTrue(db.status().checkpointCount() > 0, "checkpoints should have run during the writes");
      Path out = tmp.resolve("r.db");
      Restorer.restore(replica, RestoreTarget.latest(), out,
          Restorer.Options.defaults().withIntegrityCheck(IntegrityCheck.FULL));
      assertEquals(DbContent.hash(dbPath), DbContent.hash(out));
      assertEquals(0, db.status().fullPageSyncCount() - 1, "only the first sync is full-page");
    }
  }

  /**
   * An application connection that auto-checkpoints after every commit (wal_autocheckpoint = 1)
   * backfills whatever no reader pins. Right after Runnel's checkpoint, nothing used to pin the
   * generation a writer had just started, so it was backfilled and the WAL restarted twice around
   * one checkpoint: a full-page sync each time.
   */
  @Test
  void checkpoints_eagerAutoCheckpointingWriter_walRestartsOncePerCheckpoint() throws Exception {
    Path dbPath = tmp.resolve("eager.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbPath); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
    }
    ReplicationOptions opts = ReplicationOptions.defaults()
        .withMonitorInterval(Duration.ofMillis(5))
        .withMinCheckpointPageCount(10);
    try (ReplicationRuntime runtime = ReplicationRuntime.createDefault();
        FileReplicaClient replica = FileReplicaClient.create(tmp.resolve("replica-eager"));
        ReplicatedDatabase db = ReplicatedDatabase.open(dbPath, replica, opts, runtime);
        Connection app = DriverManager.getConnection("jdbc:sqlite:" + dbPath);
        Statement st = app.createStatement()) {
      st.execute("PRAGMA busy_timeout = 5000");
      st.execute("PRAGMA wal_autocheckpoint = 1");
      try (PreparedStatement ps = app.prepareStatement("INSERT INTO t (v) VALUES (randomblob(?))")) {
        long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        int i = 0;
        while (System.nanoTime() < end || db.status().checkpointCount() < 20) {
          ps.setInt(1, 100 + (i++ % 5) * 900);
          ps.executeUpdate();
        }
      }
      db.sync();
      assertTrue(db.status().checkpointCount() >= 20, "checkpoints: " + db.status().checkpointCount());
      Path out = tmp.resolve("eager-r.db");
      Restorer.restore(replica, RestoreTarget.latest(), out,
          Restorer.Options.defaults().withIntegrityCheck(IntegrityCheck.FULL));
      assertEquals(DbContent.hash(dbPath), DbContent.hash(out));
      assertEquals(0, db.status().fullPageSyncCount() - 1, "only the first sync is full-page");
    }
  }
}
