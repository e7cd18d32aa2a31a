package dev.runnel.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.ltx.LtxDecoder;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import dev.runnel.replica.file.FileReplicaClient;
import dev.runnel.restore.IntegrityCheck;
import dev.runnel.restore.RestoreTarget;
import dev.runnel.restore.Restorer;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicatedDatabaseTest {
  @TempDir Path tmp;
  ReplicationRuntime runtime;
  ReplicaClient replica;
  Path dbPath;

  @BeforeEach
  void setUp() throws Exception {
    runtime = ReplicationRuntime.createDefault();
    replica = FileReplicaClient.create(tmp.resolve("replica"));
    dbPath = tmp.resolve("app.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbPath);
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    replica.close();
    runtime.close();
  }

  private ReplicationOptions fast() {
    return ReplicationOptions.defaults().withMonitorInterval(Duration.ofMillis(50));
  }

  @Test
  void sync_afterCommits_replicaRestoresSameContent() throws Exception {
    try (ReplicatedDatabase db = ReplicatedDatabase.open(dbPath, replica, fast(), runtime)) {
      String expected;
      try (Connection c = db.connect(); Statement st = c.createStatement()) {
        for (int i = 0; i < 100; i++) {
          st.execute("INSERT INTO t (v) VALUES ('row " + i + "')");
        }
        expected = DbContent.hash(c);
      }
      TxId txId = db.sync();
      assertTrue(txId.value() >= 1);
      Path out = tmp.resolve("restored.db");
      Restorer.Result r = Restorer.restore(replica, RestoreTarget.latest(), out,
          Restorer.Options.defaults().withIntegrityCheck(IntegrityCheck.FULL));
      assertEquals(txId, r.txId());
      assertEquals(expected, DbContent.hash(out));
    }
  }

  @Test
  void open_firstSync_writesSnapshotAtTxIdOne() throws Exception {
    try (ReplicatedDatabase db = ReplicatedDatabase.open(dbPath, replica, fast(), runtime)) {
      db.sync();
      List<LtxFileInfo> l0 = replica.list(0);
      assertEquals(TxId.ONE, l0.get(0).minTxId());
      try (InputStream in = replica.open(l0.get(0))) {
        assertTrue(LtxDecoder.verify(in, "first").header().isSnapshot());
      }
    }
  }

  @Test
  void commitThroughRunnelConnection_syncsWithoutExplicitCall() throws Exception {
    try (ReplicatedDatabase db = ReplicatedDatabase.open(dbPath, replica,
        ReplicationOptions.defaults().withMonitorInterval(Duration.ofHours(1)), runtime)) {
      db.sync();
      TxId before = db.replicatedTxId();
      try (Connection c = db.connect(); Statement st = c.createStatement()) {
        st.execute("INSERT INTO t (v) VALUES ('x')");
      }
      assertTrue(db.awaitReplicated(before.next(), Duration.ofSeconds(5)), "commit hook should trigger a sync");
    }
  }

  @Test
  void externalWriter_detectedByMonitor() throws Exception {
    try (ReplicatedDatabase db = ReplicatedDatabase.open(dbPath, replica, fast(), runtime)) {
      db.sync();
      TxId before = db.replicatedTxId();
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbPath); Statement st = c.createStatement()) {
        st.execute("PRAGMA busy_timeout = 5000");
        st.execute("INSERT INTO t (v) VALUES ('external')");
      }
      assertTrue(db.awaitReplicated(before.next(), Duration.ofSeconds(5)), "monitor should notice the WAL change");
    }
  }

  @Test
  void close_thenReopen_continuesTxIdsWithoutFullPage() throws Exception {
    TxId first;
    try (ReplicatedDatabase db = ReplicatedDatabase.open(dbPath, replica, fast(), runtime)) {
      try (Connection c = db.connect(); Statement st = c.createStatement()) {
        st.execute("INSERT INTO t (v) VALUES ('a')");
      }
      first = db.sync();
    }
    try (ReplicatedDatabase db = ReplicatedDatabase.open(dbPath, replica, fast(), runtime)) {
      String expected;
      try (Connection c = db.connect(); Statement st = c.createStatement()) {
        st.execute("INSERT INTO t (v) VALUES ('b')");
        expected = DbContent.hash(c);
      }
      TxId second = db.sync();
      assertTrue(second.isAfter(first));
      assertEquals(0, db.status().fullPageSyncCount(), "clean restart should continue incrementally");
      Path out = tmp.resolve("r.db");
      Restorer.restore(replica, RestoreTarget.latest(), out, Restorer.Options.defaults());
      assertEquals(expected, DbContent.hash(out));
    }
  }

  @Test
  void restore_existingOutput_refusedAndUntouched() throws Exception {
    try (ReplicatedDatabase db = ReplicatedDatabase.open(dbPath, replica, fast(), runtime)) {
      db.sync();
    }
    Path out = tmp.resolve("exists.db");
    Files.writeString(out, "keep me");
    assertThrows(FileAlreadyExistsException.class,
        () -> Restorer.restore(replica, RestoreTarget.latest(), out, Restorer.Options.defaults()));
    assertEquals("keep me", Files.readString(out));
  }

  @Test
  void open_notSqlite_clearError() throws Exception {
    Path junk = tmp.resolve("junk.db");
    Files.writeString(junk, "this is not a database at all, but long enough");
    var e = assertThrows(java.io.IOException.class, () -> ReplicatedDatabase.open(junk, replica, fast(), runtime));
    assertTrue(e.getMessage().contains("not an SQLite database"), e.getMessage());
    assertFalse(Files.exists(tmp.resolve("junk.db-wal")));
  }
}
