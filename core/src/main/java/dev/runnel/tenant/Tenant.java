package dev.runnel.tenant;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.ReplicaClient;
import dev.runnel.replicate.ReplicatedDatabase;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One tenant known to a {@link TenantDatabases}: its lifecycle, its replication and its
 * connections (one writer behind a fair permit, up to {@code maxReaders} query-only readers).
 * Connections are opened lazily through {@link ReplicatedDatabase#connect()}, so commits sync at
 * once. Thread-safe.
 */
final class Tenant {
  final String id;
  final Path dir;
  final Path db;
  /** Completed when the cold start finished (exceptionally if it failed). */
  final CompletableFuture<Void> started = new CompletableFuture<>();
  /** Open handles; -1 while closing (no new handles). Starts at 1: the creator's handle. */
  final AtomicInteger refs = new AtomicInteger(1);
  /** Serializes teardowns (eviction, lease loss, shutdown). */
  final ReentrantLock lifecycle = new ReentrantLock();
  /** The current or last teardown attempt; waiters on a closing tenant wait for it. */
  volatile CompletableFuture<Void> teardown;
  volatile boolean gone;
  volatile long lastUsedMillis;
  volatile long diskBytes;
  volatile long hotSinceMillis = -1;
  volatile long coldStartNanos = -1;
  volatile boolean created;

  // Set once by the cold start, before `started` completes.
  volatile ReplicaClient replica;
  volatile TenantLease lease;
  volatile ReplicatedDatabase rdb;
  volatile ScheduledFuture<?> renewal;

  /**
   * Parked (see {@link TenantParking}): replication closed cleanly, no connections, {@link #rdb}
   * null; local files and lease kept. Changed only under {@link #lifecycle}.
   */
  volatile boolean parked;
  /** While parked: the replica's highest TxId, confirmed when parking; null if unknown (listed at unpark). */
  volatile TxId parkedAt;
  /** While parked: the database file as parking left it (see {@link TenantParking#evictableAsParked}). */
  volatile TenantParking.FileStamp parkedFile;

  private final Map<String, String> pragmas;
  private final int busyTimeoutMillis;
  private final Semaphore writerPermit = new Semaphore(1, true);
  private final Semaphore readerPermits;
  private final ConcurrentLinkedDeque<Connection> idleReaders = new ConcurrentLinkedDeque<>();
  private final Set<Connection> all = ConcurrentHashMap.newKeySet();
  private volatile Connection writer;
  /** Non-null once the tenant may no longer hand out connections. */
  private volatile String unusableReason;

  Tenant(String id, Path dir, long nowMillis, TenantOptions options) {
    this.id = id;
    this.dir = dir;
    this.db = dir.resolve(id + ".db");
    this.lastUsedMillis = nowMillis;
    this.pragmas = options.pragmas();
    this.busyTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, options.busyTimeout().toMillis());
    this.readerPermits = new Semaphore(options.maxReaders(), true);
  }

  boolean isHot() {
    return started.isDone() && !started.isCompletedExceptionally() && !gone && refs.get() >= 0;
  }

  /** Takes a handle reference unless the tenant is closing. */
  boolean tryRetain() {
    while (true) {
      int r = refs.get();
      if (r < 0) {
        return false;
      }
      if (refs.compareAndSet(r, r + 1)) {
        return true;
      }
    }
  }

  void markUnusable(String reason) {
    unusableReason = reason;
  }

  void markUsable() {
    unusableReason = null;
  }

  private void checkUsable() throws SQLException {
    String r = unusableReason;
    if (r != null) {
      throw new SQLException("runnel-tenant [" + id + "] not available: " + r);
    }
  }

  // ---- connections -----------------------------------------------------------------------------

  private Connection open(boolean readOnly) throws SQLException {
    ReplicatedDatabase r = rdb;
    Connection c = r.connect();
    try (Statement st = c.createStatement()) {
      st.execute("PRAGMA busy_timeout = " + busyTimeoutMillis);
      st.execute("PRAGMA foreign_keys = ON");
      for (Map.Entry<String, String> p : pragmas.entrySet()) {
        st.execute("PRAGMA " + p.getKey() + " = " + p.getValue());
      }
      if (readOnly) {
        st.execute("PRAGMA query_only = ON");
      }
    } catch (SQLException | RuntimeException e) {
      closeQuietly(c);
      throw e;
    }
    all.add(c);
    return c;
  }

  /** The writer, exclusively, waiting up to {@code wait} for another holder to give it back. */
  Connection borrowWriter(Duration wait) throws SQLException {
    checkUsable();
    boolean ok;
    try {
      ok = writerPermit.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("runnel-tenant [" + id + "] interrupted while waiting for the writer");
    }
    if (!ok) {
      throw new SQLException("runnel-tenant [" + id + "] the writer connection is busy (waited " + wait + ")",
          "HY000", 5 /* SQLITE_BUSY */);
    }
    try {
      checkUsable();
      Connection w = writer;
      if (w == null || w.isClosed()) {
        w = open(false);
        writer = w;
      }
      return w;
    } catch (SQLException | RuntimeException e) {
      writerPermit.release();
      throw e;
    }
  }

  void returnWriter(Connection w) {
    try {
      if (!w.isClosed() && !w.getAutoCommit()) {
        w.rollback();
        w.setAutoCommit(true);
      }
    } catch (SQLException e) {
      closeQuietly(w);
      all.remove(w);
      if (writer == w) {
        writer = null;
      }
    } finally {
      writerPermit.release();
    }
  }

  Connection borrowReader(Duration wait) throws SQLException {
    checkUsable();
    boolean ok;
    try {
      ok = readerPermits.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("runnel-tenant [" + id + "] interrupted while waiting for a reader");
    }
    if (!ok) {
      throw new SQLException("runnel-tenant [" + id + "] all reader connections are busy (waited " + wait + ")",
          "HY000", 5);
    }
    try {
      checkUsable();
      Connection c;
      while ((c = idleReaders.pollFirst()) != null) {
        if (!c.isClosed()) {
          return c;
        }
      }
      return open(true);
    } catch (SQLException | RuntimeException e) {
      readerPermits.release();
      throw e;
    }
  }

  void returnReader(Connection c) {
    try {
      if (!c.isClosed()) {
        if (!c.getAutoCommit()) {
          c.rollback();
          c.setAutoCommit(true);
        }
        idleReaders.addFirst(c);
      }
    } catch (SQLException e) {
      closeQuietly(c);
      all.remove(c);
    } finally {
      readerPermits.release();
    }
  }

  /**
   * Closes the pooled connections nobody holds; they reopen on demand. Each closed connection
   * gives back its {@code -wal} descriptor at once; its database descriptor SQLite keeps for reuse
   * by the next connection, because the process still holds locks on the file (the engine's read
   * transaction), and closing it would drop them.
   *
   * @return how many connections were closed
   */
  int closeIdleConnections() {
    int n = 0;
    Connection c;
    while ((c = idleReaders.pollFirst()) != null) {
      all.remove(c);
      closeQuietly(c);
      n++;
    }
    if (writerPermit.tryAcquire()) {
      try {
        Connection w = writer;
        if (w != null) {
          writer = null;
          all.remove(w);
          closeQuietly(w);
          n++;
        }
      } finally {
        writerPermit.release();
      }
    }
    return n;
  }

  /** Closes every connection, including ones handles still hold (they fail from then on). */
  void closeConnections() {
    for (Connection c : all) {
      closeQuietly(c);
    }
    all.clear();
    idleReaders.clear();
    writer = null;
  }

  int openConnections() {
    return all.size();
  }

  static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException | RuntimeException ignored) {
      // Closing for good; nothing useful to do.
    }
  }

  /**
   * A view of a pooled connection whose {@code close()} gives it back instead of closing it. After
   * that every call fails, so a caller cannot keep using a connection another handle now owns.
   */
  static Connection pooled(Connection raw, Runnable giveBack) {
    AtomicBoolean returned = new AtomicBoolean();
    return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
        (proxy, method, args) -> {
          String name = method.getName();
          int n = method.getParameterCount();
          if (name.equals("close") && n == 0) {
            if (returned.compareAndSet(false, true)) {
              giveBack.run();
            }
            return null;
          }
          if (name.equals("isClosed") && n == 0) {
            return returned.get() || raw.isClosed();
          }
          if (name.equals("unwrap") && args != null && args[0] == Connection.class) {
            return proxy;
          }
          if (name.equals("equals") && n == 1) {
            return proxy == args[0];
          }
          if (name.equals("hashCode") && n == 0) {
            return System.identityHashCode(proxy);
          }
          if (name.equals("toString") && n == 0) {
            return "PooledConnection[" + raw + (returned.get() ? ", returned" : "") + "]";
          }
          if (returned.get()) {
            throw new SQLException("connection was closed (returned to the tenant's pool)");
          }
          try {
            return method.invoke(raw, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
