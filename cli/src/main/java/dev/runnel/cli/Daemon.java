package dev.runnel.cli;

import dev.runnel.config.DbConfig;
import dev.runnel.config.DbSource;
import dev.runnel.config.RunnelConfig;
import dev.runnel.replicate.ReplicatedDatabase;
import dev.runnel.compact.CompactionConfig;
import dev.runnel.compact.CompactionService;
import dev.runnel.replicate.ReplicationRuntime;
import dev.runnel.replicate.ReplicationStatus;
import dev.runnel.restore.IntegrityCheck;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The replication daemon behind {@code runnel replicate}: every configured database on one shared
 * {@link ReplicationRuntime}; directory-mode entries discovered at start and, with {@code watch},
 * while running; databases that do not exist yet are opened once they appear. {@link #close()}
 * syncs and uploads every database one last time.
 */
final class Daemon implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Daemon.class.getName());
  static final Duration DEBOUNCE = Duration.ofMillis(250);
  static final Duration PENDING_RETRY = Duration.ofSeconds(1);

  /** One database under the daemon's care. */
  static final class Managed {
    final DbSpec spec;
    final MeteredReplicaClient client;
    volatile ReplicatedDatabase rdb;
    volatile MetaLock lock;
    volatile CompactionService.Attachment compaction;
    volatile Instant errorSince;
    volatile boolean announcedWaiting;

    Managed(DbSpec spec, MeteredReplicaClient client) {
      this.spec = spec;
      this.client = client;
    }

    /** The status, or null while the database is not open. */
    ReplicationStatus status() {
      ReplicatedDatabase r = rdb;
      return r == null ? null : r.status();
    }
  }

  private final RunnelConfig cfg;
  private final boolean restoreIfMissing;
  private final ReplicationRuntime runtime;
  private final CompactionService compaction;
  private final ScheduledExecutorService bg;
  private final Map<Path, Managed> dbs = new ConcurrentHashMap<>();
  private final List<DirWatch> watches = new ArrayList<>();
  private final List<Thread> closers = new ArrayList<>();
  private volatile boolean closing;

  Daemon(RunnelConfig cfg, boolean restoreIfMissing) {
    this.cfg = cfg;
    this.restoreIfMissing = restoreIfMissing;
    this.runtime = ReplicationRuntime.createDefault();
    this.compaction = CompactionService.start(compactionConfig(cfg), java.time.Clock.systemUTC());
    this.bg = Executors.newScheduledThreadPool(1, r -> {
      Thread t = new Thread(r, "runnel-daemon");
      t.setDaemon(true);
      return t;
    });
  }

  Collection<Managed> managed() {
    return dbs.values();
  }

  RunnelConfig config() {
    return cfg;
  }

  /**
   * Starts every database. Single-path entries that fail to open fail the start; databases that do
   * not exist yet are opened when they appear.
   */
  void start(List<DbSpec> singles, boolean watchDirectories) throws CliException, IOException {
    for (DbSpec s : singles) {
      add(s, true);
    }
    for (DbConfig db : cfg.dbs()) {
      if (db.source() instanceof DbSource.Directory d) {
        DirWatch w = new DirWatch(db, d);
        watches.add(w);
        w.rescan();
        if (watchDirectories && d.watch()) {
          w.startWatching();
        }
      }
    }
    long retry = PENDING_RETRY.toMillis();
    bg.scheduleWithFixedDelay(this::openPending, retry, retry, TimeUnit.MILLISECONDS);
    bg.scheduleWithFixedDelay(this::sampleErrors, 1, 1, TimeUnit.SECONDS);
  }

  /** Adds one database: restores it first if asked and missing, then opens it (or waits for it). */
  void add(DbSpec spec, boolean failFast) throws CliException, IOException {
    if (closing || dbs.containsKey(spec.path())) {
      return;
    }
    Managed m = new Managed(spec, new MeteredReplicaClient(spec.openReplica()));
    dbs.put(spec.path(), m);
    try {
      if ((restoreIfMissing || spec.restoreIfMissing()) && !Files.exists(spec.path())) {
        restore(m);
      }
      tryOpen(m);
    } catch (CliException | IOException | RuntimeException e) {
      if (failFast) {
        dbs.remove(spec.path());
        closeQuietly(m);
        throw e;
      }
      LOG.log(Level.SEVERE, spec.path() + ": cannot replicate: " + Main.message(e));
    }
  }

  private void restore(Managed m) throws CliException, IOException {
    DbSpec s = m.spec;
    RestoreCommand.Outcome o = RestoreCommand.run(new RestoreCommand.Request(s, s.path(), null, null,
        IntegrityCheck.NONE, true, true, false, false, 8));
    switch (o) {
      case RestoreCommand.Outcome.Restored r ->
          LOG.info(() -> s.path() + ": restored from " + r.replica() + (r.txId() == null ? "" : " at TxId " + r.txId()));
      case RestoreCommand.Outcome.Skipped k -> LOG.info(() -> s.path() + ": not restored: " + k.reason());
      case RestoreCommand.Outcome.Planned p -> { }
    }
  }

  /** Opens the database if it exists; returns whether it is open now. */
  private synchronized boolean tryOpen(Managed m) throws CliException, IOException {
    if (m.rdb != null) {
      return true;
    }
    if (closing || dbs.get(m.spec.path()) != m) {
      return false;
    }
    if (!Files.exists(m.spec.path())) {
      if (!m.announcedWaiting) {
        m.announcedWaiting = true;
        LOG.info(() -> m.spec.path() + ": database does not exist yet; replication starts when it is created");
      }
      return false;
    }
    MetaLock lock = MetaLock.acquire(m.spec.path(), m.spec.metaPath());
    try {
      m.client.init();
      m.rdb = ReplicatedDatabase.open(m.spec.path(), m.client, m.spec.options(), runtime);
      m.lock = lock;
      // Levels, snapshots and retention for this database, on the process-wide scheduler.
      m.compaction = compaction.attach(m.rdb);
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
    LOG.info(() -> m.spec.path() + ": replicating to " + m.spec.replicaUrl());
    return true;
  }

  private void openPending() {
    for (Managed m : dbs.values()) {
      if (m.rdb == null && !closing) {
        try {
          tryOpen(m);
        } catch (CliException | IOException | RuntimeException e) {
          LOG.warning(m.spec.path() + ": cannot open: " + Main.message(e));
        }
      }
    }
  }

  private void sampleErrors() {
    for (Managed m : dbs.values()) {
      ReplicationStatus s = m.status();
      if (s == null) {
        continue;
      }
      if (s.lastError().isPresent()) {
        if (m.errorSince == null) {
          m.errorSince = Instant.now();
        }
      } else {
        m.errorSince = null;
      }
    }
  }

  /** The config's levels, snapshot, retention and {@code runnel.cumulative-*} keys as the compaction service takes them. */
  static CompactionConfig compactionConfig(RunnelConfig cfg) {
    return new CompactionConfig(cfg.levels(), cfg.snapshot().interval(), cfg.snapshot().retention(),
        cfg.l0Retention(), cfg.l0RetentionCheckInterval(), cfg.retentionEnabled(), cfg.verifyCompaction(),
        cfg.runnel().cumulativeLevels(), cfg.runnel().cumulativeRewriteRatio());
  }


  /** Stops replicating a database (it was deleted); uploads what was captured. */
  void remove(Path path) {
    Managed m = dbs.remove(path);
    if (m != null) {
      LOG.info(() -> path + ": database removed; replication stopped");
      closeQuietly(m);
    }
  }

  private void closeQuietly(Managed m) {
    try {
      closeOne(m);
    } catch (IOException e) {
      LOG.warning(m.spec.path() + ": " + Main.message(e));
    }
  }

  private void closeOne(Managed m) throws IOException {
    IOException failure = null;
    ReplicatedDatabase r;
    synchronized (this) { // tryOpen holds the same monitor: no open races with the close
      r = m.rdb;
      m.rdb = null;
    }
    CompactionService.Attachment att = m.compaction;
    m.compaction = null;
    if (att != null) {
      att.close();
    }
    if (r != null) {
      try {
        r.close();
        // close() returns quietly when its retries were interrupted (a second signal): check.
        var local = r.localTxId();
        var remote = r.replicatedTxId();
        if (remote.compareTo(local) < 0) {
          failure = new IOException(m.spec.path() + ": replica " + m.spec.replicaUrl() + " holds TxId " + remote
              + ", local " + local + " (pending files stay in " + m.spec.metaPath() + " and upload at the next start)");
        }
      } catch (IOException e) {
        failure = e;
      }
    }
    try {
      m.client.close();
    } catch (IOException e) {
      if (failure == null) {
        failure = e;
      }
    }
    MetaLock l = m.lock;
    m.lock = null;
    if (l != null) {
      l.close();
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** {@code -once}: syncs every open database and waits for the upload; optionally snapshots. */
  int syncAll(boolean snapshot) {
    int failed = 0;
    for (Managed m : dbs.values()) {
      ReplicatedDatabase r = m.rdb;
      if (r == null) {
        LOG.warning(m.spec.path() + ": database does not exist; nothing to sync");
        continue;
      }
      try {
        var tx = r.sync();
        LOG.info(() -> m.spec.path() + ": synced through TxId " + tx);
        if (snapshot) {
          var f = r.snapshot();
          LOG.info(() -> m.spec.path() + ": snapshot " + f);
        }
      } catch (IOException | RuntimeException e) {
        failed++;
        LOG.severe(m.spec.path() + ": sync failed: " + Main.message(e));
      }
    }
    return failed;
  }

  /** Interrupts the final uploads of {@link #close()} (a second signal). */
  void abortShutdown() {
    synchronized (closers) {
      for (Thread t : closers) {
        t.interrupt();
      }
    }
  }

  /**
   * Final sync and upload of every database (in parallel), then stops the threads.
   *
   * @throws IOException listing the databases whose changes could not all be uploaded (they stay
   *     in the meta directories and upload at the next start)
   */
  @Override
  public void close() throws IOException {
    closing = true;
    for (DirWatch w : watches) {
      w.stop();
    }
    bg.shutdownNow();
    List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = new ArrayList<>();
    for (Managed m : new ArrayList<>(dbs.values())) {
      Thread t = Thread.ofVirtual().name("runnel-close").unstarted(() -> {
        try {
          closeOne(m);
          LOG.fine(() -> m.spec.path() + ": closed");
        } catch (IOException | RuntimeException e) {
          failures.add(Main.message(e));
        }
      });
      threads.add(t);
    }
    synchronized (closers) {
      closers.addAll(threads);
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        abortShutdown();
      }
    }
    dbs.clear();
    compaction.close();
    runtime.close();
    if (!failures.isEmpty()) {
      throw new IOException(String.join("; ", failures));
    }
  }

  /** Discovery (and, with {@code watch}, live tracking) of one directory-mode entry. */
  final class DirWatch {
    private final DbConfig entry;
    private final DbSource.Directory dir;
    private final Set<Path> known = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean rescanQueued = new AtomicBoolean();
    private WatchService ws;
    private Thread thread;
    private volatile ScheduledFuture<?> pending;

    DirWatch(DbConfig entry, DbSource.Directory dir) {
      this.entry = entry;
      this.dir = dir;
    }

    synchronized void rescan() {
      rescanQueued.set(false);
      if (closing) {
        return;
      }
      List<Path> now;
      try {
        now = DbSpec.scan(dir);
      } catch (IOException | RuntimeException e) {
        LOG.warning(dir.dir() + ": scan failed: " + Main.message(e));
        return;
      }
      Set<Path> nowSet = new HashSet<>(now);
      for (Path p : now) {
        if (!known.contains(p)) {
          known.add(p);
          String rel = DbSpec.relString(dir.dir().relativize(p));
          try {
            add(DbSpec.fromDirectory(cfg, entry, p, rel), false);
          } catch (CliException | IOException | RuntimeException e) {
            LOG.log(Level.SEVERE, p + ": cannot replicate: " + Main.message(e));
          }
        }
      }
      for (Path p : new ArrayList<>(known)) {
        if (!nowSet.contains(p) && !Files.exists(p)) {
          known.remove(p);
          remove(p);
        }
      }
    }

    void startWatching() throws IOException {
      ws = FileSystems.getDefault().newWatchService();
      register(dir.dir());
      thread = new Thread(this::loop, "runnel-watch");
      thread.setDaemon(true);
      thread.start();
      LOG.info(() -> "watching " + dir.dir() + " for databases matching " + dir.pattern());
    }

    private void register(Path d) throws IOException {
      if (!Files.isDirectory(d)) {
        return;
      }
      d.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
          StandardWatchEventKinds.ENTRY_MODIFY);
      if (dir.recursive()) {
        try (var s = Files.list(d)) {
          for (Path c : s.filter(Files::isDirectory).toList()) {
            if (!isMeta(c)) {
              register(c);
            }
          }
        }
      }
    }

    private boolean isMeta(Path p) {
      String n = p.getFileName().toString();
      return n.startsWith(".") && n.endsWith("-litestream");
    }

    private void loop() {
      try {
        while (!closing) {
          WatchKey key = ws.take();
          Path base = (Path) key.watchable();
          boolean relevant = false;
          for (WatchEvent<?> ev : key.pollEvents()) {
            if (ev.kind() == StandardWatchEventKinds.OVERFLOW) {
              relevant = true;
              continue;
            }
            Path child = base.resolve((Path) ev.context());
            String name = child.getFileName().toString();
            if (name.endsWith("-wal") || name.endsWith("-shm") || name.endsWith("-journal") || name.endsWith(".tmp")
                || isMeta(child)) {
              continue;
            }
            if (ev.kind() == StandardWatchEventKinds.ENTRY_MODIFY && known.contains(child.toAbsolutePath().normalize())) {
              continue; // writes to a database we already replicate
            }
            if (ev.kind() == StandardWatchEventKinds.ENTRY_CREATE && dir.recursive() && Files.isDirectory(child)) {
              try {
                register(child);
              } catch (IOException e) {
                LOG.warning(child + ": cannot watch: " + e.getMessage());
              }
            }
            relevant = true;
          }
          key.reset();
          if (relevant && rescanQueued.compareAndSet(false, true)) {
            pending = bg.schedule(this::rescan, DEBOUNCE.toMillis(), TimeUnit.MILLISECONDS);
          }
        }
      } catch (InterruptedException | ClosedWatchServiceException e) {
        // stopping
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, dir.dir() + ": watcher stopped: " + Main.message(e), e);
      }
    }

    void stop() {
      try {
        if (ws != null) {
          ws.close();
        }
      } catch (IOException e) {
        // ignore
      }
      if (thread != null) {
        thread.interrupt();
      }
    }
  }
}
