package dev.runnel.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.file.FileReplicaClient;
import dev.runnel.restore.RestoreTarget;
import dev.runnel.restore.Restorer;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dead object store never blocks the application; changes queue locally and land later. */
class DeadStoreTest {
  @TempDir Path tmp;

  private Path newDb() throws Exception {
    Path db = tmp.resolve("app.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
    }
    return db;
  }

  private static ReplicationOptions opts() {
    return ReplicationOptions.defaults()
        .withMonitorInterval(Duration.ofMillis(20))
        .withUploadRetryMax(Duration.ofMillis(200))
        .withShutdownSync(Duration.ofMillis(600), Duration.ofMillis(100));
  }

  @Test
  void storeDown_writesContinue_thenCatchUpWhenBack() throws Exception {
    Path dbPath = newDb();
    FaultyReplicaClient replica = new FaultyReplicaClient(FileReplicaClient.create(tmp.resolve("replica")));
    try (ReplicationRuntime runtime = ReplicationRuntime.createDefault();
        ReplicatedDatabase db = ReplicatedDatabase.open(dbPath, replica, opts(), runtime)) {
      db.sync();
      replica.down.set(true);
      String expected;
      try (Connection c = db.connect(); Statement st = c.createStatement()) {
        long t0 = System.nanoTime();
        for (int i = 0; i < 200; i++) {
          st.execute("INSERT INTO t (v) VALUES ('while down " + i + "')");
        }
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos(), "writes must not wait for the store");
        expected = DbContent.hash(c);
      }
      IOException e = assertThrows(IOException.class, () -> db.sync(Duration.ofMillis(300)));
      assertTrue(e.getMessage().contains("injected") && e.getMessage().contains("queued locally"), e.getMessage());
      assertTrue(db.status().lag().toMillis() > 0, "lag must show while the store is down");
      assertTrue(replica.failedWrites.get() > 0);

      replica.down.set(false);
      TxId local = db.localTxId();
      assertTrue(db.awaitReplicated(local, Duration.ofSeconds(10)), "uploads resume when the store is back");
      Path out = tmp.resolve("r.db");
      Restorer.restore(replica, RestoreTarget.latest(), out, Restorer.Options.defaults());
      assertEquals(expected, DbContent.hash(out));
    }
  }

  @Test
  void closeWhileStoreDown_throwsAndKeepsChanges_nextOpenUploadsThem() throws Exception {
    Path dbPath = newDb();
    FaultyReplicaClient replica = new FaultyReplicaClient(FileReplicaClient.create(tmp.resolve("replica")));
    String expected;
    try (ReplicationRuntime runtime = ReplicationRuntime.createDefault()) {
      ReplicatedDatabase db = ReplicatedDatabase.open(dbPath, replica, opts(), runtime);
      db.sync();
      replica.down.set(true);
      try (Connection c = db.connect(); Statement st = c.createStatement()) {
        st.execute("INSERT INTO t (v) VALUES ('pending at shutdown')");
        expected = DbContent.hash(c);
      }
      IOException e = assertThrows(IOException.class, db::close);
      assertTrue(e.getMessage().contains("final upload"), e.getMessage());
      db.close(); // idempotent
    }
    replica.down.set(false);
    try (ReplicationRuntime runtime = ReplicationRuntime.createDefault();
        ReplicatedDatabase db = ReplicatedDatabase.open(dbPath, replica, opts(), runtime)) {
      db.sync();
      Path out = tmp.resolve("r2.db");
      Restorer.restore(replica, RestoreTarget.latest(), out, Restorer.Options.defaults());
      assertEquals(expected, DbContent.hash(out));
    }
  }
}
