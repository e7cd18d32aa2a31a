package dev.runnel.replicate;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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

  /**
   * Holds the long-running read transaction, and between two of them runs the control statements
   * (checkpoint, {@code _litestream_seq} bump, page size) in autocommit mode: the capture algorithm
   * always releases the read lock before those, so one connection serves both (one descriptor on
   * the database and one on the WAL fewer per replicated database than two connections).
   */
  private final Connection main;
  /**
   * The write barrier, a separate connection: a checkpoint cannot run inside a write transaction.
   * It also commits the {@code _litestream_seq} bumps, so that it can restart the WAL while
   * {@link #main} pins the checkpointed state ({@link #restartWalPinned()}). Its busy handler is an
   * {@link EagerBusyHandler}, so a writer that commits back to back cannot starve it.
   */
  private final Connection barrier;
  private boolean readLockHeld;
  private boolean barrierHeld;
  /**
   * {@link #barrierHeld} for other threads: application connections wait on it in their busy
   * handler. Written under {@link #barrierGate}, which {@link #releaseBarrier()} notifies.
   */
  private volatile boolean barrierVisible;
  private final Object barrierGate = new Object();
  private boolean closed;

  private SqliteSession(Connection main, Connection barrier) {
    this.main = main;
    this.barrier = barrier;
  }

  /**
   * Opens the connections, switches the database to WAL mode and creates Litestream's tables.
   *
   * @throws IOException naming the database if it cannot be opened or put in WAL mode
   */
  static SqliteSession open(Path db, Duration busyTimeout) throws IOException {
    Connection c1 = null;
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
      try (Statement st = c1.createStatement()) {
        // This connection commits only _litestream_seq bumps, whose durability does not matter:
        // a bump lost to a power failure leaves the WAL shorter than the captured position, which
        // the next start detects like any other WAL reset (full-page sync). FULL would fsync the
        // WAL (and, the first time, its directory) on every bump, e.g. on a restored tenant's cold
        // path. Checkpoints sync the same under NORMAL as under FULL, and an application commit
        // with FULL still syncs every earlier frame with its own.
        st.execute("PRAGMA synchronous = NORMAL");
      }
      c3 = connect(db, busyTimeout);
      try (Statement st = c3.createStatement()) {
        st.execute("PRAGMA synchronous = NORMAL"); // it commits only _litestream_seq bumps too
      }
      org.sqlite.BusyHandler.setHandler(c3, new EagerBusyHandler(busyTimeout));
      c3.setAutoCommit(false);
      return new SqliteSession(c1, c3);
    } catch (SQLException e) {
      closeQuietly(c1, c3);
      throw new IOException(db + ": cannot open for replication: " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      closeQuietly(c1, c3);
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
    try {
      main.setAutoCommit(false);
      beginRead(main);
      readLockHeld = true;
    } catch (SQLException e) {
      rollbackQuietly(main);
      throw new IOException("acquire read lock: " + e.getMessage(), e);
    }
  }

  /** Starts a read transaction (takes a WAL read mark) on {@code c}, which is not in autocommit mode. */
  private static void beginRead(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(1) FROM " + SEQ_TABLE)) {
      rs.next();
    }
  }

  void releaseReadLock() throws IOException {
    if (!readLockHeld) {
      return;
    }
    readLockHeld = false;
    try {
      main.rollback();
      main.setAutoCommit(true);
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
      barrierVisible = true;
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
    } finally {
      synchronized (barrierGate) {
        barrierVisible = false;
        barrierGate.notifyAll();
      }
    }
  }

  /**
   * For other threads: if the write barrier is held, waits until it is released or {@code
   * maxNanos} pass. Thread-safe.
   *
   * @return whether the barrier was held when called (false: the lock is someone else's)
   */
  boolean awaitBarrierReleased(long maxNanos) {
    if (!barrierVisible) {
      return false;
    }
    long deadline = System.nanoTime() + maxNanos;
    synchronized (barrierGate) {
      long left;
      while (barrierVisible && (left = deadline - System.nanoTime()) > 0) {
        try {
          TimeUnit.NANOSECONDS.timedWait(barrierGate, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    return true;
  }

  /** Result of {@code PRAGMA wal_checkpoint}: busy flag, WAL frames, frames checkpointed. */
  record CheckpointResult(boolean busy, int logFrames, int checkpointedFrames) {}

  CheckpointResult checkpoint(String mode) throws IOException {
    checkControl("wal_checkpoint");
    return checkpoint(main, mode);
  }

  /**
   * A PASSIVE checkpoint run from the barrier connection while the read transaction stays open:
   * SQLite backfills only frames up to the read transaction's snapshot, and cannot restart the WAL
   * meanwhile (a restart needs every reader slot), so writers never wait for it and no frame leaves
   * the WAL. It moves the bulk of a checkpoint's copying and its database fsync out of the barrier.
   */
  CheckpointResult backfillUnderReadLock() throws IOException {
    if (!readLockHeld || barrierHeld) {
      throw new IllegalStateException("backfill needs the read lock and not the barrier");
    }
    try {
      // A checkpoint cannot run inside a transaction, and this connection always has one begun.
      barrier.setAutoCommit(true);
      try {
        return checkpoint(barrier, "PASSIVE");
      } finally {
        barrier.setAutoCommit(false);
      }
    } catch (SQLException e) {
      throw new IOException("wal_checkpoint(PASSIVE) behind the read lock: " + e.getMessage(), e);
    }
  }

  private static CheckpointResult checkpoint(Connection c, String mode) throws IOException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(" + mode + ")")) {
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

  /**
   * Writes one row so the WAL gets a frame (and restarts with new salts if it was checkpointed).
   * Runs on the barrier connection, so it does not need the read lock released.
   */
  void bumpSeq() throws IOException {
    if (barrierHeld) {
      throw new IllegalStateException(SEQ_TABLE + " bump while the barrier is held");
    }
    try (Statement st = barrier.createStatement()) {
      st.execute("INSERT INTO " + SEQ_TABLE + " (id, seq) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET seq = seq + 1");
      barrier.commit();
    } catch (SQLException e) {
      rollbackQuietly(barrier);
      throw new IOException("write " + SEQ_TABLE + ": " + e.getMessage(), e);
    }
  }

  /** Captures the WAL up to at least its end at the time of the call. */
  interface Capture {
    void toCurrentEnd() throws IOException;
  }

  /**
   * Moves the read transaction to the current end of the WAL with the WAL pinned throughout, and
   * runs {@code capture} before the pin goes.
   *
   * <p>A read transaction holds one of SQLite's read marks, and only a mark other than 0 stops a
   * writer from restarting the WAL; a transaction begun when every frame has been backfilled gets
   * mark 0. Releasing and re-taking the read lock used to leave a moment with no mark held, in
   * which a checkpoint by another connection (SQLite's auto-checkpoint, say) could backfill frames
   * not yet captured; the new read transaction then got mark 0, and the next writer restarted the
   * WAL over those frames (detected: a full-page sync). Here the barrier connection holds a read
   * transaction while the main one moves: backfill stops at its snapshot, and no restart can
   * happen while it is held (its mark is not 0: something was not backfilled; or it is 0 and blocks
   * every backfill, so the main transaction's mark is 0 only with nothing new since). The capture
   * then reaches at least the main transaction's snapshot before the pin goes, so if that has mark
   * 0 (which also blocks every backfill) at most one restart can follow, over captured frames only.
   */
  void moveReadLock(Capture capture) throws IOException {
    if (barrierHeld) {
      throw new IllegalStateException("moveReadLock while the barrier is held");
    }
    try {
      try {
        beginRead(barrier);
      } catch (SQLException e) {
        throw new IOException("pin the WAL: " + e.getMessage(), e);
      }
      releaseReadLock();
      acquireReadLock();
      capture.toCurrentEnd();
    } finally {
      rollbackQuietly(barrier);
    }
  }

  /**
   * After a checkpoint run behind the barrier: lets writers in again, restarts the WAL with a
   * {@code _litestream_seq} bump unless a writer did first, and moves the read transaction to the
   * new generation, so that the WAL restarts exactly once around the checkpoint. Expects the
   * barrier held and the read lock released; returns with the read lock held and the barrier
   * released.
   *
   * <p>The read transaction begun first, while the barrier still excludes writers, takes mark 0 if
   * the checkpoint backfilled everything: that lets one writer restart the WAL but blocks every
   * backfill, so the new generation cannot be checkpointed (and the WAL restarted again over it)
   * before {@link #moveReadLock} pins it.
   */
  void restartWalPinned(Capture capture) throws IOException {
    if (!barrierHeld || readLockHeld) {
      throw new IllegalStateException("restartWalPinned needs the barrier and not the read lock");
    }
    acquireReadLock();
    releaseBarrier();
    bumpSeq();
    moveReadLock(capture);
  }

  int pageSize() throws IOException {
    checkControl("page_size");
    try (Statement st = main.createStatement(); ResultSet rs = st.executeQuery("PRAGMA page_size")) {
      rs.next();
      return rs.getInt(1);
    } catch (SQLException e) {
      throw new IOException("read page_size: " + e.getMessage(), e);
    }
  }

  /** Control statements need the read transaction released (a checkpoint cannot run inside it). */
  private void checkControl(String what) {
    if (readLockHeld) {
      throw new IllegalStateException(what + " while the read lock is held");
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
    for (Connection c : new Connection[] {barrier, main}) {
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
