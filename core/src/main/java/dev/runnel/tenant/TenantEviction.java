package dev.runnel.tenant;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replicate.ReplicatedDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Taking tenants down: idle and LRU/disk-budget sweeps, explicit and shutdown evictions, and the
 * teardown after a lost lease (see {@link TenantDatabases}, "Eviction" and "Leases"). The sweep
 * also parks idle tenants ({@link TenantParking}); a parked tenant is evicted without another sync
 * (parking confirmed its position in the replica, and it has no replication or connection since),
 * unless its database file changed since parking.
 *
 * <p>Locking: every teardown holds the tenant's {@link Tenant#lifecycle} lock and publishes
 * {@link Tenant#teardown} for acquirers to wait on; {@link #capLock} (owned here) keeps one thread
 * at a time making room. The {@code tenants} map and the {@code hot} counter are owned by
 * {@link TenantDatabases} and shared with {@link TenantColdStart}: a cold start increments
 * {@code hot} when a tenant becomes hot, {@link #stopAndDelete} decrements it and removes the
 * tenant from the map.
 */
final class TenantEviction {
  private static final System.Logger LOG = System.getLogger(TenantDatabases.class.getName());

  private final ConcurrentHashMap<String, Tenant> tenants;
  private final AtomicInteger hot;
  private final TenantOptions options;
  private final Clock clock;
  private final TenantEvents events;
  private final TenantParking parking;
  private final ReentrantLock capLock = new ReentrantLock();

  TenantEviction(ConcurrentHashMap<String, Tenant> tenants, AtomicInteger hot, TenantOptions options, Clock clock,
      TenantEvents events, TenantParking parking) {
    this.tenants = tenants;
    this.hot = hot;
    this.options = options;
    this.clock = clock;
    this.events = events;
    this.parking = parking;
  }

  /** {@link TenantDatabases#runMaintenance()}. */
  void runMaintenance() {
    long now = clock.millis();
    long idle = options.idleTimeout().toMillis();
    long sweep = options.sweepInterval().toMillis();
    long park = options.parkingEnabled() ? options.parkAfter().toMillis() : Long.MAX_VALUE;
    for (Tenant t : tenants.values()) {
      if (t.isHot() && t.refs.get() == 0) {
        long unused = now - t.lastUsedMillis;
        if (unused >= idle) {
          evict(t, EvictionCause.IDLE, false, false);
        } else if (t.parked) {
          continue;
        } else if (unused >= park) {
          parking.park(t);
        } else if (unused >= sweep) {
          t.closeIdleConnections(); // descriptors of a quiet tenant; reopened on its next use
        }
      }
    }
    enforceCaps(true);
  }

  void enforceCaps(boolean remeasure) {
    int maxHot = options.maxHotTenants();
    long budget = options.diskBudgetBytes();
    if (hot.get() <= maxHot && budget == 0) {
      return;
    }
    if (!capLock.tryLock()) {
      return; // another thread is already making room
    }
    try {
      Set<Tenant> failed = new HashSet<>();
      while (hot.get() > maxHot) {
        Tenant v = leastRecentlyUsedIdle(failed);
        if (v == null) {
          break;
        }
        if (!evict(v, EvictionCause.LRU, false, false)) {
          failed.add(v);
        }
      }
      if (budget > 0) {
        long total = 0;
        for (Tenant t : tenants.values()) {
          if (t.isHot()) {
            if (remeasure) {
              t.diskBytes = TenantFiles.measure(t);
            }
            total += t.diskBytes;
          }
        }
        while (total > budget) {
          Tenant v = leastRecentlyUsedIdle(failed);
          if (v == null) {
            break;
          }
          long bytes = v.diskBytes;
          if (evict(v, EvictionCause.DISK, false, false)) {
            total -= bytes;
          } else {
            failed.add(v);
          }
        }
      }
    } finally {
      capLock.unlock();
    }
  }

  private Tenant leastRecentlyUsedIdle(Set<Tenant> excluded) {
    Tenant best = null;
    for (Tenant t : tenants.values()) {
      if (t.isHot() && t.refs.get() == 0 && !excluded.contains(t)
          && (best == null || t.lastUsedMillis < best.lastUsedMillis)) {
        best = t;
      }
    }
    return best;
  }

  /**
   * The eviction procedure (class comment). {@code force}: proceed even with open handles (their
   * connections are closed under them); used at shutdown. {@code wait}: wait for a concurrent
   * teardown instead of skipping.
   */
  boolean evict(Tenant t, EvictionCause cause, boolean force, boolean wait) {
    if (!t.started.isDone() || t.started.isCompletedExceptionally()) {
      return false;
    }
    if (wait) {
      t.lifecycle.lock();
    } else if (!t.lifecycle.tryLock()) {
      return false;
    }
    try {
      if (t.gone) {
        return false;
      }
      CompletableFuture<Void> td = new CompletableFuture<>();
      t.teardown = td;
      int before;
      if (force) {
        before = t.refs.getAndSet(-1);
      } else if (t.refs.compareAndSet(0, -1)) {
        before = 0;
      } else {
        td.complete(null);
        return false;
      }
      try {
        t.markUnusable("being evicted (" + cause + ")");
        t.closeConnections();
        try {
          if (t.parked && !TenantParking.evictableAsParked(t)) {
            parking.reopenLocked(t); // position unknown or file changed: upload what is pending first
          }
          if (!t.parked) {
            flushAndConfirm(t, options.replication().shutdownSyncTimeout());
          } // else: parking confirmed the final position in the replica and the file is unchanged
        } catch (IOException | RuntimeException e) {
          events.evictionFailures.increment();
          LOG.log(Level.WARNING, "runnel-tenant [{0}] eviction ({1}) postponed, tenant stays hot: {2}", t.id, cause,
              e.getMessage());
          events.notify(l -> l.error(t.id, "evict", e));
          if (cause != EvictionCause.SHUTDOWN) {
            t.markUsable();
            t.refs.set(before == -1 ? 0 : before);
          }
          return false;
        }
        stopAndDelete(t, cause, true);
        return true;
      } finally {
        td.complete(null);
      }
    } finally {
      t.lifecycle.unlock();
    }
  }

  /**
   * The first steps of an eviction, also those of parking: a final sync that waits for the upload,
   * then a listing of the replica that must show the synced TxId. The caller has closed the
   * tenant's connections, so nothing can commit after the sync.
   *
   * @return the synced TxId
   */
  static TxId flushAndConfirm(Tenant t, java.time.Duration timeout) throws IOException {
    TxId target = t.rdb.sync(timeout);
    confirmInReplica(t, target);
    return target;
  }

  private static void confirmInReplica(Tenant t, TxId target) throws IOException {
    if (target.isZero()) {
      return;
    }
    TxId max = TxId.ZERO;
    for (int level = 0; level <= LtxFileInfo.MAX_LEVEL && max.compareTo(target) < 0; level++) {
      for (LtxFileInfo f : t.replica.list(level)) {
        max = TxId.max(max, f.maxTxId());
      }
    }
    if (max.compareTo(target) < 0) {
      throw new IOException("runnel-tenant [" + t.id + "] replica " + t.replica.describe() + " lists TxId " + max
          + " but the final sync reported " + target);
    }
  }

  /** Stops replication, releases the lease (if {@code releaseLease}), deletes local files. Holds lifecycle. */
  private void stopAndDelete(Tenant t, EvictionCause cause, boolean releaseLease) {
    if (t.renewal != null) {
      t.renewal.cancel(false);
    }
    try {
      if (t.rdb != null) { // null while parked: closed cleanly then
        t.rdb.close();
      }
    } catch (IOException | RuntimeException e) {
      if (releaseLease) {
        // Everything was confirmed in the replica before; a failure here only concerns cleanup.
        LOG.log(Level.DEBUG, "runnel-tenant [{0}] closing replication: {1}", t.id, e.getMessage());
      }
    }
    if (releaseLease) {
      try {
        t.lease.release();
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.WARNING, "runnel-tenant [{0}] lease release failed (it expires by itself): {1}", t.id,
            e.getMessage());
        events.notify(l -> l.error(t.id, "lease-release", e));
      }
    }
    TenantFiles.closeQuietly(t.replica);
    try {
      TenantFiles.deleteTree(t.dir);
    } catch (IOException | UncheckedIOException e) {
      LOG.log(Level.WARNING, "runnel-tenant [{0}] deleting local files: {1}", t.id, e.getMessage());
      events.notify(l -> l.error(t.id, "delete-local", e));
    }
    t.gone = true;
    hot.decrementAndGet();
    tenants.remove(t.id, t);
    events.evicted(cause);
    LOG.log(Level.DEBUG, "runnel-tenant [{0}] evicted ({1})", t.id, cause);
    events.notify(l -> l.evicted(t.id, cause));
  }

  void leaseLost(Tenant t, String reason) {
    t.lifecycle.lock();
    try {
      if (t.gone || !t.started.isDone() || t.started.isCompletedExceptionally()) {
        return;
      }
      CompletableFuture<Void> td = new CompletableFuture<>();
      t.teardown = td;
      try {
        t.refs.set(-1);
        t.markUnusable("lease lost: " + reason);
        t.closeConnections();
        ReplicatedDatabase r = t.rdb; // null while parked: then everything was confirmed uploaded
        TxId local = r == null ? TxId.ZERO : r.localTxId();
        TxId remote = r == null ? TxId.ZERO : r.replicatedTxId();
        if (local.compareTo(remote) > 0) {
          LOG.log(Level.ERROR, "runnel-tenant [{0}] lease lost with TxIds {1}..{2} not uploaded; they are "
              + "discarded (never acknowledged by sync)", t.id, remote.next(), local);
        }
        events.leaseLosses.increment();
        stopAndDelete(t, EvictionCause.LEASE_LOST, false);
        events.notify(l -> l.leaseLost(t.id, reason));
      } finally {
        td.complete(null);
      }
    } finally {
      t.lifecycle.unlock();
    }
  }

  /**
   * The shutdown part of {@link TenantDatabases#close()}: evicts {@code all} (cause
   * {@link EvictionCause#SHUTDOWN}, open handles cut off) on {@code io}, at most
   * {@link TenantOptions#shutdownParallelism()} at once, for at most
   * {@link TenantOptions#shutdownTimeout()} in total.
   *
   * @return the ids of the tenants that could not be flushed (or not in time)
   */
  List<String> evictAllForShutdown(List<Tenant> all, ExecutorService io) {
    Semaphore permits = new Semaphore(options.shutdownParallelism());
    List<String> failed = new CopyOnWriteArrayList<>();
    List<CompletableFuture<Void>> jobs = new ArrayList<>();
    for (Tenant t : all) {
      jobs.add(CompletableFuture.runAsync(() -> {
        try {
          permits.acquire();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          failed.add(t.id);
          return;
        }
        try {
          try {
            t.started.get();
          } catch (ExecutionException e) {
            return; // never started: nothing to flush
          }
          if (!t.gone && !evict(t, EvictionCause.SHUTDOWN, true, true) && !t.gone) {
            failed.add(t.id);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          failed.add(t.id);
        } finally {
          permits.release();
        }
      }, io));
    }
    try {
      CompletableFuture.allOf(jobs.toArray(CompletableFuture[]::new))
          .get(options.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      for (Tenant t : all) {
        if (!t.gone && !failed.contains(t.id)) {
          failed.add(t.id);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      LOG.log(Level.WARNING, "runnel-tenant shutdown", e);
    }
    return failed;
  }
}
