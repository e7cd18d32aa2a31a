package dev.runnel.replicate;

import dev.runnel.ltx.LtxFileName;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One SQLite database replicated in this process: captures committed WAL frames into local L0
 * files and ships them to a {@link ReplicaClient}, running in the same JVM as the application's
 * own sqlite-jdbc connections.
 *
 * <p>Commits through connections from {@link #connect()} sync within milliseconds; commits from
 * anywhere else are noticed by a stat of the WAL every {@link ReplicationOptions#monitorInterval()}.
 * {@link #sync()} forces a sync and waits for the upload; {@link #awaitReplicated} waits without
 * forcing. {@link #close()} syncs and uploads one last time, so a clean shutdown loses nothing.
 *
 * <p>Keeps exactly one descriptor on the database file for its whole life and never opens the
 * {@code -shm} file: closing any other descriptor would drop SQLite's POSIX locks for the whole
 * process. Close the application's connections before closing this object; if connections from
 * {@link #connect()} are still open, the descriptor stays open until the last of them closes.
 *
 * <p>Thread-safe.
 */
public final class ReplicatedDatabase implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ReplicatedDatabase.class.getName());

  private final Path db;
  private final Path wal;
  private final ReplicaClient replica;
  private final ReplicationOptions options;
  private final ReplicationRuntime runtime;
  private final MetaDirectory meta;
  private final FileChannel dbFile;
  private final SqliteSession session;
  private final WalCapture capture;
  private final Uploader uploader;
  private final int pageSize;
  private final ReentrantLock syncLock = new ReentrantLock();
  private final SyncScheduler scheduler;
  private final AppConnections appConnections;
  /** Unregisters this database's change check from the runtime's shared monitor pass. */
  private final Runnable monitor;
  /** Identity (inode) of the database file when replication started. */
  private final Object dbFileKey;
  private volatile boolean closed;
  private volatile boolean channelCloseDeferred;
  /** The database file was deleted or replaced: nothing left to sync. */
  private volatile boolean fileGone;

  // Guarded by syncLock.
  private long lastWalSize = -2;
  private FileTime lastWalMtime;
  // Stats: written under syncLock, read racily by status().
  private volatile Instant lastSyncAt;
  private volatile Instant oldestUnreplicatedAt;
  private volatile String lastSyncError;
  private volatile long syncCount;
  private volatile long syncErrorCount;
  private volatile long fullPageSyncCount;
  private volatile long walBytesTotal;
  private volatile long syncNanos;
  private final Checkpointer checkpointer;

  ReplicatedDatabase(Path db, ReplicaClient replica, ReplicationOptions options, ReplicationRuntime runtime,
      MetaDirectory meta, FileChannel dbFile, SqliteSession session, int pageSize, WalCapture capture,
      TxId remoteMax) {
    this.db = db;
    this.wal = db.resolveSibling(db.getFileName() + "-wal");
    this.replica = replica;
    this.options = options;
    this.runtime = runtime;
    this.meta = meta;
    this.dbFile = dbFile;
    this.session = session;
    this.pageSize = pageSize;
    this.capture = capture;
    this.uploader = new Uploader(db.getFileName().toString(), meta, replica, runtime, options, remoteMax);
    this.dbFileKey = DatabaseOpener.fileKey(db);
    this.checkpointer = new Checkpointer(db, pageSize, options, runtime.clock(), session, capture,
        () -> syncLocked(false));
    this.scheduler = new SyncScheduler(runtime, () -> closed, uploader::busy, this::syncPass, this::syncFailed);
    uploader.onIdle(scheduler::uploadIdle);
    this.appConnections = new AppConnections(db, session, this::commitHint, () -> {
      if (channelCloseDeferred) {
        closeChannelQuietly();
      }
    });
    long interval = options.monitorInterval().toMillis();
    this.monitor = runtime.monitor(interval, this::tick);
  }

  /**
   * Starts replicating an existing database file. Switches it to WAL mode, continues the TxIds of
   * whatever the replica already holds, and schedules the first sync at once.
   *
   * @throws NoSuchFileException if the database does not exist
   * @throws IOException if it is not an SQLite database, cannot be put in WAL mode, or the replica
   *     cannot be listed
   */
  public static ReplicatedDatabase open(Path db, ReplicaClient replica, ReplicationOptions options,
      ReplicationRuntime runtime) throws IOException {
    return open(db, replica, options, runtime, null, null);
  }

  /**
   * {@link #open(Path, ReplicaClient, ReplicationOptions, ReplicationRuntime)} for a caller that has
   * just listed the replica and is its only writer: {@code replicaMax} (the highest TxId of any
   * level, {@link TxId#ZERO} for an empty replica) is used instead of listing every level again.
   * Sound only if nothing can have written to the replica since that listing, e.g. because the
   * caller held an exclusive lease on it before listing (as the tenant manager does); a stale value
   * would make this database reuse TxIds the replica already holds.
   */
  public static ReplicatedDatabase open(Path db, ReplicaClient replica, ReplicationOptions options,
      ReplicationRuntime runtime, TxId replicaMax) throws IOException {
    return open(db, replica, options, runtime, null, java.util.Objects.requireNonNull(replicaMax, "replicaMax"));
  }

  /**
   * Starts replicating a database the caller has just restored from {@code replica} at exactly
   * {@code restoredAt} and not opened since, with {@code replicaMax} as in
   * {@link #open(Path, ReplicaClient, ReplicationOptions, ReplicationRuntime, TxId)}. Like
   * {@link #adoptRestored} followed by {@code open}, but without the on-disk record (and its
   * fsyncs) and without listing the replica again: the first sync is incremental. Local L0 files of
   * an earlier life of the database are deleted. If the database has WAL content after all, or
   * {@code restoredAt} is not {@code replicaMax}, the usual rules apply (full-page first sync).
   */
  public static ReplicatedDatabase openRestored(Path db, ReplicaClient replica, ReplicationOptions options,
      ReplicationRuntime runtime, TxId restoredAt, TxId replicaMax) throws IOException {
    return open(db, replica, options, runtime, java.util.Objects.requireNonNull(restoredAt, "restoredAt"),
        java.util.Objects.requireNonNull(replicaMax, "replicaMax"));
  }

  /** {@code restoredAt} non-null: see {@link #openRestored}; {@code knownReplicaMax} null: list the replica. */
  private static ReplicatedDatabase open(Path db, ReplicaClient replica, ReplicationOptions options,
      ReplicationRuntime runtime, TxId restoredAt, TxId knownReplicaMax) throws IOException {
    return DatabaseOpener.open(db, replica, options, runtime, restoredAt, knownReplicaMax);
  }

  /**
   * Records that {@code db} was just restored from its replica at exactly {@code txId}, so that
   * {@link #open} continues incrementally instead of uploading every page again. Call right after
   * the restore, before anything opens the database; any later change to the file (size, mtime,
   * inode) voids the record and the first sync is full-page as usual.
   */
  public static void adoptRestored(Path db, TxId txId) throws IOException {
    adoptRestored(db, null, txId);
  }

  /**
   * {@link #adoptRestored(Path, TxId)} for a database whose local state directory is {@code metaPath}
   * ({@link ReplicationOptions#metaPath()}); null means the default beside the database.
   */
  public static void adoptRestored(Path db, Path metaPath, TxId txId) throws IOException {
    Path path = db.toAbsolutePath().normalize();
    MetaDirectory meta = new MetaDirectory(metaPath != null ? metaPath.toAbsolutePath().normalize()
        : MetaDirectory.defaultFor(path));
    meta.init();
    meta.deleteAllL0();
    meta.writeCleanState(txId, path);
  }

  public Path path() {
    return db;
  }

  /**
   * The local meta directory ({@code .<name>-litestream} beside the database unless
   * {@link ReplicationOptions#metaPath()} names another). Components that keep local state for
   * this database (the compactor's work files) keep it under here, never beside the database.
   */
  public Path metaPath() {
    return meta.root();
  }

  public ReplicaClient replica() {
    return replica;
  }

  public int pageSize() {
    return pageSize;
  }

  /**
   * A new connection for the application, set up for replication: WAL mode, no automatic
   * checkpoints (Runnel checkpoints), and a commit hook that syncs within a millisecond (a writer
   * that keeps committing gets one L0 file per ~20 ms instead). Its busy handler waits up to 5 s
   * for a lock, like {@code busy_timeout = 5000}, but wakes the moment Runnel's checkpoint barrier
   * is released rather than on SQLite's 1, 2, 5, 10 ms schedule; setting {@code PRAGMA
   * busy_timeout} on the connection replaces it with SQLite's own. The caller closes it, before
   * closing this database.
   */
  public Connection connect() throws SQLException {
    if (closed) {
      throw new SQLException(db + ": replication is closed");
    }
    return appConnections.open();
  }

  /** Called from SQLite's commit hook, which runs before the commit's frames are written. */
  private void commitHint() {
    if (oldestUnreplicatedAt == null) {
      oldestUnreplicatedAt = runtime.clock().instant();
    }
    scheduler.commitHint();
  }

  void requestSync() {
    scheduler.request();
  }

  private void tick() {
    if (closed) {
      return;
    }
    try {
      long size;
      FileTime mtime;
      try {
        BasicFileAttributes a = Files.readAttributes(wal, BasicFileAttributes.class);
        size = a.size();
        mtime = a.lastModifiedTime();
      } catch (NoSuchFileException e) {
        size = -1;
        mtime = null;
      }
      boolean changed = size != lastWalSize || !java.util.Objects.equals(mtime, lastWalMtime);
      if (changed || checkpointer.timeCheckpointPending()) {
        requestSync();
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "{0}: change check failed: {1}", db, e.getMessage());
    }
  }

  /** One scheduled sync pass and the checkpoint policy ({@link SyncScheduler.Pass}). */
  private boolean syncPass(Runnable started) throws IOException {
    syncLock.lock();
    try {
      started.run();
      if (closed) {
        return false;
      }
      boolean wrote = syncLocked(false);
      checkpointer.maybeCheckpoint();
      return wrote;
    } finally {
      syncLock.unlock();
    }
  }

  private void syncFailed(Exception e) {
    syncErrorCount++;
    lastSyncError = e.getMessage();
    LOG.log(Level.WARNING, "{0}: sync failed: {1}", db, e.toString());
  }

  /**
   * Syncs until the WAL as it was when called is captured. Returns whether any file was written.
   * Holds syncLock.
   *
   * <p>Bounded by the WAL's size at the start: a writer that appends as fast as passes capture
   * would otherwise keep this loop going, and with it the checkpoint that follows every sync; the
   * WAL then grew by hundreds of MB. The checkpoint's barrier pass is what slows such a writer to
   * the speed of capture.
   */
  private boolean syncLocked(boolean forceFull) throws IOException {
    checkDatabaseFile();
    boolean wrote = false;
    recordWalStat();
    // Whatever was committed when this call began lies within the WAL file's size then, in the
    // current generation or a new one; capturing that many bytes covers it (sync() relies on it).
    long backlog = Math.max(lastWalSize, 0);
    long done = 0;
    while (true) {
      long t0 = System.nanoTime();
      WalCapture.Outcome o;
      try {
        o = capture.sync(pageSize, forceFull);
      } finally {
        syncNanos += System.nanoTime() - t0;
      }
      forceFull = false;
      if (o.written().isEmpty()) {
        break;
      }
      wrote = true;
      syncCount++;
      walBytesTotal += o.walBytes();
      scheduler.noteCaptured(o.walBytes(), pageSize);
      checkpointer.noteSynced();
      lastSyncAt = runtime.clock().instant();
      if (oldestUnreplicatedAt == null) {
        oldestUnreplicatedAt = lastSyncAt;
      }
      if (o.fullPage()) {
        fullPageSyncCount++;
        LOG.log(Level.INFO, "{0}: wrote full-page L0 {1}: {2}", db, o.written().get(), o.reason());
      }
      LOG.log(Level.DEBUG, "{0}: synced {1} in {2} µs", db, o.written().get(), (System.nanoTime() - t0) / 1000);
      uploader.kick();
      done += o.walBytes();
      if (!o.moreToSync() || done >= backlog) {
        break;
      }
    }
    lastSyncError = null;
    return wrote;
  }

  /**
   * The file SQLite and Runnel have open must still be the one at {@link #db}. If it was deleted or
   * replaced, every further sync would capture an orphaned file (and write a full-page file each
   * time): stop replicating and say why instead.
   */
  private void checkDatabaseFile() throws IOException {
    Object key;
    try {
      key = Files.readAttributes(db, BasicFileAttributes.class).fileKey();
    } catch (NoSuchFileException e) {
      key = null;
    }
    if (key == null ? dbFileKey != null : !key.equals(dbFileKey)) {
      monitor.run();
      fileGone = true;
      throw new IOException(db + ": database file was " + (key == null ? "deleted" : "replaced")
          + " while being replicated; replication of it stopped (reopen it to start again)");
    }
  }

  private void recordWalStat() {
    try {
      BasicFileAttributes a = Files.readAttributes(wal, BasicFileAttributes.class);
      lastWalSize = a.size();
      lastWalMtime = a.lastModifiedTime();
    } catch (IOException e) {
      lastWalSize = -1;
      lastWalMtime = null;
    }
  }

  /**
   * Writes a level-9 snapshot of the current state to the replica (TxIds 1..current), after
   * syncing. Restores then start from it instead of replaying older files.
   *
   * @return the stored snapshot
   */
  public LtxFileInfo snapshot() throws IOException {
    Path tmp = Files.createTempFile(meta.root(), "snapshot-", ".ltx.tmp");
    try {
      dev.runnel.ltx.LtxHeader h;
      syncLock.lock();
      try {
        ensureOpen();
        syncLocked(false);
        // Snapshot only TxIds whose L0 files the replica already holds. Otherwise a crash between
        // the snapshot and the upload leaves L0 without those TxIds for good: open() takes the
        // snapshot's MaxTXID as the replica position and never uploads them, and level compaction
        // of L0 then meets a gap. Holding syncLock keeps the position from moving meanwhile.
        TxId target = capture.currentTxId();
        uploader.kick();
        try {
          if (!uploader.await(target, options.shutdownSyncTimeout())) {
            throw new IOException(db + ": snapshot postponed: replica " + replica.describe() + " did not receive TxId "
                + target + " within " + options.shutdownSyncTimeout());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted while waiting for the replica");
        }
        try (var out = Files.newOutputStream(tmp)) {
          h = capture.writeSnapshot(out);
        }
      } finally {
        syncLock.unlock();
      }
      LtxFileInfo stored;
      try (InputStream in = Files.newInputStream(tmp)) {
        stored = replica.write(LtxFileInfo.SNAPSHOT_LEVEL, TxId.ONE, h.maxTxId(), in);
      }
      uploader.notifyStored(stored);
      return stored;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Registers a listener told about every file this database stores in its replica (each L0
   * upload and each {@link #snapshot()}), on the storing thread, right after the store accepted
   * the file and before {@link #sync()} callers waiting for it return. Listeners must be quick
   * and must not throw (exceptions are logged and ignored).
   */
  public void addReplicaListener(java.util.function.Consumer<LtxFileInfo> listener) {
    uploader.addListener(java.util.Objects.requireNonNull(listener, "listener"));
  }

  public void removeReplicaListener(java.util.function.Consumer<LtxFileInfo> listener) {
    uploader.removeListener(listener);
  }

  /**
   * When true, local L0 files stay in the meta directory after upload instead of only the newest,
   * so a level-1 compaction can read them locally; whoever sets this deletes them with
   * {@link #deleteLocalL0Through}. Default false.
   */
  public void setRetainUploadedL0(boolean retain) {
    uploader.retainUploaded(retain);
  }

  /** Opens the local copy of an L0 file, if the meta directory still holds it. */
  public Optional<InputStream> openLocalL0(LtxFileName name) throws IOException {
    try {
      return Optional.of(Files.newInputStream(meta.l0Path(name)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /**
   * Deletes local L0 files whose MaxTXID is at most {@code max} and that the replica already
   * holds, except the newest local file (the position the next start resumes from).
   *
   * @return how many files were deleted
   */
  public int deleteLocalL0Through(TxId max) throws IOException {
    List<LtxFileName> local = meta.listL0();
    TxId remote = uploader.remoteTxId();
    int n = 0;
    for (int i = 0; i < local.size() - 1; i++) {
      LtxFileName f = local.get(i);
      if (f.max().compareTo(max) <= 0 && f.max().compareTo(remote) <= 0) {
        meta.deleteL0(f);
        n++;
      }
    }
    return n;
  }

  /**
   * Syncs now and waits until the replica holds everything committed before the call.
   *
   * @return the replicated TxId
   * @throws IOException if the sync fails or the upload does not finish within the shutdown sync
   *     timeout (default 30 s); the data stays queued locally either way
   */
  public TxId sync() throws IOException {
    return sync(options.shutdownSyncTimeout());
  }

  /** {@link #sync()} with an explicit wait. */
  public TxId sync(Duration timeout) throws IOException {
    TxId target;
    syncLock.lock();
    try {
      ensureOpen();
      syncLocked(false);
      checkpointer.maybeCheckpoint();
      target = capture.currentTxId();
    } finally {
      syncLock.unlock();
    }
    uploader.kick();
    try {
      if (!uploader.await(target, timeout)) {
        String err = uploader.lastError();
        throw new IOException(db + ": replica " + replica.describe() + " did not receive TxId " + target + " within "
            + timeout + (err == null ? "" : ": " + err) + " (changes stay queued locally)");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while waiting for the replica");
    }
    noteCaughtUp();
    return target;
  }

  /**
   * Waits until the replica holds {@code txId}, without forcing a sync.
   *
   * @return false on timeout
   */
  public boolean awaitReplicated(TxId txId, Duration timeout) throws InterruptedException {
    boolean ok = uploader.await(txId, timeout);
    if (ok) {
      noteCaughtUp();
    }
    return ok;
  }

  private void noteCaughtUp() {
    if (uploader.remoteTxId().compareTo(capture.currentTxId()) >= 0) {
      oldestUnreplicatedAt = null;
    }
  }

  /** Newest TxId captured locally. */
  public TxId localTxId() {
    syncLock.lock();
    try {
      return capture.currentTxId();
    } finally {
      syncLock.unlock();
    }
  }

  /** Newest TxId known to be in the replica. */
  public TxId replicatedTxId() {
    return uploader.remoteTxId();
  }

  public ReplicationStatus status() {
    TxId local = localTxId();
    TxId remote = uploader.remoteTxId();
    Instant oldest = oldestUnreplicatedAt;
    Duration lag = Duration.ZERO;
    if (remote.compareTo(local) >= 0 && !scheduler.passPending()) {
      oldestUnreplicatedAt = null;
    } else if (oldest != null) {
      lag = Duration.between(oldest, runtime.clock().instant());
      if (lag.isNegative()) {
        lag = Duration.ZERO;
      }
    }
    long dbSize;
    try {
      dbSize = Files.size(db);
    } catch (IOException e) {
      dbSize = -1;
    }
    String err = lastSyncError != null ? lastSyncError : uploader.lastError();
    return new ReplicationStatus(db, replica.describe(), local, remote, lag, Optional.ofNullable(lastSyncAt),
        Optional.ofNullable(uploader.lastUploadAt()), dbSize,
        capture.position().map(WalCapture.Position::walEnd).orElse(0L), syncCount, syncErrorCount,
        fullPageSyncCount, walBytesTotal, checkpointer.count(), uploader.uploadCount(), uploader.uploadBytes(),
        Optional.ofNullable(err), Duration.ofNanos(syncNanos), checkpointer.stats());
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException(db + ": replication is closed");
    }
  }

  /**
   * Final sync and upload (retried every shutdown sync interval until the shutdown sync timeout),
   * then releases SQLite and the file. Idempotent.
   *
   * @throws IOException if changes could not be uploaded; they stay in the local meta directory
   *     and are uploaded by the next {@link #open}
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    IOException failure = null;
    syncLock.lock();
    try {
      closed = true;
      monitor.run();
      try {
        if (!fileGone) {
          syncLocked(false);
        }
      } catch (IOException e) {
        failure = e;
      } catch (RuntimeException e) {
        // Still release the connections and the descriptor below: a session left open would keep
        // its read mark (and so the WAL) pinned for the life of the process.
        failure = new IOException(db + ": final sync failed: " + e, e);
      }
      long deadline = System.nanoTime() + options.shutdownSyncTimeout().toNanos();
      while (true) {
        try {
          uploader.drainNow();
          break;
        } catch (IOException e) {
          if (System.nanoTime() > deadline) {
            IOException up = new IOException(db + ": final upload to " + replica.describe() + " failed; local TxId "
                + capture.currentTxId() + ", replica " + uploader.remoteTxId()
                + " (pending files stay in " + meta.root() + " and upload at the next start): " + e.getMessage(), e);
            if (failure == null) {
              failure = up;
            } else {
              failure.addSuppressed(up);
            }
            break;
          }
          try {
            Thread.sleep(options.shutdownSyncInterval().toMillis());
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            break;
          }
        }
      }
      uploader.close();
      TxId local = capture.currentTxId();
      boolean caughtUp = failure == null && uploader.remoteTxId().compareTo(local) >= 0;
      try {
        session.close();
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        }
      }
      if (appConnections.openCount() > 0) {
        // Closing the descriptor now would drop SQLite's locks for the application's connections.
        channelCloseDeferred = true;
        LOG.log(Level.WARNING, "{0}: closed while {1} application connection(s) are open; the database "
            + "descriptor stays open until they close", db, appConnections.openCount());
        if (appConnections.openCount() == 0) {
          closeChannelQuietly();
        }
      } else {
        closeChannelQuietly();
        if (caughtUp && walIsEmpty()) {
          meta.writeCleanState(local, db);
        }
      }
    } finally {
      syncLock.unlock();
    }
    if (failure != null) {
      throw failure;
    }
  }

  private boolean walIsEmpty() {
    try {
      return !Files.exists(wal) || Files.size(wal) == 0;
    } catch (IOException e) {
      return false;
    }
  }

  private synchronized void closeChannelQuietly() {
    try {
      if (dbFile.isOpen()) {
        dbFile.close();
      }
    } catch (IOException e) {
      LOG.log(Level.WARNING, "{0}: closing database descriptor: {1}", db, e.getMessage());
    }
  }
}
