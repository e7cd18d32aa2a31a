package dev.runnel.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.BusyHandler;

/** Application writers wait on Runnel's barrier itself, and still time out on foreign locks. */
class BarrierAwareBusyHandlerTest {
  @TempDir Path tmp;

  private Path newDb() throws Exception {
    Path db = tmp.resolve("b.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
      st.execute("PRAGMA journal_mode = wal");
      st.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)");
    }
    return db;
  }

  private static Connection appConnection(Path db, SqliteSession s, Duration timeout) throws SQLException {
    Connection c = SqliteSession.connect(db, timeout);
    BusyHandler.setHandler(c, new BarrierAwareBusyHandler(s, timeout));
    return c;
  }

  private static long rows(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM t")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void callback_barrierHeld_waitsOnTheBarrierAndCommitsWhenReleased() throws Exception {
    Path db = newDb();
    try (SqliteSession s = SqliteSession.open(db, Duration.ofSeconds(5));
        Connection app = appConnection(db, s, Duration.ofSeconds(5))) {
      assertTrue(s.acquireBarrier());
      AtomicReference<Thread> writerThread = new AtomicReference<>();
      CompletableFuture<Void> commit = CompletableFuture.runAsync(() -> {
        writerThread.set(Thread.currentThread());
        try (Statement st = app.createStatement()) {
          st.execute("INSERT INTO t DEFAULT VALUES");
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
      });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      boolean waitingOnGate = false;
      while (!waitingOnGate && System.nanoTime() < deadline) {
        Thread t = writerThread.get();
        waitingOnGate = t != null && Arrays.stream(t.getStackTrace())
            .anyMatch(f -> f.getMethodName().equals("awaitBarrierReleased"));
        Thread.onSpinWait();
      }
      assertTrue(waitingOnGate, "the blocked writer waits on the barrier, not in a sleep");
      assertTrue(!commit.isDone(), "no commit while the barrier is held");
      s.releaseBarrier();
      commit.get(5, TimeUnit.SECONDS);
      assertEquals(1, rows(app));
    }
  }

  @Test
  void callback_foreignLockReleasedSoon_commitSucceeds() throws Exception {
    Path db = newDb();
    try (SqliteSession s = SqliteSession.open(db, Duration.ofSeconds(5));
        Connection app = appConnection(db, s, Duration.ofSeconds(5));
        Connection other = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement os = other.createStatement()) {
      os.execute("BEGIN IMMEDIATE");
      CompletableFuture<Void> release = CompletableFuture.runAsync(() -> {
        try {
          Thread.sleep(100);
          os.execute("COMMIT");
        } catch (InterruptedException | SQLException e) {
          throw new IllegalStateException(e);
        }
      });
      try (Statement st = app.createStatement()) {
        st.execute("INSERT INTO t DEFAULT VALUES");
      }
      release.get(5, TimeUnit.SECONDS);
      assertEquals(1, rows(app));
    }
  }

  @Test
  void callback_foreignLockPastTimeout_failsWithBusy() throws Exception {
    Path db = newDb();
    try (SqliteSession s = SqliteSession.open(db, Duration.ofSeconds(5));
        Connection app = appConnection(db, s, Duration.ofMillis(200));
        Connection other = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement os = other.createStatement()) {
      os.execute("BEGIN IMMEDIATE");
      long t0 = System.nanoTime();
      SQLException e = assertThrows(SQLException.class, () -> {
        try (Statement st = app.createStatement()) {
          st.execute("INSERT INTO t DEFAULT VALUES");
        }
      });
      long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertTrue(SqliteSession.isBusy(e), e.getMessage());
      assertTrue(waitedMs >= 190, "gave up after the timeout, not before: " + waitedMs + " ms");
      os.execute("ROLLBACK");
    }
  }
}
