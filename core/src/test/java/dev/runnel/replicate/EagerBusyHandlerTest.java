package dev.runnel.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runnel's write barrier gets the lock from a writer that commits back to back. With SQLite's
 * sleeping busy handler it mostly woke while the lock was taken again and timed out.
 */
class EagerBusyHandlerTest {
  @TempDir Path tmp;

  @Test
  void acquireBarrier_backToBackFullWriter_getsTheLockEveryTime() throws Exception {
    Path db = tmp.resolve("e.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
      st.execute("PRAGMA journal_mode = wal");
      st.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
    }
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong commits = new AtomicLong();
    AtomicReference<Throwable> writerError = new AtomicReference<>();
    try (SqliteSession s = SqliteSession.open(db, Duration.ofMillis(500))) {
      Thread writer = new Thread(() -> {
        try (Connection w = DriverManager.getConnection("jdbc:sqlite:" + db);
            Statement st = w.createStatement()) {
          st.execute("PRAGMA busy_timeout = 10000");
          st.execute("PRAGMA synchronous = FULL");
          st.execute("PRAGMA wal_autocheckpoint = 0");
          try (PreparedStatement ps = w.prepareStatement("INSERT INTO t (v) VALUES (randomblob(100))")) {
            while (!stop.get()) {
              ps.executeUpdate();
              commits.incrementAndGet();
            }
          }
        } catch (Throwable e) {
          writerError.set(e);
        }
      });
      writer.start();
      try {
        while (commits.get() < 50 && writerError.get() == null) {
          Thread.onSpinWait();
        }
        List<Long> waits = new ArrayList<>();
        int failed = 0;
        for (int i = 0; i < 10; i++) {
          long t0 = System.nanoTime();
          boolean got = s.acquireBarrier();
          waits.add((System.nanoTime() - t0) / 1_000_000);
          if (got) {
            long before = commits.get();
            s.releaseBarrier();
            // Let the writer commit again before the next attempt, so every attempt races it.
            while (commits.get() < before + 5 && writerError.get() == null) {
              Thread.onSpinWait();
            }
          } else {
            failed++;
          }
        }
        assertEquals(0, failed, "barrier attempts that timed out after 500 ms; waits ms " + waits);
      } finally {
        stop.set(true);
        writer.join();
      }
      assertEquals(null, writerError.get());
      assertTrue(commits.get() > 60);
    }
  }
}
