package dev.runnel.tenant;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import dev.runnel.restore.NoMatchingBackupException;
import dev.runnel.restore.ReplicaListing;
import dev.runnel.restore.RestorePlan;
import dev.runnel.restore.RestorePlanner;
import dev.runnel.restore.RestoreTarget;
import dev.runnel.restore.Restorer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

/**
 * The restore step of a tenant's cold start, overlapped with taking the lease: {@link #start}
 * lists the replica and restores it into the cache while the lease request is in flight;
 * {@link #finish}, called once the lease is held, lists the replica again and keeps the speculative
 * result only if that listing, the first one made while nobody else may write the replica, is
 * identical. Otherwise (a previous holder uploaded or compacted in between, or the speculative
 * restore failed) the restore is redone from the second listing. Either way the outcome rests on a
 * listing taken under the lease, which is what lets replication start from its highest TxId
 * without listing again.
 *
 * <p>Costs one extra listing (one LIST on S3) and saves the shorter of lease and restore.
 */
final class TenantRestore {
  private static final System.Logger LOG = System.getLogger(TenantRestore.class.getName());

  /**
   * What the cache now holds.
   *
   * @param restoredAt the restored TxId, or null if the replica is empty (a new tenant)
   * @param replicaMax the highest TxId in the replica, from a listing under the lease
   */
  record Outcome(TxId restoredAt, TxId replicaMax) {}

  /** A finished speculative attempt: the listing it used and its restored TxId (null: empty replica). */
  record Attempt(ReplicaListing listing, TxId restoredAt) {}

  private TenantRestore() {}

  /** Starts listing and restoring {@code replica} into {@code db} (whose directory exists and holds no database). */
  static CompletableFuture<Attempt> start(String tenantId, ReplicaClient replica, Path db, Executor io) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        ReplicaListing listing = list(replica);
        return new Attempt(listing, hasAnyLtx(listing) ? restore(tenantId, replica, listing, db) : null);
      } catch (IOException e) {
        throw new CompletionException(e);
      }
    }, io);
  }

  /**
   * Completes the restore once the lease is held: waits for the speculative attempt, checks it
   * against a fresh listing, redoes it if needed.
   *
   * @throws IOException if the replica cannot be listed or restored, or holds files but no
   *     restorable state (never papered over with a new database)
   */
  static Outcome finish(String tenantId, CompletableFuture<Attempt> speculative, ReplicaClient replica, Path db)
      throws IOException {
    ReplicaListing now = list(replica);
    Attempt a = null;
    try {
      a = speculative.get();
    } catch (ExecutionException e) {
      LOG.log(Level.DEBUG, "runnel-tenant [{0}] speculative restore failed, redoing it under the lease: {1}",
          tenantId, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("runnel-tenant [" + tenantId + "] interrupted while restoring");
    }
    TxId max = maxTxId(now);
    if (a != null && sameFiles(a.listing(), now)) {
      return new Outcome(a.restoredAt(), max);
    }
    if (a != null) {
      LOG.log(Level.INFO, "runnel-tenant [{0}] replica changed while the lease was being taken; restoring again",
          tenantId);
    }
    for (String suffix : new String[] {"", "-wal", "-shm"}) {
      Files.deleteIfExists(db.resolveSibling(db.getFileName() + suffix));
    }
    return new Outcome(hasAnyLtx(now) ? restore(tenantId, replica, now, db) : null, max);
  }

  /** Waits for a speculative attempt to end, ignoring its outcome (before deleting its files). */
  static void await(CompletableFuture<Attempt> speculative) {
    try {
      speculative.join();
    } catch (RuntimeException ignored) {
      // Failing anyway.
    }
  }

  private static ReplicaListing list(ReplicaClient replica) throws IOException {
    return new ReplicaListing(replica.describe(), replica.listAllLevels());
  }

  private static TxId restore(String tenantId, ReplicaClient replica, ReplicaListing listing, Path db)
      throws IOException {
    RestorePlan plan;
    try {
      plan = RestorePlanner.plan(listing, RestoreTarget.latest());
    } catch (NoMatchingBackupException e) {
      throw new IOException("runnel-tenant [" + tenantId + "] replica " + replica.describe()
          + " holds files but no restorable state; refusing to create a new database over it: " + e.getMessage(), e);
    }
    // Not fsynced: the cache directory is scratch. A crash loses nothing the replica does not hold
    // (it holds everything this file has), and the next manager deletes every tenant directory at
    // build (deleteLeftovers), so a torn file is never mistaken for a good one. Later commits are
    // made durable by SQLite in the WAL as usual.
    Restorer.Result r = Restorer.restore(replica, plan, db,
        Restorer.Options.defaults().withParallelism(4).withDurable(false));
    LOG.log(Level.DEBUG, "runnel-tenant [{0}] restored TxId {1} ({2} bytes) from {3}", tenantId, r.txId(),
        r.bytesDownloaded(), replica.describe());
    return r.txId();
  }

  static boolean hasAnyLtx(ReplicaListing listing) {
    for (int level = 0; level <= LtxFileInfo.MAX_LEVEL; level++) {
      if (!listing.level(level).isEmpty()) {
        return true;
      }
    }
    return false;
  }

  static TxId maxTxId(ReplicaListing listing) {
    TxId max = TxId.ZERO;
    for (int level = 0; level <= LtxFileInfo.MAX_LEVEL; level++) {
      for (LtxFileInfo f : listing.level(level)) {
        max = TxId.max(max, f.maxTxId());
      }
    }
    return max;
  }

  /** Same names, sizes and timestamps on every level. */
  private static boolean sameFiles(ReplicaListing a, ReplicaListing b) {
    for (int level = 0; level <= LtxFileInfo.MAX_LEVEL; level++) {
      List<LtxFileInfo> x = a.level(level);
      if (!x.equals(b.level(level))) {
        return false;
      }
    }
    return true;
  }
}
