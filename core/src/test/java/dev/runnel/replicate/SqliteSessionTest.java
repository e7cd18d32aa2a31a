package dev.runnel.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runnel.wal.WalHeader;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQL-level moves of the capture algorithm, against real SQLite. */
class SqliteSessionTest {
  @TempDir Path tmp;

  private Path newDb() throws Exception {
    Path db = tmp.resolve("s.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
      st.execute("PRAGMA journal_mode = wal");
      st.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
    }
    return db;
  }

  /** A writer that never waits: any lock held against it fails its commit with SQLITE_BUSY. */
  private static Connection impatientWriter(Path db) throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
    try (Statement st = c.createStatement()) {
      st.execute("PRAGMA busy_timeout = 0");
      st.execute("PRAGMA wal_autocheckpoint = 0");
      st.execute("PRAGMA synchronous = NORMAL");
    }
    return c;
  }

  private static WalHeader walHeader(Path db) throws Exception {
    try (FileChannel ch = FileChannel.open(db.resolveSibling("s.db-wal"), StandardOpenOption.READ)) {
      return WalHeader.read(ch).orElseThrow();
    }
  }

  @Test
  void backfillUnderReadLock_writersKeepCommitting_walNeverRestarts() throws Exception {
    Path db = newDb();
    try (SqliteSession s = SqliteSession.open(db, Duration.ofSeconds(5)); Connection w = impatientWriter(db);
        Statement st = w.createStatement()) {
      s.acquireReadLock();
      // Thousands of distinct pages, so the backfill has real copying to do while the writer runs.
      st.execute("BEGIN");
      for (int i = 0; i < 3000; i++) {
        st.execute("INSERT INTO t (v) VALUES (randomblob(3000))");
      }
      st.execute("COMMIT");
      // Move the read snapshot to the WAL's end: the backfill may copy everything written so far.
      s.releaseReadLock();
      s.acquireReadLock();
      WalHeader before = walHeader(db);
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger commits = new AtomicInteger();
      CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
        try {
          while (!stop.get()) {
            st.execute("INSERT INTO t (v) VALUES (randomblob(100))");
            commits.incrementAndGet();
          }
        } catch (SQLException e) {
          throw new IllegalStateException("writer saw a lock during the backfill after " + commits.get() + " commits", e);
        }
      });
      while (commits.get() == 0 && !writer.isDone()) {
        Thread.onSpinWait();
      }
      SqliteSession.CheckpointResult r = s.backfillUnderReadLock();
      int during = commits.get();
      stop.set(true);
      writer.get(30, TimeUnit.SECONDS);
      assertTrue(r.checkpointedFrames() >= 3000, "frames up to the read snapshot backfilled: " + r);
      assertTrue(during > 0, "the writer ran alongside the backfill");
      // Now back up everything: snapshot at the WAL's end, then a complete backfill. The next commit
      // would restart the WAL (and overwrite frames from the start) if no reader held a snapshot;
      // the open read transaction makes it append instead, so every frame stays there to capture.
      s.releaseReadLock();
      s.acquireReadLock();
      SqliteSession.CheckpointResult all = s.backfillUnderReadLock();
      assertEquals(all.logFrames(), all.checkpointedFrames(), "complete backfill: " + all);
      long walSize = java.nio.file.Files.size(db.resolveSibling("s.db-wal"));
      st.execute("INSERT INTO t (v) VALUES (randomblob(100))");
      WalHeader after = walHeader(db);
      assertEquals(before.salt1(), after.salt1(), "WAL restarted under the read transaction");
      assertEquals(before.salt2(), after.salt2());
      assertTrue(java.nio.file.Files.size(db.resolveSibling("s.db-wal")) > walSize, "the commit appended");
    }
  }

  @Test
  void backfillUnderReadLock_withoutReadLock_isRefused() throws Exception {
    Path db = newDb();
    try (SqliteSession s = SqliteSession.open(db, Duration.ofSeconds(5))) {
      IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
          s::backfillUnderReadLock);
      assertTrue(e.getMessage().contains("read lock"), e.getMessage());
    }
  }
}
