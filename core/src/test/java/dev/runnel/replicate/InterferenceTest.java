package dev.runnel.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import dev.runnel.replica.file.FileReplicaClient;
import dev.runnel.restore.IntegrityCheck;
import dev.runnel.restore.RestoreTarget;
import dev.runnel.restore.Restorer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Other processes (here: connections Runnel does not own) checkpoint, write while Runnel is
 * stopped, replace the file, or wipe the local state. Each is detected, and the replica still
 * restores exactly the database's content.
 */
class InterferenceTest {
  @TempDir Path tmp;
  ReplicationRuntime runtime;
  ReplicaClient replica;
  Path dbPath;

  @BeforeEach
  void setUp() throws Exception {
    runtime = ReplicationRuntime.createDefault();
    replica = FileReplicaClient.create(tmp.resolve("replica"));
    dbPath = tmp.resolve("app.db");
    exec(dbPath, "PRAGMA journal_mode = wal", "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
  }

  @AfterEach
  void tearDown() throws Exception {
    replica.close();
    runtime.close();
  }

  private static void exec(Path db, String... sql) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
      st.execute("PRAGMA busy_timeout = 5000");
      for (String s : sql) {
        st.execute(s);
      }
    }
  }

  private ReplicatedDatabase open() throws Exception {
    return ReplicatedDatabase.open(dbPath, replica,
        ReplicationOptions.defaults().withMonitorInterval(Duration.ofMillis(20)), runtime);
  }

  private void assertRestoresCurrentContent() throws Exception {
    Path out = tmp.resolve("restored-" + System.nanoTime() + ".db");
    Restorer.restore(replica, RestoreTarget.latest(), out,
        Restorer.Options.defaults().withIntegrityCheck(IntegrityCheck.FULL));
    assertEquals(DbContent.hash(dbPath), DbContent.hash(out));
  }

  private void assertL0Contiguous() throws Exception {
    TxId prev = TxId.ZERO;
    for (LtxFileInfo f : replica.list(0)) {
      assertEquals(prev.next(), f.minTxId(), "gap before " + f);
      prev = f.maxTxId();
    }
  }

  @Test
  void externalCheckpoints_whileReplicating_restoreCorrect() throws Exception {
    try (ReplicatedDatabase db = open()) {
      db.sync();
      for (String mode : new String[] {"PASSIVE", "RESTART", "TRUNCATE", "FULL"}) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbPath); Statement st = c.createStatement()) {
          st.execute("PRAGMA busy_timeout = 200");
          st.execute("INSERT INTO t (v) VALUES (randomblob(3000))");
          st.execute("INSERT INTO t (v) VALUES (randomblob(3000))");
          try {
            st.execute("PRAGMA wal_checkpoint(" + mode + ")");
          } catch (java.sql.SQLException busy) {
            // Runnel's read transaction keeps blocking checkpoints from finishing; that is the point.
          }
          st.execute("INSERT INTO t (v) VALUES (randomblob(100))");
        }
        db.sync();
        assertRestoresCurrentContent();
      }
      assertL0Contiguous();
    }
  }

  @Test
  void writesWhileStopped_detectedAsFullPage_restoreCorrect() throws Exception {
    try (ReplicatedDatabase db = open()) {
      exec(dbPath, "INSERT INTO t (v) VALUES (randomblob(500))");
      db.sync();
    }
    // Written, checkpointed and WAL deleted by someone else while Runnel was not running.
    exec(dbPath, "INSERT INTO t (v) VALUES (randomblob(7000))", "DELETE FROM t WHERE id = 1");
    try (ReplicatedDatabase db = open()) {
      db.sync();
      assertTrue(db.status().fullPageSyncCount() >= 1, "writes while stopped must force a full-page sync");
      assertRestoresCurrentContent();
      assertL0Contiguous();
    }
  }

  @Test
  void fileReplacedWhileStopped_detected_restoreHasNewContent() throws Exception {
    try (ReplicatedDatabase db = open()) {
      exec(dbPath, "INSERT INTO t (v) VALUES (randomblob(500))");
      db.sync();
    }
    Path other = tmp.resolve("other.db");
    exec(other, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)", "CREATE TABLE other (x)",
        "INSERT INTO other VALUES (42)");
    Files.move(other, dbPath, StandardCopyOption.REPLACE_EXISTING);
    try (ReplicatedDatabase db = open()) {
      db.sync();
      assertTrue(db.status().fullPageSyncCount() >= 1);
      assertRestoresCurrentContent();
    }
  }

  @Test
  void localStateDeleted_continuesAfterReplicaMax() throws Exception {
    TxId before;
    try (ReplicatedDatabase db = open()) {
      exec(dbPath, "INSERT INTO t (v) VALUES (randomblob(500))");
      before = db.sync();
    }
    try (Stream<Path> s = Files.walk(MetaDirectory.defaultFor(dbPath))) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    try (ReplicatedDatabase db = open()) {
      exec(dbPath, "INSERT INTO t (v) VALUES (randomblob(500))");
      TxId after = db.sync();
      assertTrue(after.isAfter(before));
      assertRestoresCurrentContent();
      assertL0Contiguous();
    }
  }

  @Test
  void adoptRestored_thenReplicate_continuesIncrementally() throws Exception {
    TxId t;
    try (ReplicatedDatabase db = open()) {
      exec(dbPath, "INSERT INTO t (v) VALUES (randomblob(50000))");
      t = db.sync();
    }
    Path copy = tmp.resolve("copy.db");
    Restorer.Result r = Restorer.restore(replica, RestoreTarget.latest(), copy, Restorer.Options.defaults());
    assertEquals(t, r.txId());
    ReplicatedDatabase.adoptRestored(copy, r.txId());
    dbPath = copy;
    try (ReplicatedDatabase db = open()) {
      exec(copy, "INSERT INTO t (v) VALUES (randomblob(10))");
      assertTrue(db.sync().isAfter(t));
      assertEquals(0, db.status().fullPageSyncCount(), "a freshly restored database needs no full-page sync");
      assertRestoresCurrentContent();
      assertL0Contiguous();
    }
  }

  @Test
  void adoptRestored_thenModifiedBeforeOpen_fallsBackToFullPage() throws Exception {
    TxId t;
    try (ReplicatedDatabase db = open()) {
      t = db.sync();
    }
    Path copy = tmp.resolve("copy2.db");
    Restorer.restore(replica, RestoreTarget.latest(), copy, Restorer.Options.defaults());
    ReplicatedDatabase.adoptRestored(copy, t);
    exec(copy, "INSERT INTO t (v) VALUES (randomblob(10))"); // changes the file behind Runnel's back
    dbPath = copy;
    try (ReplicatedDatabase db = open()) {
      db.sync();
      assertTrue(db.status().fullPageSyncCount() >= 1);
      assertRestoresCurrentContent();
    }
  }

  @Test
  void databaseDeletedWhileReplicating_syncFailsClearly_noFurtherFiles() throws Exception {
    try (ReplicatedDatabase db = open()) {
      exec(dbPath, "INSERT INTO t (v) VALUES (randomblob(500))");
      db.sync();
      Files.delete(dbPath);
      var e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, db::sync);
      assertTrue(e.getMessage().contains("deleted while being replicated"), e.getMessage());
      int files = replica.list(0).size();
      Thread.sleep(200); // several monitor intervals: nothing more may be written
      assertEquals(files, replica.list(0).size());
    }
  }

  @Test
  void databaseReplacedWhileReplicating_syncFailsClearly() throws Exception {
    try (ReplicatedDatabase db = open()) {
      db.sync();
      Path other = tmp.resolve("other2.db");
      exec(other, "CREATE TABLE z (x)");
      Files.move(other, dbPath, StandardCopyOption.REPLACE_EXISTING);
      var e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, db::sync);
      assertTrue(e.getMessage().contains("replaced while being replicated"), e.getMessage());
    }
  }

  @Test
  void damagedLocalFileAfterPowerLoss_droppedAndRecaptured_restoreCorrect() throws Exception {
    ReplicationOptions noUpload = ReplicationOptions.defaults().withMonitorInterval(Duration.ofMillis(20))
        .withShutdownSync(Duration.ZERO, Duration.ofMillis(10));
    FaultyReplicaClient faulty = new FaultyReplicaClient(replica);
    ReplicatedDatabase db = ReplicatedDatabase.open(dbPath, faulty, noUpload, runtime);
    db.sync(Duration.ofSeconds(10));
    faulty.down.set(true); // the next files stay local only, like at a power loss before upload
    exec(dbPath, "INSERT INTO t (v) VALUES (randomblob(3000))");
    TxId pending = db.localTxId();
    assertThrows(java.io.IOException.class, () -> db.sync(Duration.ofMillis(100)));
    exec(dbPath, "INSERT INTO t (v) VALUES (randomblob(3000))");
    assertThrows(java.io.IOException.class, () -> db.sync(Duration.ofMillis(100)));
    assertThrows(java.io.IOException.class, db::close, "the final upload fails: the store is down");
    assertTrue(db.localTxId().compareTo(pending) > 0);
    // Power loss: the newest local file (never fsynced, never uploaded) comes back truncated.
    Path l0 = MetaDirectory.defaultFor(dbPath).resolve("ltx/0");
    java.util.List<Path> files;
    try (Stream<Path> s = Files.list(l0)) {
      files = s.filter(p -> p.toString().endsWith(".ltx")).sorted().toList();
    }
    assertTrue(files.size() >= 2, "expected pending local files, got " + files);
    Path newest = files.get(files.size() - 1);
    byte[] b = Files.readAllBytes(newest);
    Files.write(newest, java.util.Arrays.copyOf(b, b.length / 3));
    try (ReplicatedDatabase db2 = open()) {
      db2.sync();
      assertRestoresCurrentContent();
      assertL0Contiguous();
    }
  }
}
