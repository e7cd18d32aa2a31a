package dev.runnel.replicate;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.sqlite.SQLiteConfig;

/**
 * Runnel's own SQLite connections to one database, and the SQL-level moves of the capture
 * algorithm: the long-running read transaction that keeps SQLite from checkpointing past frames
 * not yet copied, the write "barrier" that seals the WAL around a checkpoint, the checkpoint
 * itself and the {@code _litestream_seq} bump that restarts the WAL afterwards.
 *
 * <p>Uses the same two tables as Litestream so a database moves freely between the tools. Not
 * thread-safe: the owning database serializes calls.
 */
final class SqliteSession implements AutoCloseable {
  static final String SEQ_TABLE = "_litestream_seq";
  static final String LOCK_TABLE = "_litestream_lock";

  private final Connection readLock;
  private final Connection control;
  private final Connection barrier;
  private boolean readLockHeld;
  private boolean barrierHeld;
  private boolean closed;

  private SqliteSession(Connection readLock, Connection control, Connection barrier) {
    this.readLock = readLock;
    this.control = control;
    this.barrier = barrier;
  }

  /**
   * Opens the connections, switches the database to WAL mode and creates Litestream's tables.
   *
   * @throws IOException naming the database if it cannot be opened or put in WAL mode
   */
  static SqliteSession open(Path db, Duration busyTimeout) throws IOException {
    Connection c1 = null;
    Connection c2 = null;
    Connection c3 = null;
    try {
      c1 = connect(db, busyTimeout);
      try (Statement st = c1.createStatement(); ResultSet rs = st.executeQuery("PRAGMA journal_mode = wal")) {
        String mode = rs.next() ? rs.getString(1) : "";
        if (!"wal".equalsIgnoreCase(mode)) {
          throw new IOException(db + ": cannot switch to WAL mode (journal_mode is '" + mode
              + "'); close other connections that use rollback-journal mode and retry");
        }
      }
      try (Statement st = c1.createStatement()) {
        st.execute("CREATE TABLE IF NOT EXISTS " + SEQ_TABLE + " (id INTEGER PRIMARY KEY, seq INTEGER)");
        st.execute("CREATE TABLE IF NOT EXISTS " + LOCK_TABLE + " (id INTEGER)");
      }
      c2 = connect(db, busyTimeout);
      c3 = connect(db, busyTimeout);
      c1.setAutoCommit(false);
      c3.setAutoCommit(false);
      return new SqliteSession(c1, c2, c3);
    } catch (SQLException e) {
      closeQuietly(c1, c2, c3);
      throw new IOException(db + ": cannot open for replication: " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      closeQuietly(c1, c2, c3);
      throw e;
    }
  }

  static Connection connect(Path db, Duration busyTimeout) throws SQLException {
    SQLiteConfig cfg = new SQLiteConfig();
    cfg.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, busyTimeout.toMillis()));
    Connection c = cfg.createConnection("jdbc:sqlite:" + db.toAbsolutePath());
    try (Statement st = c.createStatement()) {
      // Runnel decides when to checkpoint; an automatic one could copy frames out of the WAL before
      // they are captured.
      st.execute("PRAGMA wal_autocheckpoint = 0");
    }
    return c;
  }

  /** Starts the long-running read transaction. */
  void acquireReadLock() throws IOException {
    if (readLockHeld) {
      return;
    }
    try (Statement st = readLock.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(1) FROM " + SEQ_TABLE)) {
      rs.next();
      readLockHeld = true;
    } catch (SQLException e) {
      throw new IOException("acquire read lock: " + e.getMessage(), e);
    }
  }

  void releaseReadLock() throws IOException {
    if (!readLockHeld) {
      return;
    }
    readLockHeld = false;
    try {
      readLock.rollback();
    } catch (SQLException e) {
      throw new IOException("release read lock: " + e.getMessage(), e);
    }
  }

  /**
   * Takes SQLite's write lock with a transaction that is never committed, so no commit can land
   * while it is held. Waits up to the busy timeout.
   *
   * @return false if another writer held the lock past the busy timeout
   */
  boolean acquireBarrier() throws IOException {
    if (barrierHeld) {
      return true;
    }
    try (Statement st = barrier.createStatement()) {
      st.execute("INSERT INTO " + LOCK_TABLE + " (id) VALUES (1)");
      barrierHeld = true;
      return true;
    } catch (SQLException e) {
      rollbackQuietly(barrier);
      if (isBusy(e)) {
        return false;
      }
      throw new IOException("acquire write barrier: " + e.getMessage(), e);
    }
  }

  void releaseBarrier() throws IOException {
    if (!barrierHeld) {
      return;
    }
    barrierHeld = false;
    try {
      barrier.rollback();
    } catch (SQLException e) {
      throw new IOException("release write barrier: " + e.getMessage(), e);
    }
  }

  /** Result of {@code PRAGMA wal_checkpoint}: busy flag, WAL frames, frames checkpointed. */
  record CheckpointResult(boolean busy, int logFrames, int checkpointedFrames) {}

  CheckpointResult checkpoint(String mode) throws IOException {
    try (Statement st = control.createStatement(); ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(" + mode + ")")) {
      if (!rs.next()) {
        throw new IOException("wal_checkpoint(" + mode + ") returned no row");
      }
      return new CheckpointResult(rs.getInt(1) != 0, rs.getInt(2), rs.getInt(3));
    } catch (SQLException e) {
      if (isBusy(e)) {
        return new CheckpointResult(true, -1, -1);
      }
      throw new IOException("wal_checkpoint(" + mode + "): " + e.getMessage(), e);
    }
  }

  /** Writes one row so the WAL gets a frame (and restarts with new salts if it was checkpointed). */
  void bumpSeq() throws IOException {
    try (Statement st = control.createStatement()) {
      st.execute("INSERT INTO " + SEQ_TABLE + " (id, seq) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET seq = seq + 1");
    } catch (SQLException e) {
      throw new IOException("write " + SEQ_TABLE + ": " + e.getMessage(), e);
    }
  }

  int pageSize() throws IOException {
    try (Statement st = control.createStatement(); ResultSet rs = st.executeQuery("PRAGMA page_size")) {
      rs.next();
      return rs.getInt(1);
    } catch (SQLException e) {
      throw new IOException("read page_size: " + e.getMessage(), e);
    }
  }

  static boolean isBusy(SQLException e) {
    String m = String.valueOf(e.getMessage());
    return m.contains("SQLITE_BUSY") || m.contains("database is locked");
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // The connection is unusable anyway; close() reports real problems.
    }
  }

  private static void closeQuietly(Connection... cs) {
    for (Connection c : cs) {
      if (c != null) {
        try {
          c.close();
        } catch (SQLException ignored) {
          // Best effort while failing to open.
        }
      }
    }
  }

  /** Releases locks and closes the connections. Idempotent. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    SQLException first = null;
    for (Connection c : new Connection[] {barrier, readLock, control}) {
      try {
        if (!c.getAutoCommit()) {
          c.rollback();
        }
        c.close();
      } catch (SQLException e) {
        if (first == null) {
          first = e;
        }
      }
    }
    readLockHeld = false;
    barrierHeld = false;
    if (first != null) {
      throw new IOException("close replication connections: " + first.getMessage(), first);
    }
  }
}
