package dev.runnel.replicate;

import dev.runnel.testing.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.replica.ReplicaClient;
import dev.runnel.replica.file.FileReplicaClient;
import dev.runnel.restore.IntegrityCheck;
import dev.runnel.restore.RestoreTarget;
import dev.runnel.restore.Restorer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint policy of capture.md §7, and the POSIX lock rule of §9. */
class CheckpointPolicyTest {
  @TempDir Path tmp;

  private Path newDb() throws Exception {
    Path db = tmp.resolve("app.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
    }
    return db;
  }

  private void assertRestoresCurrent(ReplicaClient replica, Path db) throws Exception {
    Path out = tmp.resolve("r-" + System.nanoTime() + ".db");
    Restorer.restore(replica, RestoreTarget.latest(), out,
        Restorer.Options.defaults().withIntegrityCheck(IntegrityCheck.FULL));
    assertEquals(DbContent.hash(db), DbContent.hash(out));
  }

  @Test
  void walPastTruncateThreshold_truncatesWalAndStaysRestorable() throws Exception {
    Path dbPath = newDb();
    // PASSIVE threshold above the emergency one, so only the emergency path can act.
    ReplicationOptions opts = ReplicationOptions.defaults().withMonitorInterval(Duration.ofHours(1))
        .withMinCheckpointPageCount(100_000).withTruncatePageN(30);
    try (ReplicationRuntime runtime = ReplicationRuntime.createDefault();
        ReplicaClient replica = FileReplicaClient.create(tmp.resolve("replica"));
        ReplicatedDatabase db = ReplicatedDatabase.open(dbPath, replica, opts, runtime)) {
      db.sync();
      try (Connection c = db.connect(); Statement st = c.createStatement()) {
        for (int i = 0; i < 60; i++) {
          st.execute("INSERT INTO t (v) VALUES (randomblob(3000))");
        }
      }
      db.sync();
      assertTrue(db.status().checkpointCount() >= 1, "emergency checkpoint expected");
      // PASSIVE is tried first; a restart reuses the WAL file from its start (it does not shrink),
      // so what must drop below the threshold is the captured offset in the current generation.
      long walOffset = db.status().walOffset();
      assertTrue(walOffset < dev.runnel.wal.WalHeader.walSize(4096, 30),
          "WAL should have restarted below the threshold, offset is " + walOffset);
      assertRestoresCurrent(replica, dbPath);
      try (Connection c = db.connect(); Statement st = c.createStatement()) {
        st.execute("INSERT INTO t (v) VALUES (randomblob(10))");
      }
      db.sync();
      assertRestoresCurrent(replica, dbPath);
    }
  }

  @Test
  void checkpointInterval_elapsedOnInjectedClock_checkpointsIdleWal() throws Exception {
    Path dbPath = newDb();
    TestClock clock = new TestClock(Instant.now());
    ReplicationOptions opts = ReplicationOptions.defaults().withMonitorInterval(Duration.ofMillis(20))
        .withCheckpointInterval(Duration.ofMinutes(1));
    try (ReplicationRuntime runtime = new ReplicationRuntime(2, 4, clock);
        ReplicaClient replica = FileReplicaClient.create(tmp.resolve("replica"));
        ReplicatedDatabase db = ReplicatedDatabase.open(dbPath, replica, opts, runtime)) {
      try (Connection c = db.connect(); Statement st = c.createStatement()) {
        for (int i = 0; i < 5; i++) {
          st.execute("INSERT INTO t (v) VALUES (randomblob(500))");
        }
      }
      db.sync();
      long before = db.status().checkpointCount();
      clock.advance(Duration.ofMinutes(2));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (db.status().checkpointCount() == before && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertTrue(db.status().checkpointCount() > before, "time-based checkpoint expected");
      db.sync();
      assertRestoresCurrent(replica, dbPath);
    }
  }

  /**
   * What SQLite's locks must keep guaranteeing while Runnel reads pages: no other process gets
   * exclusive access or deletes the WAL. Note: in WAL mode the {@code -shm} locks also guard these
   * paths, so an extra descriptor opened and closed on the database file (the POSIX hazard of
   * capture.md §9) was not observable here; the single-descriptor rule is kept by construction
   * ({@code WalCapture} reads pages only through the one channel {@code ReplicatedDatabase} owns).
   */
  @Test
  void whileReplicating_otherProcessCannotTakeExclusiveAccessOrDeleteWal() throws Exception {
    Path dbPath = newDb();
    try (ReplicationRuntime runtime = ReplicationRuntime.createDefault();
        ReplicaClient replica = FileReplicaClient.create(tmp.resolve("replica"));
        ReplicatedDatabase db = ReplicatedDatabase.open(dbPath, replica,
            ReplicationOptions.defaults().withMonitorInterval(Duration.ofMillis(10)), runtime);
        Connection app = db.connect();
        Statement st = app.createStatement()) {
      st.execute("INSERT INTO t (v) VALUES (randomblob(5000))");
      db.sync();
      // Runnel reads database pages (a snapshot reads every page) while SQLite has the file open.
      db.snapshot();
      db.sync();
      // Had any descriptor on the database file been closed, SQLite's POSIX locks would be gone
      // and another process could take the database out of WAL mode under our feet.
      assertEquals("locked", probe(dbPath), "another process got exclusive access: SQLite's locks were dropped");
      // A process that opens and closes the database must not think it was the last user (it would
      // checkpoint and delete the WAL Runnel is reading).
      Path wal = dbPath.resolveSibling(dbPath.getFileName() + "-wal");
      long walBefore = Files.size(wal);
      assertEquals("closed", probe(dbPath, "open-close"));
      assertTrue(Files.exists(wal) && Files.size(wal) == walBefore, "another process deleted or truncated the WAL");
    }
  }

  private static String probe(Path db, String... mode) throws Exception {
    java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"), LockProbeChild.class.getName(), db.toString()));
    cmd.addAll(java.util.List.of(mode));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
      String line = r.readLine();
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
      return line;
    }
  }
}
