package dev.runnel.tenant;

import dev.runnel.ltx.TxId;
import dev.runnel.replicate.ReplicatedDatabase;
import dev.runnel.replicate.ReplicationOptions;
import dev.runnel.replicate.ReplicationRuntime;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Parking and unparking idle hot tenants (see {@link TenantOptions#parkAfter()}).
 *
 * <p>A parked tenant keeps its entry in the tenant map, its local files, its lease (the renewal
 * timer keeps running) and its place in the hot count, but no {@link ReplicatedDatabase} and no
 * connection, hence no file descriptor. Parking is the first half of an eviction: new handles are
 * blocked ({@code refs} 0 → -1), the connections are closed, a final sync waits for the upload and
 * the replica is listed to confirm it; then replication is closed cleanly, which writes the
 * clean-state record, so unparking continues the TxIds incrementally without a full-page L0.
 *
 * <p>Locking: both directions hold {@link Tenant#lifecycle}, like every teardown. Parking needs
 * {@code refs == 0} and unparking is done by an acquirer that holds a reference, so the two never
 * overlap; concurrent acquirers of a parked tenant queue on the lock and all but the first find it
 * already unparked (single flight). {@link Tenant#parked} is written before {@code refs} returns
 * to 0 and {@link Tenant#rdb} before {@code parked} is cleared, so whoever sees the flag (volatile)
 * also sees the state it announces.
 */
final class TenantParking {
  private static final System.Logger LOG = System.getLogger(TenantDatabases.class.getName());

  private final TenantOptions options;
  private final ReplicationOptions tenantReplication;
  private final ReplicationRuntime runtime;
  private final TenantEvents events;

  TenantParking(TenantOptions options, ReplicationRuntime runtime, TenantEvents events) {
    this.options = options;
    this.tenantReplication = TenantColdStart.tenantReplication(options);
    this.runtime = runtime;
    this.events = events;
  }

  /**
   * Parks {@code t} if it is hot, not parked, has no open handle and no other lifecycle step runs.
   *
   * @return true if this call parked it; false if it could not be parked now (then it is as it was,
   *     and a failed upload is counted in {@link TenantMetrics#parkFailures()})
   */
  boolean park(Tenant t) {
    if (!t.started.isDone() || t.started.isCompletedExceptionally() || t.parked) {
      return false;
    }
    if (!t.lifecycle.tryLock()) {
      return false;
    }
    try {
      if (t.gone || t.parked) {
        return false;
      }
      CompletableFuture<Void> td = new CompletableFuture<>();
      t.teardown = td;
      if (!t.refs.compareAndSet(0, -1)) {
        td.complete(null);
        return false;
      }
      try {
        t.markUnusable("being parked");
        t.closeConnections();
        try {
          TenantEviction.flushAndConfirm(t, options.replication().shutdownSyncTimeout());
        } catch (IOException | RuntimeException e) {
          events.parkFailures.increment();
          LOG.log(Level.WARNING, "runnel-tenant [{0}] parking postponed, tenant stays open: {1}", t.id,
              e.getMessage());
          events.notify(l -> l.error(t.id, "park", e));
          return false;
        }
        ReplicatedDatabase r = t.rdb;
        TxId at = null;
        try {
          r.close();
          // The confirmed position is the replica's highest TxId (we hold the lease) unless
          // close() captured something after the sync (a writer outside this manager).
          if (r.localTxId().equals(r.replicatedTxId())) {
            at = r.replicatedTxId();
          }
        } catch (IOException | RuntimeException e) {
          LOG.log(Level.WARNING, "runnel-tenant [{0}] closing replication for parking: {1} (the replica is "
              + "listed again when the tenant is next used)", t.id, e.getMessage());
        }
        FileStamp stamp = FileStamp.of(t.db);
        if (at != null && (stamp == null || stamp.walSize() >= 0)) {
          // SQLite deletes the WAL when the last connection closes: a WAL still there means a
          // connection outside this manager has the file open and may write it at any time, so
          // the position is not trusted (the next use lists the replica; eviction reopens first).
          at = null;
        }
        t.parkedAt = at;
        t.parkedFile = stamp;
        t.rdb = null;
        t.parked = true;
        events.parks.increment();
        LOG.log(Level.DEBUG, "runnel-tenant [{0}] parked at TxId {1}", t.id, at);
        events.notify(l -> l.parked(t.id));
        return true;
      } finally {
        t.markUsable();
        t.refs.set(0);
        td.complete(null);
      }
    } finally {
      t.lifecycle.unlock();
    }
  }

  /**
   * Makes a parked tenant usable again; the caller holds a reference to it (so it cannot be parked
   * again meanwhile). Returns at once if it is not parked; waits if another acquirer is unparking
   * it.
   *
   * @throws IOException if replication cannot be reopened (the tenant stays parked; the next
   *     acquire tries again) or the tenant was torn down meanwhile (lease lost, shutdown)
   */
  void unpark(Tenant t) throws IOException {
    if (!t.parked) {
      return;
    }
    long t0 = System.nanoTime();
    try {
      t.lifecycle.lockInterruptibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while tenant " + t.id + " was being unparked");
    }
    try {
      if (t.gone) {
        throw new IOException("runnel-tenant [" + t.id + "] is no longer available (torn down while parked)");
      }
      if (!t.parked) {
        return; // another acquirer unparked it while this one waited for the lock
      }
      try {
        reopenLocked(t);
      } catch (IOException | RuntimeException e) {
        events.unparkFailures.increment();
        LOG.log(Level.WARNING, "runnel-tenant [{0}] unpark failed, tenant stays parked: {1}", t.id, e.toString());
        events.notify(l -> l.error(t.id, "unpark", e));
        throw e;
      }
      long nanos = System.nanoTime() - t0;
      events.unparks.increment();
      events.unparkLatency.record(nanos);
      Duration elapsed = Duration.ofNanos(nanos);
      events.notify(l -> l.unparked(t.id, elapsed));
    } finally {
      t.lifecycle.unlock();
    }
  }

  /**
   * Whether a parked tenant can be evicted without reopening its replication: its replica position
   * was confirmed and its files are as parking left them. Anything else (a write through another
   * connection, say) is captured and uploaded first.
   */
  static boolean evictableAsParked(Tenant t) {
    FileStamp then = t.parkedFile;
    return t.parkedAt != null && then != null && then.equals(FileStamp.of(t.db));
  }

  /**
   * Size, modification time and identity of a database file and the size of its {@code -wal}
   * (-1 if absent or unreadable): what must not change while a tenant is parked.
   */
  record FileStamp(long size, FileTime mtime, Object key, long walSize) {
    static FileStamp of(Path db) {
      try {
        BasicFileAttributes a = Files.readAttributes(db, BasicFileAttributes.class);
        long wal;
        try {
          wal = Files.size(db.resolveSibling(db.getFileName() + "-wal"));
        } catch (IOException e) {
          wal = -1;
        }
        return new FileStamp(a.size(), a.lastModifiedTime(), a.fileKey(), wal);
      } catch (IOException e) {
        return null; // unreadable: never equal to what parking recorded, so the file is looked at again
      }
    }
  }

  /**
   * Reopens replication of a parked tenant. With a confirmed position the replica is not listed and
   * the clean-state record makes the first sync incremental (unless the file changed meanwhile:
   * then it is full-page, as after any unclean stop). Holds {@link Tenant#lifecycle}.
   */
  void reopenLocked(Tenant t) throws IOException {
    if (t.lease.isLost()) {
      throw new IOException("runnel-tenant [" + t.id + "] lease lost: " + t.lease.lostReason());
    }
    FencedReplicaClient fenced = new FencedReplicaClient(t.replica, t.lease, options.verifyLeaseOnUpload());
    TxId at = t.parkedAt;
    if (at != null) {
      // The position is only as good as the lease: a lease that lapsed while parked (missed
      // renewals in a paused process) may have let another holder write above it. Proving it ours
      // renews it by compare-and-swap when near expiry; failing that, fencing stops our uploads,
      // and we list the replica instead of trusting the position.
      try {
        t.lease.checkWritable(false);
      } catch (IOException e) {
        LOG.log(Level.WARNING, "runnel-tenant [{0}] lease not provably ours at unpark ({1}); listing the "
            + "replica", t.id, e.getMessage());
        at = null;
      }
    }
    ReplicatedDatabase r = at != null
        ? ReplicatedDatabase.open(t.db, fenced, tenantReplication, runtime, at)
        : ReplicatedDatabase.open(t.db, fenced, tenantReplication, runtime);
    t.rdb = r;
    t.parkedAt = null;
    t.parkedFile = null;
    t.parked = false;
    LOG.log(Level.DEBUG, "runnel-tenant [{0}] unparked", t.id);
  }
}
