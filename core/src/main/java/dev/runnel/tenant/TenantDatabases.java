package dev.runnel.tenant;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.ReplicaClient;
import dev.runnel.replica.ReplicaClients;
import dev.runnel.replicate.ReplicatedDatabase;
import dev.runnel.replicate.ReplicationRuntime;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * One SQLite database per tenant, embedded: restored on demand from the tenant's replica into a
 * local cache directory, replicated while hot, evicted when idle, with nothing acknowledged lost.
 *
 * <h2>Layout</h2>
 * Tenant {@code X} lives in the replica {@code <base>/X} (its LTX files and its {@code lease}
 * object) and, while hot, in {@code <cache>/X/X.db} (plus {@code -wal}, {@code -shm} and the
 * {@code .X.db-litestream} directory). The cache directory is scratch space owned by one manager:
 * it is locked ({@code .runnel-tenants.lock}) and leftover tenant directories are deleted at build.
 *
 * <h2>Acquire</h2>
 * {@link #acquire} of a hot tenant returns at once (a map lookup and a CAS). A cold acquire takes
 * the tenant's lease, restores the replica (an empty replica means a new tenant: the database is
 * created and the schema initializer runs, logged at INFO), starts replication on the
 * shared {@link ReplicationRuntime}, runs the migration hook, and returns. Concurrent cold acquires
 * of one tenant restore once (single flight); acquires of other tenants never wait for it.
 *
 * <h2>Eviction</h2>
 * A tenant with no open handle is evicted when idle past {@link TenantOptions#idleTimeout()}, when
 * least recently used while over {@link TenantOptions#maxHotTenants()} or the disk budget, on
 * {@link #evict} and on {@link #close}. Steps, in this order: no new handles; the tenant's
 * connections are closed (so no commit can slip in after the final sync); a final sync waits for
 * the upload; the replica is listed to confirm it holds the final TxId; replication stops; the
 * lease is released; the local files are deleted. If the sync or the confirmation fails, the
 * tenant stays hot and local (its connections reopen on demand), the failure is counted and
 * reported to listeners, and the next sweep retries. An acquire that arrives during an eviction
 * waits for it to finish, then either finds the tenant still hot (eviction failed) or cold-starts
 * it again.
 *
 * <h2>Parking</h2>
 * A hot tenant with no open handle for {@link TenantOptions#parkAfter()} (default 30 s) is parked
 * by the sweep: the same first steps as an eviction (no new handles, connections closed, final
 * sync, replica listed to confirm it), then its replication is closed cleanly. It keeps its local
 * files, its lease (still renewed) and its place among the hot tenants, but holds no file
 * descriptor and little heap. The next acquire reopens its replication (single flight: concurrent
 * acquirers wait for the one that reopens), continuing the TxIds it left at without listing the
 * replica, with an incremental first sync unless the file was changed behind the manager's back
 * (then the first sync is full-page). Parked tenants are evicted like the others (idle timeout,
 * caps, {@link #evict}, {@link #close}), without another upload unless the database file changed
 * since parking (then replication is reopened and synced first).
 *
 * <h2>Leases</h2>
 * At most one process writes a tenant: see {@link TenantLease}. A tenant leased by another live
 * process fails fast with {@link TenantBusyException}. Every upload is fenced by a lease check. A
 * process that loses a lease (taken over after it expired, or not renewable before expiry) closes
 * the tenant's connections and replication at once and deletes its local files; commits not yet
 * uploaded by then are lost (only what {@link TenantHandle#sync()} acknowledged is guaranteed).
 *
 * <h2>Threads</h2>
 * No thread per tenant: replication uses the shared runtime; lease renewals and the sweep are
 * timers on one scheduler thread that hand their I/O to virtual threads. All methods are
 * thread-safe.
 */
public final class TenantDatabases implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(TenantDatabases.class.getName());
  /** The cache directory's lock file (see {@link TenantFiles#lockCacheDirectory}). */
  static final String LOCK_FILE = TenantFiles.LOCK_FILE;

  private final Path cacheDir;
  private final TenantOptions options;
  private final Clock clock;
  private final String holderId;
  private final ReplicationRuntime runtime;
  private final boolean ownsRuntime;
  private final ScheduledThreadPoolExecutor timers;
  private final ExecutorService io;
  private final FileLock cacheLock;
  // Owned here, shared with coldStarts and eviction (see their class comments): the map is the
  // single-flight point (whoever inserts a Tenant cold-starts it), `hot` counts hot tenants.
  private final ConcurrentHashMap<String, Tenant> tenants = new ConcurrentHashMap<>();
  private final AtomicInteger hot = new AtomicInteger();
  private volatile boolean closed;

  private final TenantEvents events;
  private final TenantEviction eviction;
  private final TenantColdStart coldStarts;
  private final TenantParking parking;

  private TenantDatabases(Builder b) throws IOException {
    this.cacheDir = b.cacheDir.toAbsolutePath().normalize();
    this.options = b.options;
    this.clock = b.clock;
    this.holderId = b.holderId != null ? b.holderId : defaultHolderId();
    this.events = new TenantEvents(b.listeners);
    this.cacheLock = TenantFiles.lockCacheDirectory(cacheDir);
    TenantFiles.deleteLeftovers(cacheDir);
    if (b.runtime != null) {
      this.runtime = b.runtime;
      this.ownsRuntime = false;
    } else {
      this.runtime = new ReplicationRuntime(2, 16, clock);
      this.ownsRuntime = true;
    }
    this.timers = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "runnel-tenant-timer");
      t.setDaemon(true);
      return t;
    });
    this.timers.setRemoveOnCancelPolicy(true);
    this.io = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("runnel-tenant-", 0).factory());
    this.parking = new TenantParking(options, runtime, events);
    this.eviction = new TenantEviction(tenants, hot, options, clock, events, parking);
    this.coldStarts = new TenantColdStart(b.replicas, options, b.initializer, b.migration, clock, holderId, runtime,
        timers, io, tenants, hot, events, eviction);
    long sweep = options.sweepInterval().toMillis();
    timers.scheduleWithFixedDelay(() -> io.execute(this::sweepQuietly), sweep, sweep, TimeUnit.MILLISECONDS);
  }

  /** A builder; {@link Builder#replicaBase} (or {@link Builder#replicaFactory}) and the cache directory are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Settings of a {@link TenantDatabases}. Not thread-safe; build once.
   */
  public static final class Builder {
    private Function<String, ReplicaClient> replicas;
    private Path cacheDir;
    private TenantOptions options = TenantOptions.defaults();
    private TenantHook initializer = TenantHook.NONE;
    private TenantHook migration = TenantHook.NONE;
    private Clock clock = Clock.systemUTC();
    private String holderId;
    private ReplicationRuntime runtime;
    private final List<TenantListener> listeners = new ArrayList<>();

    private Builder() {}

    /**
     * Replicas under one base URL or path: tenant {@code X} replicates to {@code <base>/X} (query
     * parameters of the base, e.g. {@code ?endpoint=...}, are kept), opened as by
     * {@link ReplicaClients#open(String)} with the backend looked up once, here
     * ({@link ReplicaClients#opener}). E.g. {@code s3://bucket/tenants} or
     * {@code file:///var/backups/tenants}.
     *
     * @throws IllegalArgumentException if no backend serves the base's URL scheme
     */
    public Builder replicaBase(String base) {
      Objects.requireNonNull(base, "base");
      int q = base.indexOf('?');
      String path = q < 0 ? base : base.substring(0, q);
      String query = q < 0 ? "" : base.substring(q);
      while (path.endsWith("/") && !path.endsWith("://")) {
        path = path.substring(0, path.length() - 1);
      }
      String prefix = path;
      java.util.function.Function<String, ReplicaClient> open = ReplicaClients.opener(base);
      this.replicas = id -> open.apply(prefix + "/" + id + query);
      return this;
    }

    /**
     * Replicas from a function of the (validated) tenant id. Called once per cold start; the
     * manager initialises the client and closes it when the tenant is evicted. The client must
     * offer a {@link ReplicaClient#conditionalStore()} (for the lease).
     */
    public Builder replicaFactory(Function<String, ReplicaClient> factory) {
      this.replicas = Objects.requireNonNull(factory, "factory");
      return this;
    }

    /** Local directory for hot tenants' databases; created if missing; owned by this manager. */
    public Builder cacheDirectory(Path dir) {
      this.cacheDir = Objects.requireNonNull(dir, "dir");
      return this;
    }

    public Builder options(TenantOptions o) {
      this.options = Objects.requireNonNull(o, "options");
      return this;
    }

    /** Runs once for a tenant whose replica is empty, in the creating transaction. Default none. */
    public Builder schemaInitializer(TenantHook hook) {
      this.initializer = Objects.requireNonNull(hook, "hook");
      return this;
    }

    /** Runs on every cold start, after restore (and the initializer), in one transaction. Default none. */
    public Builder migration(TenantHook hook) {
      this.migration = Objects.requireNonNull(hook, "hook");
      return this;
    }

    /** Time source for idle timeouts, LRU order and lease expiry. Default: system UTC. */
    public Builder clock(Clock c) {
      this.clock = Objects.requireNonNull(c, "clock");
      return this;
    }

    /**
     * The id this process writes into leases (shown to competitors in {@link TenantBusyException}).
     * Must be unique among live processes: a lease naming our own holder id is taken over even
     * before it expires. Default: {@code <hostname>/<pid>/<random>}.
     */
    public Builder holderId(String id) {
      if (id == null || id.isBlank() || id.contains("\n") || id.length() > 200) {
        throw new IllegalArgumentException("holder id must be 1..200 characters without newlines");
      }
      this.holderId = id;
      return this;
    }

    /**
     * A replication runtime to share with other replicated databases of the process; the manager
     * does not close it. Default: a runtime of its own (2 threads, 16 uploads, the builder's clock).
     */
    public Builder runtime(ReplicationRuntime r) {
      this.runtime = Objects.requireNonNull(r, "runtime");
      return this;
    }

    public Builder listener(TenantListener l) {
      this.listeners.add(Objects.requireNonNull(l, "listener"));
      return this;
    }

    /**
     * Creates the manager: creates and locks the cache directory, deletes leftovers of a previous
     * run in it, starts the sweep timer.
     *
     * @throws IllegalStateException if another manager holds the cache directory
     */
    public TenantDatabases build() throws IOException {
      if (replicas == null) {
        throw new IllegalStateException("replicaBase or replicaFactory is required");
      }
      if (cacheDir == null) {
        throw new IllegalStateException("cacheDirectory is required");
      }
      return new TenantDatabases(this);
    }
  }

  private static String defaultHolderId() {
    String host = System.getenv("HOSTNAME");
    if (host == null || host.isBlank()) {
      host = "host";
    }
    return host + "/" + ProcessHandle.current().pid() + "/" + UUID.randomUUID().toString().substring(0, 8);
  }

  public TenantOptions options() {
    return options;
  }

  /** The holder id written into this manager's leases. */
  public String holderId() {
    return holderId;
  }

  public Path cacheDirectory() {
    return cacheDir;
  }

  /** Registers a listener (in addition to the builder's). */
  public void addListener(TenantListener l) {
    events.addListener(Objects.requireNonNull(l, "listener"));
  }

  // ---- acquire ---------------------------------------------------------------------------------

  /**
   * A handle on tenant {@code tenantId}, cold-starting it if needed (see the class comment).
   *
   * @throws IllegalArgumentException if the id is invalid (before any disk or network access)
   * @throws TenantBusyException if another live process holds the tenant's lease
   * @throws IOException if the restore, the replica or a hook fails; nothing stays behind locally
   * @throws IllegalStateException if the manager is closed
   */
  public TenantHandle acquire(String tenantId) throws IOException {
    TenantIds.check(tenantId);
    ensureOpen();
    while (true) {
      Tenant t = tenants.get(tenantId);
      if (t == null) {
        Tenant fresh = new Tenant(tenantId, cacheDir.resolve(tenantId), clock.millis(), options);
        t = tenants.putIfAbsent(tenantId, fresh);
        if (t == null) {
          if (closed) {
            tenants.remove(tenantId, fresh);
            fresh.started.completeExceptionally(new IllegalStateException("closed"));
            throw new IllegalStateException("TenantDatabases is closed");
          }
          coldStarts.coldStart(fresh, null);
          eviction.enforceCaps(false);
          return new TenantHandle(this, fresh);
        }
      }
      if (!t.started.isDone()) {
        await(t.started, tenantId);
      } else if (t.started.isCompletedExceptionally()) {
        await(t.started, tenantId); // rethrows the creator's failure
      }
      if (t.tryRetain()) {
        if (t.parked) {
          try {
            parking.unpark(t); // our reference keeps it from being parked again meanwhile
          } catch (IOException | RuntimeException e) {
            release(t);
            throw e;
          }
        }
        t.lastUsedMillis = clock.millis();
        events.hotAcquires.increment();
        return new TenantHandle(this, t);
      }
      CompletableFuture<Void> td = t.teardown;
      if (td != null) {
        try {
          td.get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while tenant " + tenantId + " was being evicted");
        } catch (ExecutionException e) {
          // The teardown's outcome does not matter here: look again.
        }
      } else {
        Thread.onSpinWait();
      }
      ensureOpen();
    }
  }

  /**
   * A {@link DataSource} for one tenant, for code written against one: each
   * {@code getConnection()} acquires the tenant (cold-starting it if needed) and returns its writer
   * ({@link TenantHandle#writer()}), or with {@code readOnly} a reader; closing the connection
   * closes that handle. A failed acquire becomes an {@link SQLException} (SQLState 08001) whose
   * cause is the {@link TenantBusyException} or {@link IOException}. The writer is exclusive: a
   * thread that asks for a second writer connection while holding one waits for itself until the
   * busy timeout; use {@link TenantHandle#dataSource(boolean)} for nested use. Thread-safe.
   *
   * @throws IllegalArgumentException if the id is invalid
   */
  public DataSource dataSource(String tenantId, boolean readOnly) {
    TenantIds.check(tenantId);
    return new TenantDataSource(() -> {
      TenantHandle h;
      try {
        h = acquire(tenantId);
      } catch (IOException e) {
        throw new SQLException("runnel-tenant [" + tenantId + "] cannot be acquired: " + e.getMessage(), "08001", e);
      }
      try {
        return Tenant.pooled(readOnly ? h.reader() : h.writer(), h::close);
      } catch (SQLException | RuntimeException e) {
        h.close();
        throw e;
      }
    }, tenantId + (readOnly ? ": readers" : ": writer") + ", one handle per connection");
  }

  private static void await(CompletableFuture<Void> f, String tenantId) throws IOException {
    try {
      f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while tenant " + tenantId + " was starting");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof TenantBusyException busy) {
        throw new TenantBusyException(busy.tenantId(), busy.holder(), busy.expiresAt());
      }
      if (c instanceof IOException io) {
        throw new IOException(io.getMessage(), io);
      }
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException("runnel-tenant [" + tenantId + "] cold start failed: " + c, c);
    }
  }

  void release(Tenant t) {
    t.lastUsedMillis = clock.millis();
    t.refs.decrementAndGet();
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("TenantDatabases is closed");
    }
  }


  /**
   * Imports an existing SQLite file as tenant {@code tenantId} ("move this organisation in"): takes
   * the lease, checks that the tenant has no replica yet (or, with {@code force}, deletes the
   * replica's LTX files), copies a consistent snapshot of {@code sqliteFile} (with {@code VACUUM
   * INTO}, so its {@code -wal} content is included and the source may stay in use), starts
   * replication, runs the migration hook, and waits until the replica holds it. The tenant is then
   * hot. The source file is not modified.
   *
   * @return the replicated TxId
   * @throws IllegalArgumentException if the id is invalid
   * @throws IllegalStateException if the tenant is hot or starting in this process
   * @throws java.nio.file.FileAlreadyExistsException if the tenant already has a replica and
   *     {@code force} is false
   * @throws TenantBusyException if another process holds the tenant's lease
   */
  public TxId importTenant(String tenantId, Path sqliteFile, boolean force) throws IOException {
    TenantIds.check(tenantId);
    Objects.requireNonNull(sqliteFile, "sqliteFile");
    ensureOpen();
    TenantColdStart.checkSqliteHeader(sqliteFile);
    Tenant fresh = new Tenant(tenantId, cacheDir.resolve(tenantId), clock.millis(), options);
    if (tenants.putIfAbsent(tenantId, fresh) != null) {
      throw new IllegalStateException("runnel-tenant [" + tenantId + "] is hot in this process; evict it first");
    }
    TenantColdStart.ImportSpec spec = new TenantColdStart.ImportSpec(sqliteFile.toAbsolutePath(), force);
    coldStarts.coldStart(fresh, spec);
    release(fresh); // the creator's reference: nobody holds a handle
    eviction.enforceCaps(false);
    LOG.log(Level.INFO, "runnel-tenant [{0}] imported {1}, replicated at TxId {2}", tenantId, sqliteFile,
        spec.replicated);
    return spec.replicated;
  }

  /** {@link #importTenant(String, Path, boolean)} without force. */
  public TxId importTenant(String tenantId, Path sqliteFile) throws IOException {
    return importTenant(tenantId, sqliteFile, false);
  }

  // ---- eviction --------------------------------------------------------------------------------

  /**
   * Evicts a tenant now if it is hot and has no open handle (waiting for a concurrent eviction of
   * it to finish first).
   *
   * @return true if this call evicted it; false if it was not hot here, had open handles, or its
   *     final upload failed (then it stays hot; see {@link TenantMetrics#evictionFailures()})
   */
  public boolean evict(String tenantId) {
    TenantIds.check(tenantId);
    Tenant t = tenants.get(tenantId);
    return t != null && eviction.evict(t, EvictionCause.EXPLICIT, false, true);
  }

  /**
   * Runs one maintenance pass now, on the caller's thread: evicts tenants idle past the timeout
   * (by the injected clock), parks tenants unused for {@link TenantOptions#parkAfter()}, closes
   * the pooled connections of tenants unused for a sweep interval (they reopen on demand), then
   * evicts least-recently-used tenants while over the hot cap or the disk budget (re-measuring disk
   * use). The background sweep calls this every {@link TenantOptions#sweepInterval()}.
   */
  public void runMaintenance() {
    eviction.runMaintenance();
  }

  private void sweepQuietly() {
    if (closed) {
      return;
    }
    try {
      runMaintenance();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "runnel-tenant sweep failed", e);
    }
  }

  // ---- observability ---------------------------------------------------------------------------

  public TenantMetrics metrics() {
    return events.metrics(tenants.values(), hot.get());
  }

  /** The state of one tenant in this process, if it is starting, hot or closing here. */
  public Optional<TenantInfo> tenantInfo(String tenantId) {
    TenantIds.check(tenantId);
    Tenant t = tenants.get(tenantId);
    return t == null ? Optional.empty() : Optional.ofNullable(info(t));
  }

  /** All tenants starting, hot or closing in this process, sorted by id. */
  public List<TenantInfo> tenants() {
    List<TenantInfo> out = new ArrayList<>();
    for (Tenant t : tenants.values()) {
      TenantInfo i = info(t);
      if (i != null) {
        out.add(i);
      }
    }
    out.sort(Comparator.comparing(TenantInfo::tenantId));
    return out;
  }

  /** Ids of the tenants hot in this process (unsorted). */
  public Set<String> hotTenantIds() {
    Set<String> out = new HashSet<>();
    for (Tenant t : tenants.values()) {
      if (t.isHot()) {
        out.add(t.id);
      }
    }
    return out;
  }

  private TenantInfo info(Tenant t) {
    if (t.started.isCompletedExceptionally() || t.gone) {
      return null;
    }
    TenantInfo.State s = !t.started.isDone() ? TenantInfo.State.STARTING
        : t.refs.get() < 0 ? TenantInfo.State.CLOSING
        : t.parked ? TenantInfo.State.PARKED : TenantInfo.State.HOT;
    boolean ready = t.started.isDone();
    ReplicatedDatabase rdb = t.rdb;
    return new TenantInfo(t.id, s, Math.max(0, t.refs.get()), Instant.ofEpochMilli(t.lastUsedMillis),
        t.hotSinceMillis < 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(t.hotSinceMillis)),
        t.coldStartNanos < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(t.coldStartNanos)), t.created, t.db,
        t.diskBytes, ready && t.lease != null ? Optional.of(t.lease.expiresAt()) : Optional.empty(),
        ready && rdb != null && s == TenantInfo.State.HOT ? Optional.of(rdb.status()) : Optional.empty());
  }

  // ---- test hooks ------------------------------------------------------------------------------

  /** Parks one tenant now if it can be (hot, no open handle, not parked); see {@link TenantParking} (tests). */
  boolean parkNow(String tenantId) {
    Tenant t = tenants.get(tenantId);
    return t != null && parking.park(t);
  }

  /**
   * Makes a parked tenant's replica position unknown, as when closing its replication failed while
   * parking: the next unpark or eviction reopens replication and lists the replica (tests).
   */
  void forgetParkedPosition(String tenantId) {
    Tenant t = tenants.get(tenantId);
    if (t != null && t.parked) {
      t.parkedAt = null;
    }
  }

  /** The replica position a parked tenant trusts, if any (tests). */
  Optional<TxId> parkedPosition(String tenantId) {
    Tenant t = tenants.get(tenantId);
    return t != null && t.parked ? Optional.ofNullable(t.parkedAt) : Optional.empty();
  }

  /** Renews every hot tenant's lease now, on the caller's thread (tests). */
  void renewLeasesNow() {
    for (Tenant t : tenants.values()) {
      if (t.isHot()) {
        t.lease.renew();
      }
    }
  }

  /** Stops (or resumes) lease renewals of one tenant, simulating a paused holder (tests). */
  void pauseLeaseRenewals(String tenantId, boolean paused) {
    Tenant t = tenants.get(tenantId);
    if (t != null && t.lease != null) {
      t.lease.pauseRenewals(paused);
    }
  }

  // ---- shutdown --------------------------------------------------------------------------------

  /**
   * Flushes and evicts every tenant (cause {@link EvictionCause#SHUTDOWN}), at most
   * {@link TenantOptions#shutdownParallelism()} at once and for at most
   * {@link TenantOptions#shutdownTimeout()} in total, then stops the timers (and the runtime, if the
   * manager created it). Open handles are cut off: close them first. A tenant whose final upload
   * fails keeps its local files and its lease (which expires by itself); the exception lists those
   * tenants. Idempotent.
   *
   * @throws IOException naming the tenants that could not be flushed
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    List<String> failed = eviction.evictAllForShutdown(new ArrayList<>(tenants.values()), io);
    timers.shutdownNow();
    io.shutdownNow();
    if (ownsRuntime) {
      runtime.close();
    }
    TenantFiles.unlock(cacheLock);
    if (!failed.isEmpty()) {
      throw new IOException("runnel-tenant shutdown: " + failed.size() + " tenant(s) could not be flushed to their "
          + "replicas and keep their local files: " + failed.subList(0, Math.min(20, failed.size())));
    }
  }
}
