package dev.runnel.replicate;

import dev.runnel.wal.WalHeader;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The checkpoint policy of capture.md §7 for one replicated database (PASSIVE past
 * {@link ReplicationOptions#minCheckpointPageCount()} pages or after
 * {@link ReplicationOptions#checkpointInterval()}, emergency TRUNCATE past
 * {@link ReplicationOptions#truncatePageN()}), and the moves that keep every checkpoint from
 * losing a frame: capture first, backfill behind the read transaction, then a short write barrier
 * around the final pass and the WAL restart.
 *
 * <p>Not thread-safe: the owning {@link ReplicatedDatabase} calls it under its sync lock, except
 * {@link #count()} and {@link #stats()}, which any thread may read.
 */
final class Checkpointer {
  /** Captures every committed frame into L0 files (the database's sync, under its lock). */
  interface Syncer {
    void syncCaptured() throws IOException;
  }

  private final Path db;
  private final Path wal;
  private final int pageSize;
  private final ReplicationOptions options;
  private final Clock clock;
  private final SqliteSession session;
  private final WalCapture capture;
  private final Syncer syncer;
  private boolean syncedSinceCheckpoint;
  private Instant lastCheckpointAt;
  private volatile long checkpointCount;
  private final ConcurrentHashMap<String, ReplicationStatus.CheckpointStats> checkpointStats = new ConcurrentHashMap<>();

  Checkpointer(Path db, int pageSize, ReplicationOptions options, Clock clock, SqliteSession session,
      WalCapture capture, Syncer syncer) {
    this.db = db;
    this.wal = db.resolveSibling(db.getFileName() + "-wal");
    this.pageSize = pageSize;
    this.options = options;
    this.clock = clock;
    this.session = session;
    this.capture = capture;
    this.syncer = syncer;
    // The time-based checkpoint counts from the start of replication, not from "never".
    this.lastCheckpointAt = clock.instant();
  }

  /** A sync captured application data: a time-based checkpoint may become due. */
  void noteSynced() {
    syncedSinceCheckpoint = true;
  }

  /** A time-based checkpoint is due and has something to do (the monitor tick asks). */
  boolean timeCheckpointPending() {
    return dueByTime() && walHoldsMoreThanOneFrame();
  }

  /** Checkpoints run (all modes). */
  long count() {
    return checkpointCount;
  }

  /** Statistics by mode. */
  Map<String, ReplicationStatus.CheckpointStats> stats() {
    return Map.copyOf(checkpointStats);
  }

  private boolean dueByTime() {
    if (options.checkpointInterval().isZero() || !syncedSinceCheckpoint) {
      return false;
    }
    Instant last = lastCheckpointAt;
    return last == null || clock.instant().isAfter(last.plus(options.checkpointInterval()));
  }

  /** Applies the policy after a sync. Caller holds the database's sync lock. */
  void maybeCheckpoint() throws IOException {
    Optional<WalCapture.Position> p = capture.position();
    if (p.isEmpty()) {
      return;
    }
    long walEnd = p.get().walEnd();
    if (walEnd >= WalHeader.walSize(pageSize, options.truncatePageN())) {
      checkpointPassive();
      Optional<WalCapture.Position> after = capture.position();
      if (after.isPresent() && after.get().walEnd() < WalHeader.walSize(pageSize, options.truncatePageN())
          && after.get().salt1() != p.get().salt1()) {
        return;
      }
      checkpointTruncate();
    } else if (walEnd >= WalHeader.walSize(pageSize, options.minCheckpointPageCount())) {
      checkpointPassive();
    } else if (dueByTime() && walEnd > WalHeader.walSize(pageSize, 1) && dbFileOlderThanInterval()) {
      checkpointPassive();
    }
  }

  private boolean walHoldsMoreThanOneFrame() {
    return capture.position().map(p -> p.walEnd() > WalHeader.walSize(pageSize, 1)).orElse(false);
  }

  private boolean dbFileOlderThanInterval() throws IOException {
    Instant mtime = Files.getLastModifiedTime(db).toInstant();
    return mtime.plus(options.checkpointInterval()).isBefore(clock.instant());
  }

  /**
   * PASSIVE checkpoint behind a write barrier, so that every frame SQLite copies into the database
   * file has been captured first, then a {@code _litestream_seq} write to restart the WAL.
   *
   * <p>Writers wait while the barrier is held, so the copying and the database fsync are done
   * first without it ({@link #backfillCaptured()}); the barrier then covers only the frames
   * committed since, the WAL fsync and a short database fsync.
   */
  private void checkpointPassive() throws IOException {
    backfillCaptured();
    if (!session.acquireBarrier()) {
      return; // a long write transaction holds the lock; try again after the next sync
    }
    boolean checkpointed = false;
    boolean restarted = false;
    try {
      syncer.syncCaptured();
      // Read under the barrier: no commit (and so no WAL restart by another writer) can land
      // between this read and the checkpoint, so exactly one restart is expected afterwards.
      Optional<WalHeader> before = readWalHeader();
      session.releaseReadLock();
      checkpointed = true;
      Exception checkpointFailure = null;
      try {
        timedCheckpoint("PASSIVE");
      } catch (IOException | RuntimeException e) {
        checkpointFailure = e; // the WAL may have been backfilled anyway: restart it as usual
      }
      try {
        // The capture runs while the new generation is pinned, so the header read here is the one
        // it continues from; the generation change must be noted before it reads any frame.
        session.restartWalPinned(() -> {
          noteGenerationChange(before, readWalHeader());
          syncer.syncCaptured();
        });
      } catch (IOException | RuntimeException e) {
        if (checkpointFailure != null) {
          e.addSuppressed(checkpointFailure);
        }
        throw e;
      }
      restarted = true;
      if (checkpointFailure != null) {
        throw dev.runnel.io.Failures.rethrow(checkpointFailure);
      }
    } finally {
      if (!restarted) {
        session.releaseBarrier();
        session.acquireReadLock();
        if (checkpointed) {
          capture.forceFullPage("checkpoint interrupted by an error");
        }
      }
    }
    lastCheckpointAt = clock.instant();
    // That sync captured Runnel's own _litestream_seq write, not application data: it must not
    // make the next time-based checkpoint due, or an idle database would checkpoint forever.
    syncedSinceCheckpoint = false;
  }

  /**
   * Backfills captured frames into the database file without stopping writers. The read
   * transaction is moved up to the current end of the WAL and everything up to there is captured
   * before the checkpoint runs, so the database file never holds a page newer than the captured
   * position (full-page and growth-page reads of the database file rely on that), and the read
   * transaction keeps the WAL from restarting under frames not yet captured.
   */
  private void backfillCaptured() throws IOException {
    session.moveReadLock(syncer::syncCaptured);
    session.backfillUnderReadLock();
  }

  private void checkpointTruncate() throws IOException {
    session.releaseReadLock();
    try {
      timedCheckpoint("TRUNCATE");
    } finally {
      try {
        session.bumpSeq();
      } finally {
        session.acquireReadLock();
      }
    }
    lastCheckpointAt = clock.instant();
    // TRUNCATE cannot run behind the barrier (it needs the write lock itself), so commits between
    // the last sync and the checkpoint cannot be ruled out: capture every page.
    capture.forceFullPage("checkpoint boundary after TRUNCATE");
    syncer.syncCaptured();
    syncedSinceCheckpoint = false;
  }

  private void timedCheckpoint(String mode) throws IOException {
    long t0 = System.nanoTime();
    boolean ok = false;
    try {
      session.checkpoint(mode);
      checkpointCount++;
      ok = true;
    } finally {
      long nanos = System.nanoTime() - t0;
      boolean failed = !ok;
      checkpointStats.merge(mode, new ReplicationStatus.CheckpointStats(failed ? 0 : 1, failed ? 1 : 0,
          Duration.ofNanos(nanos)), (a, b) -> new ReplicationStatus.CheckpointStats(a.count() + b.count(),
          a.errors() + b.errors(), a.time().plus(b.time())));
    }
  }

  private void noteGenerationChange(Optional<WalHeader> before, Optional<WalHeader> after) {
    if (before.isEmpty() || after.isEmpty()) {
      capture.forceFullPage("wal header unreadable around checkpoint");
      return;
    }
    WalHeader b = before.get();
    WalHeader a = after.get();
    if (a.salt1() == b.salt1() && a.salt2() == b.salt2()) {
      return; // not restarted: other readers kept the checkpoint from finishing
    }
    // Every WAL restart sets salt-1 to the previous salt-1 plus one (from the shared wal-index
    // header), so it counts restarts exactly. The header's checkpoint sequence does not: each
    // connection writes its own counter, which can jump when several connections restart the WAL.
    if (a.salt1() == b.salt1() + 1) {
      capture.ownCheckpointRestarted(a);
    } else {
      capture.forceFullPage("wal restarted more than once around checkpoint (salt-1 "
          + Integer.toUnsignedString(b.salt1()) + " -> " + Integer.toUnsignedString(a.salt1()) + ")");
    }
  }

  private Optional<WalHeader> readWalHeader() throws IOException {
    try (FileChannel ch = FileChannel.open(wal, StandardOpenOption.READ)) {
      return WalHeader.read(ch);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }
}
