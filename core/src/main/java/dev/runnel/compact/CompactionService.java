package dev.runnel.compact;

import dev.runnel.ltx.LtxFileName;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replicate.ReplicatedDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Compaction, snapshots and retention for any number of replicated databases, on a few shared
 * threads. One monitor per level (1..n), one for snapshots (level 9) and one for L0 retention fire
 * at wall-clock boundaries {@code truncate(now, interval) + interval} of the injected
 * {@link Clock}, and once for each database right after it is attached (as Litestream's monitors
 * fire once at start). Per database, a due snapshot runs first, then the levels due at the same
 * moment in ascending order, then snapshot retention and L0 retention.
 *
 * <p>Idle databases cost no object-store request: each attached database keeps an in-memory index
 * of its replica (one LIST per level at attach, then updated by every upload, snapshot, compaction
 * and delete of this process), so deciding that there is nothing to compact, no snapshot to take
 * and nothing to delete is free. Only after a failed store operation is the replica listed again.
 *
 * <p>Entry point for callers (e.g. the CLI):
 * <pre>{@code
 * CompactionService svc = CompactionService.start(CompactionConfig.defaults(), Clock.systemUTC());
 * svc.attach(replicatedDatabase);   // detach with the returned handle's close()
 * ...
 * svc.close();                      // before closing the databases
 * }</pre>
 * {@link #manual} creates a service without background threads whose monitors run only when
 * {@link #runDue()} is called (tests with a mutable clock).
 *
 * <p>Thread-safe.
 */
public final class CompactionService implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(CompactionService.class.getName());

  private final CompactionConfig config;
  private final Clock clock;
  private final ExecutorService workers;
  private final ScheduledExecutorService ticker;
  private final Duration maxPoll;
  private final List<Attached> attached = new CopyOnWriteArrayList<>();
  private final Object runLock = new Object();
  /** Next boundary per monitor: index 0 = L0 retention, 1..n = levels, n+1 = snapshots. */
  private final Instant[] next;
  private volatile boolean closed;

  private CompactionService(CompactionConfig config, Clock clock, int threads, Duration maxPoll, boolean background) {
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    AtomicInteger n = new AtomicInteger();
    this.workers = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "runnel-compact-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.maxPoll = maxPoll;
    Instant now = clock.instant();
    this.next = new Instant[config.topLevel() + 2];
    next[0] = Boundaries.next(now, config.l0RetentionCheckInterval());
    for (int level = 1; level <= config.topLevel(); level++) {
      next[level] = Boundaries.next(now, config.interval(level));
    }
    next[config.topLevel() + 1] = Boundaries.next(now, config.snapshotInterval());
    if (background) {
      this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "runnel-compact-scheduler");
        t.setDaemon(true);
        return t;
      });
      ticker.execute(this::tick);
    } else {
      this.ticker = null;
    }
  }

  /**
   * A service with its own background scheduler: 2 worker threads, waking at each boundary (and
   * at least every second, so a clock that jumps is followed).
   */
  public static CompactionService start(CompactionConfig config, Clock clock) {
    return start(config, clock, 2, Duration.ofSeconds(1));
  }

  /**
   * @param threads worker threads shared by all databases
   * @param maxPoll longest sleep between checks of the clock
   */
  public static CompactionService start(CompactionConfig config, Clock clock, int threads, Duration maxPoll) {
    if (maxPoll.toMillis() <= 0) {
      throw new IllegalArgumentException("maxPoll must be >= 1ms, got " + maxPoll);
    }
    return new CompactionService(config, clock, threads, maxPoll, true);
  }

  /** A service without a background scheduler: monitors run when {@link #runDue()} is called. */
  public static CompactionService manual(CompactionConfig config, Clock clock) {
    return new CompactionService(config, clock, 2, Duration.ofSeconds(1), false);
  }

  public CompactionConfig config() {
    return config;
  }

  /**
   * Attaches a replicated database: lists its replica once, keeps uploaded L0 files locally
   * until they are compacted into L1 (read instead of downloading them), and compacts,
   * snapshots and enforces retention from now on. Its first pass runs at the next
   * {@link #runDue()} (at once in background mode).
   *
   * @return a handle; closing it detaches the database (it does not close the database)
   */
  public Attachment attach(ReplicatedDatabase db) throws IOException {
    Objects.requireNonNull(db, "db");
    Path dbPath = db.path();
    Path work = db.metaPath().resolve("runnel-compact");
    LocalL0Store local = new LocalL0Store() {
      @Override
      public Optional<InputStream> open(LtxFileName name) throws IOException {
        return db.openLocalL0(name);
      }

      @Override
      public void deleteThrough(TxId max) throws IOException {
        db.deleteLocalL0Through(max);
      }
    };
    SnapshotSource snaps = new SnapshotSource() {
      @Override
      public TxId position() {
        return db.localTxId();
      }

      @Override
      public LtxFileInfo snapshot() throws IOException {
        return db.snapshot();
      }
    };
    ReplicaCompactor rc = new ReplicaCompactor(dbPath.toString(), db.replica(), local, snaps, config, work);
    rc.cleanWorkDir();
    Consumer<LtxFileInfo> listener = rc::noteStored;
    db.addReplicaListener(listener);
    db.setRetainUploadedL0(true);
    try {
      rc.refreshIfStale();
    } catch (IOException | RuntimeException e) {
      db.removeReplicaListener(listener);
      db.setRetainUploadedL0(false);
      throw e;
    }
    Attachment a = new Attachment(this, db, rc, listener);
    attached.add(a);
    if (ticker != null) {
      ticker.execute(this::tick);
    }
    return a;
  }

  /** Attaches a replica without a live database: compaction and retention, no snapshots. */
  public Attachment attach(ReplicaCompactor compactor) throws IOException {
    compactor.refreshIfStale();
    Attachment a = new Attachment(this, null, compactor, null);
    attached.add(a);
    return a;
  }

  /** Counters summed over attached databases. */
  public Stats stats() {
    long c = 0, s = 0, d = 0, l = 0, r = 0, v = 0, e = 0;
    for (Attached a : attached) {
      ReplicaCompactor rc = a.compactor;
      c += rc.compactions.get();
      s += rc.snapshotsTaken.get();
      d += rc.filesDeleted.get();
      l += rc.localFilesRead.get();
      r += rc.remoteFilesRead.get();
      v += rc.verifyErrors.get();
      e += rc.errors.get();
    }
    return new Stats(attached.size(), c, s, d, l, r, v, e);
  }

  /**
   * Totals of the attached databases.
   *
   * @param compactions files written to levels 1..n
   * @param verifyErrors contiguity failures found by {@code verify-compaction}
   * @param errors failed operations (each retried at the next boundary)
   */
  public record Stats(int databases, long compactions, long snapshots, long filesDeleted, long localFilesRead,
      long remoteFilesRead, long verifyErrors, long errors) {}

  /**
   * Runs every monitor whose boundary has passed (and the first pass of newly attached
   * databases), waiting until all of it is done. Failures are logged and counted; they never
   * propagate.
   */
  public void runDue() {
    synchronized (runLock) {
      if (closed) {
        return;
      }
      Instant now = clock.instant();
      int n = config.topLevel();
      boolean[] due = new boolean[n + 2];
      for (int i = 0; i < next.length; i++) {
        if (!now.isBefore(next[i])) {
          due[i] = true;
          Duration interval = i == 0 ? config.l0RetentionCheckInterval() : i == n + 1 ? config.snapshotInterval()
              : config.interval(i);
          next[i] = Boundaries.next(now, interval);
        }
      }
      List<Future<?>> futures = new ArrayList<>();
      for (Attached a : attached) {
        boolean[] mine = due;
        if (a.firstPass) {
          a.firstPass = false;
          mine = new boolean[n + 2];
          java.util.Arrays.fill(mine, true);
        }
        boolean any = false;
        for (boolean b : mine) {
          any |= b;
        }
        if (any) {
          boolean[] work = mine;
          futures.add(workers.submit(() -> a.pass(work, now)));
        }
      }
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        } catch (ExecutionException e) {
          LOG.log(Level.ERROR, "compaction pass failed", e.getCause());
        }
      }
    }
  }

  private void tick() {
    if (closed) {
      return;
    }
    try {
      runDue();
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "compaction scheduler", e);
    }
    long delay;
    synchronized (runLock) {
      Instant now = clock.instant();
      Instant first = next[0];
      for (Instant t : next) {
        if (t.isBefore(first)) {
          first = t;
        }
      }
      delay = Math.max(1, Math.min(maxPoll.toMillis(), Duration.between(now, first).toMillis()));
    }
    if (!closed) {
      try {
        ticker.schedule(this::tick, delay, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // closed meanwhile
      }
    }
  }

  /** Stops the monitors and waits for running passes. Attached databases stay open. Idempotent. */
  @Override
  public void close() {
    closed = true;
    if (ticker != null) {
      ticker.shutdownNow();
    }
    synchronized (runLock) {
      workers.shutdown();
    }
    try {
      workers.awaitTermination(30, TimeUnit.SECONDS);
      if (ticker != null) {
        ticker.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Attached a : attached) {
      a.detachQuietly();
    }
    attached.clear();
  }

  /** Internal per-database state. */
  private abstract static class Attached {
    final ReplicaCompactor compactor;
    volatile boolean firstPass = true;

    Attached(ReplicaCompactor compactor) {
      this.compactor = compactor;
    }

    abstract void detachQuietly();

    abstract String name();

    /**
     * One database's share of a run: snapshot, levels ascending, snapshot retention, then L0
     * retention. The snapshot goes first so that a level compacted for the first time at the
     * same moment starts after it instead of repeating what it holds (see ReplicaCompactor's
     * snapshot cover). Retention stays after the levels, so that files it deletes by TxId have
     * been compacted into the level above first.
     */
    void pass(boolean[] due, Instant now) {
      CompactionConfig cfg = compactor.config();
      int n = cfg.topLevel();
      if (due[n + 1]) {
        try {
          compactor.snapshot(now);
        } catch (IOException | RuntimeException e) {
          LOG.log(Level.WARNING, "{0}: snapshot failed: {1}", name(), e.toString());
        }
      }
      boolean l1Compacted = false;
      for (int level = 1; level <= n; level++) {
        if (!due[level]) {
          continue;
        }
        try {
          ReplicaCompactor.Outcome o = compactor.compact(level, now);
          l1Compacted |= level == 1;
          LOG.log(Level.DEBUG, "{0}: L{1} compaction: {2}", name(), level, o);
        } catch (IOException | RuntimeException e) {
          LOG.log(Level.WARNING, "{0}: L{1} compaction failed: {2}", name(), level, e.toString());
          return; // higher levels would only see stale input; retried at the next boundary
        }
      }
      if (due[n + 1]) {
        try {
          compactor.enforceSnapshotRetention(now);
        } catch (IOException | RuntimeException e) {
          LOG.log(Level.WARNING, "{0}: snapshot retention failed: {1}", name(), e.toString());
        }
      }
      if (due[0] || l1Compacted) {
        try {
          compactor.enforceL0Retention(now);
        } catch (IOException | RuntimeException e) {
          LOG.log(Level.WARNING, "{0}: L0 retention failed: {1}", name(), e.toString());
        }
      }
    }
  }

  /** An attached database; {@link #close()} detaches it. */
  public static final class Attachment extends Attached implements AutoCloseable {
    private final CompactionService service;
    private final ReplicatedDatabase db;
    private final Consumer<LtxFileInfo> listener;

    private Attachment(CompactionService service, ReplicatedDatabase db, ReplicaCompactor compactor,
        Consumer<LtxFileInfo> listener) {
      super(compactor);
      this.service = service;
      this.db = db;
      this.listener = listener;
    }

    /** The per-replica compactor (for direct calls and its in-memory file counts). */
    public ReplicaCompactor compactor() {
      return compactor;
    }

    @Override
    String name() {
      return db != null ? db.path().toString() : compactor.toString();
    }

    @Override
    void detachQuietly() {
      if (db != null) {
        db.removeReplicaListener(listener);
        db.setRetainUploadedL0(false);
      }
    }

    /**
     * Stops compacting this database. Local L0 copies go back to the engine's default (only the
     * newest is kept after the next upload).
     */
    @Override
    public void close() {
      synchronized (service.runLock) {
        service.attached.remove(this);
      }
      detachQuietly();
    }
  }
}
