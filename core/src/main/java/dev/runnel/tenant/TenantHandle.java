package dev.runnel.tenant;

import dev.runnel.ltx.TxId;
import dev.runnel.replicate.ReplicationStatus;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * A claim on one hot tenant, from {@link TenantDatabases#acquire}. While any handle of a tenant is
 * open the tenant is never evicted (except when its lease is lost or the manager shuts down).
 * Cheap: a hot acquire allocates only this object. Close it when the request is done; closing
 * returns the connections it handed out.
 *
 * <h2>Connections</h2>
 * <ul>
 *   <li>{@link #writer()}: the tenant's single writer connection (WAL mode, {@code foreign_keys=ON},
 *       the configured busy timeout and pragmas), exclusive to this handle until this handle or
 *       the connection is closed. Another handle asking for it waits up to the busy timeout, then
 *       gets an {@link SQLException}. Commits on it are captured for replication at once.</li>
 *   <li>{@link #reader()}: a query-only connection from the tenant's small pool; several may be in
 *       use at once, alongside the writer.</li>
 * </ul>
 * Closing a connection returns it to the pool (an open transaction is rolled back); any later call
 * on it fails. JDBC connections are not for concurrent use by several threads.
 *
 * <p>The handle's own methods are thread-safe.
 */
public final class TenantHandle implements AutoCloseable {
  private final TenantDatabases owner;
  private final Tenant tenant;
  private Connection writer;
  private List<Connection> readers;
  private boolean closed;
  /** The writer view handed out by {@link #dataSource}, and how many of its views are open. */
  private Connection viewedWriter;
  private int writerViews;

  TenantHandle(TenantDatabases owner, Tenant tenant) {
    this.owner = owner;
    this.tenant = tenant;
  }

  public String tenantId() {
    return tenant.id;
  }

  /**
   * The tenant's writer connection, held by this handle until it or the handle is closed. Calling
   * again while holding it returns the same connection.
   *
   * @throws SQLException if another handle keeps the writer longer than the busy timeout, or the
   *     tenant is no longer available (lease lost, shut down)
   */
  public synchronized Connection writer() throws SQLException {
    ensureOpen();
    if (writer != null && !writer.isClosed()) {
      return writer;
    }
    Connection raw = tenant.borrowWriter(owner.options().busyTimeout());
    Connection[] self = new Connection[1];
    self[0] = Tenant.pooled(raw, () -> {
      synchronized (this) {
        if (writer == self[0]) {
          writer = null;
        }
      }
      tenant.returnWriter(raw);
    });
    writer = self[0];
    return writer;
  }

  /**
   * A query-only connection from the tenant's reader pool.
   *
   * @throws SQLException if all readers stay busy longer than the busy timeout, or the tenant is
   *     no longer available
   */
  public synchronized Connection reader() throws SQLException {
    ensureOpen();
    Connection raw = tenant.borrowReader(owner.options().busyTimeout());
    if (readers == null) {
      readers = new ArrayList<>(2);
    }
    Connection[] self = new Connection[1];
    self[0] = Tenant.pooled(raw, () -> {
      synchronized (this) {
        readers.remove(self[0]);
      }
      tenant.returnReader(raw);
    });
    readers.add(self[0]);
    return self[0];
  }

  /**
   * This handle as a {@link DataSource}, for code written against one. {@code getConnection()}
   * returns the tenant's writer, as {@link #writer()} does (exclusive to this handle, waiting up to
   * the busy timeout while another handle holds it); while a connection from it is open, further
   * calls return further views of the same writer, which goes back to the tenant when the last view
   * closes (do not also close {@link #writer()} meanwhile). With {@code readOnly}, each call
   * returns a reader from the pool, as {@link #reader()} does. Connections fail once the handle is
   * closed. Thread-safe; JDBC connections are not.
   */
  public DataSource dataSource(boolean readOnly) {
    return new TenantDataSource(readOnly ? this::reader : this::writerView,
        tenant.id + (readOnly ? ": readers" : ": writer") + " of one handle");
  }

  private synchronized Connection writerView() throws SQLException {
    Connection w = writer();
    if (w != viewedWriter) {
      viewedWriter = w;
      writerViews = 0;
    }
    writerViews++;
    return Tenant.pooled(w, () -> {
      synchronized (this) {
        if (viewedWriter == w && --writerViews == 0) {
          viewedWriter = null;
          try {
            w.close();
          } catch (SQLException ignored) {
            // Pooled views do not throw on close.
          }
        }
      }
    });
  }

  /**
   * Waits until everything committed on this tenant so far is durable in the replica.
   *
   * @return the replicated TxId
   * @throws IOException if the replica did not confirm within the replication options'
   *     shutdown sync timeout (default 30 s), or the tenant is no longer replicating
   */
  public TxId sync() throws IOException {
    return sync(owner.options().replication().shutdownSyncTimeout());
  }

  /** {@link #sync()} with an explicit wait. */
  public TxId sync(Duration timeout) throws IOException {
    synchronized (this) {
      if (closed) {
        throw new IOException("runnel-tenant [" + tenant.id + "] handle is closed");
      }
    }
    return tenant.rdb.sync(timeout);
  }

  /** The tenant's replication status (positions, lag, errors). */
  public ReplicationStatus status() {
    return tenant.rdb.status();
  }

  private void ensureOpen() throws SQLException {
    if (closed) {
      throw new SQLException("runnel-tenant [" + tenant.id + "] handle is closed");
    }
  }

  /** Returns the connections this handle holds and releases the tenant. Idempotent. */
  @Override
  public void close() {
    List<Connection> toReturn = new ArrayList<>();
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      if (writer != null) {
        toReturn.add(writer);
      }
      if (readers != null) {
        toReturn.addAll(readers);
      }
    }
    for (Connection c : toReturn) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // Pooled views do not throw on close.
      }
    }
    owner.release(tenant);
  }
}
