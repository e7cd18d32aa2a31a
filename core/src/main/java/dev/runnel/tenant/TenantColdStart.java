package dev.runnel.tenant;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.ConditionalStore;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import dev.runnel.replicate.ReplicatedDatabase;
import dev.runnel.replicate.ReplicationOptions;
import dev.runnel.replicate.ReplicationRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Making a tenant hot: lease, restore (speculatively, see {@link TenantRestore}) or create or
 * import, replication, hooks, lease renewal (see {@link TenantDatabases}, "Acquire" and "Leases").
 *
 * <p>Runs on the acquiring thread; single flight is the caller's job (whoever put the
 * {@link Tenant} into the map cold-starts it). The {@code tenants} map and the {@code hot} counter
 * are owned by {@link TenantDatabases} and shared with {@link TenantEviction}: a failed cold start
 * removes its tenant from the map, a successful one increments {@code hot}. A lost lease hands the
 * tenant to {@link TenantEviction#leaseLost}.
 */
final class TenantColdStart {
  private static final System.Logger LOG = System.getLogger(TenantDatabases.class.getName());

  private final Function<String, ReplicaClient> replicas;
  private final TenantOptions options;
  private final ReplicationOptions tenantReplication;
  private final TenantHook initializer;
  private final TenantHook migration;
  private final Clock clock;
  private final String holderId;
  private final ReplicationRuntime runtime;
  private final ScheduledExecutorService timers;
  private final ExecutorService io;
  private final ConcurrentHashMap<String, Tenant> tenants;
  private final AtomicInteger hot;
  private final TenantEvents events;
  private final TenantEviction eviction;

  TenantColdStart(Function<String, ReplicaClient> replicas, TenantOptions options, TenantHook initializer,
      TenantHook migration, Clock clock, String holderId, ReplicationRuntime runtime, ScheduledExecutorService timers,
      ExecutorService io, ConcurrentHashMap<String, Tenant> tenants, AtomicInteger hot, TenantEvents events,
      TenantEviction eviction) {
    this.replicas = replicas;
    this.options = options;
    this.tenantReplication = tenantReplication(options);
    this.initializer = initializer;
    this.migration = migration;
    this.clock = clock;
    this.holderId = holderId;
    this.runtime = runtime;
    this.timers = timers;
    this.io = io;
    this.tenants = tenants;
    this.hot = hot;
    this.events = events;
    this.eviction = eviction;
  }

  /** Replication settings of a tenant database: {@code options.replication()}, one final upload attempt. */
  static ReplicationOptions tenantReplication(TenantOptions options) {
    // The engine's close() would retry a failed final upload for shutdownSyncTimeout; evictions and
    // parking sync explicitly first, so a single attempt in close() is enough (and a tenant that
    // lost its lease closes at once).
    return options.replication().withShutdownSync(Duration.ZERO, options.replication().shutdownSyncInterval());
  }

  /** An import's source and outcome (see {@link TenantDatabases#importTenant(String, Path, boolean)}). */
  static final class ImportSpec {
    final Path source;
    final boolean force;
    TxId replicated;

    ImportSpec(Path source, boolean force) {
      this.source = source;
      this.force = force;
    }
  }

  /**
   * The cold start, on the caller's thread. {@code importFrom} non-null makes it an import of that
   * file instead of a restore. On failure nothing stays behind (lease released, files deleted) and
   * the tenant is removed from the map before {@code started} fails.
   */
  void coldStart(Tenant t, ImportSpec importFrom) throws IOException {
    long t0 = System.nanoTime();
    ReplicaClient replica = null;
    TenantLease lease = null;
    ReplicatedDatabase rdb = null;
    CompletableFuture<TenantRestore.Attempt> speculative = null;
    try {
      replica = Objects.requireNonNull(replicas.apply(t.id), "replica factory returned null");
      replica.init();
      ReplicaClient r0 = replica;
      ConditionalStore store = replica.conditionalStore().orElseThrow(() -> new IOException(
          "runnel-tenant [" + t.id + "] replica " + r0.describe() + " has no conditional store; leases need one"));
      TenantFiles.deleteTree(t.dir);
      Files.createDirectories(t.dir);
      if (importFrom == null) {
        // Restore while the lease request is in flight; TenantRestore.finish checks the result
        // against a listing taken under the lease.
        speculative = TenantRestore.start(t.id, replica, t.db, io);
      }
      try {
        lease = TenantLease.acquire(t.id, store, holderId, options.leaseTtl(), clock);
      } catch (TenantBusyException e) {
        events.leaseConflicts.increment();
        throw e;
      }
      boolean isNew = false;
      // The replica's highest TxId, from a listing taken under the lease: nobody else can write
      // the replica while we hold it, so replication starts from it without listing every level
      // again (fencing's remaining window is the lease's, see TenantLease).
      TxId replicaMax = TxId.ZERO;
      TxId restoredAt = null;
      if (importFrom != null) {
        importInto(t, replica, lease, importFrom); // replica empty afterwards: replicaMax stays zero
      } else {
        TenantRestore.Outcome o = TenantRestore.finish(t.id, speculative, replica, t.db);
        replicaMax = o.replicaMax();
        restoredAt = o.restoredAt();
        if (restoredAt == null) {
          LOG.log(Level.INFO, "runnel-tenant [{0}] no replica at {1}: creating a new tenant database", t.id,
              replica.describe());
          createNew(t);
          isNew = true;
        }
      }
      FencedReplicaClient fenced = new FencedReplicaClient(replica, lease, options.verifyLeaseOnUpload());
      rdb = restoredAt != null
          ? ReplicatedDatabase.openRestored(t.db, fenced, tenantReplication, runtime, restoredAt, replicaMax)
          : ReplicatedDatabase.open(t.db, fenced, tenantReplication, runtime, replicaMax);
      t.replica = replica;
      t.lease = lease;
      t.rdb = rdb;
      t.created = isNew;
      runHook(t, migration, "migration hook");
      if (importFrom != null) {
        importFrom.replicated = rdb.sync(options.replication().shutdownSyncTimeout());
      }
      if (lease.isLost()) {
        throw new IOException("runnel-tenant [" + t.id + "] lease lost during cold start: " + lease.lostReason());
      }
      TenantLease l = lease;
      lease.onLost(reason -> io.execute(() -> eviction.leaseLost(t, reason)));
      long period = Math.max(1, options.leaseTtl().toMillis() / 3);
      t.renewal = timers.scheduleWithFixedDelay(() -> io.execute(l::renew), period, period, TimeUnit.MILLISECONDS);
      if (options.diskBudgetBytes() > 0) {
        t.diskBytes = TenantFiles.measure(t);
      }
      long nanos = System.nanoTime() - t0;
      t.coldStartNanos = nanos;
      t.hotSinceMillis = clock.millis();
      t.lastUsedMillis = t.hotSinceMillis;
      hot.incrementAndGet();
      events.coldStarts.increment();
      if (isNew) {
        events.created.increment();
      }
      events.coldStartLatency.record(nanos);
      LOG.log(Level.DEBUG, "runnel-tenant [{0}] hot after {1} µs ({2})", t.id, nanos / 1000,
          importFrom != null ? "imported" : isNew ? "created" : "restored");
      t.started.complete(null);
      Duration elapsed = Duration.ofNanos(nanos);
      boolean wasNew = isNew;
      events.notify(l2 -> l2.coldStarted(t.id, wasNew, elapsed));
    } catch (Throwable e) {
      events.coldStartFailures.increment();
      t.gone = true;
      t.closeConnections();
      if (rdb != null) {
        try {
          rdb.close();
        } catch (IOException | RuntimeException ignored) {
          // Failing anyway; the local files go below.
        }
      }
      if (lease != null) {
        try {
          lease.release();
        } catch (IOException | RuntimeException ex) {
          e.addSuppressed(ex);
        }
      }
      if (speculative != null) {
        TenantRestore.await(speculative); // it writes into the directory deleted below
      }
      if (replica != null) {
        TenantFiles.closeQuietly(replica);
      }
      try {
        TenantFiles.deleteTree(t.dir);
      } catch (IOException | UncheckedIOException ex) {
        e.addSuppressed(ex);
      }
      tenants.remove(t.id, t);
      t.started.completeExceptionally(e);
      if (!(e instanceof TenantBusyException)) {
        LOG.log(Level.WARNING, "runnel-tenant [" + t.id + "] cold start failed: " + e);
        events.notify(l2 -> l2.error(t.id, "cold-start", e));
      }
      throw dev.runnel.io.Failures.rethrow(e);
    }
  }

  private void createNew(Tenant t) throws IOException {
    try (Connection c = new org.sqlite.SQLiteConfig().createConnection("jdbc:sqlite:" + t.db)) {
      try (Statement st = c.createStatement()) {
        st.execute("PRAGMA journal_mode = WAL");
        st.execute("PRAGMA foreign_keys = ON");
        for (Map.Entry<String, String> p : options.pragmas().entrySet()) {
          st.execute("PRAGMA " + p.getKey() + " = " + p.getValue());
        }
      }
      c.setAutoCommit(false);
      try {
        initializer.apply(t.id, c);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw new IOException("runnel-tenant [" + t.id + "] schema initializer failed: " + e.getMessage(), e);
      }
    } catch (SQLException e) {
      throw new IOException("runnel-tenant [" + t.id + "] cannot create database " + t.db + ": " + e.getMessage(), e);
    }
  }

  private void runHook(Tenant t, TenantHook hook, String what) throws IOException {
    if (hook == TenantHook.NONE) {
      return;
    }
    Connection w = null;
    try {
      w = t.borrowWriter(options.busyTimeout());
      w.setAutoCommit(false);
      try {
        hook.apply(t.id, w);
        w.commit();
      } catch (SQLException | RuntimeException e) {
        w.rollback();
        throw new IOException("runnel-tenant [" + t.id + "] " + what + " failed: " + e.getMessage(), e);
      } finally {
        w.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new IOException("runnel-tenant [" + t.id + "] " + what + ": " + e.getMessage(), e);
    } finally {
      if (w != null) {
        t.returnWriter(w);
      }
    }
  }

  private static boolean hasAnyLtx(ReplicaClient replica) throws IOException {
    for (int level = 0; level <= LtxFileInfo.MAX_LEVEL; level++) {
      if (!replica.list(level).isEmpty()) {
        return true;
      }
    }
    return false;
  }

  private void importInto(Tenant t, ReplicaClient replica, TenantLease lease, ImportSpec spec) throws IOException {
    if (hasAnyLtx(replica)) {
      if (!spec.force) {
        throw new java.nio.file.FileAlreadyExistsException(replica.describe(), null,
            "runnel-tenant [" + t.id + "] already has a replica; pass force to replace it");
      }
      LOG.log(Level.WARNING, "runnel-tenant [{0}] import with force: deleting the existing replica at {1}", t.id,
          replica.describe());
      new FencedReplicaClient(replica, lease, options.verifyLeaseOnUpload()).deleteAll();
    }
    String target = t.db.toString().replace("'", "''");
    org.sqlite.SQLiteConfig cfg = new org.sqlite.SQLiteConfig();
    cfg.setReadOnly(true);
    try (Connection c = cfg.createConnection("jdbc:sqlite:" + spec.source); Statement st = c.createStatement()) {
      st.execute("VACUUM INTO '" + target + "'");
    } catch (SQLException e) {
      throw new IOException("runnel-tenant [" + t.id + "] cannot copy " + spec.source + ": " + e.getMessage(), e);
    }
  }

  static void checkSqliteHeader(Path file) throws IOException {
    byte[] head = new byte[16];
    try (InputStream in = Files.newInputStream(file)) {
      if (in.readNBytes(head, 0, 16) < 16
          || !new String(head, 0, 15, StandardCharsets.US_ASCII).equals("SQLite format 3")) {
        throw new IOException(file + ": not an SQLite database");
      }
    }
  }
}
