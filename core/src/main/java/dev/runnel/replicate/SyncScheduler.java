package dev.runnel.replicate;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * When a replicated database syncs. At most one sync pass is queued at a time on the runtime's
 * shared executor; passes are asked for by commit hints (the commit hook of Runnel-opened
 * connections), by the monitor tick and by {@code sync()}.
 *
 * <p>A commit hint syncs within {@link #COMMIT_RECHECK_MS}[0] ms. The hook fires before SQLite
 * writes the commit's frames, so a pass that found nothing looks again after 10 and 50 ms, then
 * leaves the rest to the monitor tick. A writer that keeps committing is coalesced: after a pass
 * that captured {@link #BUSY_SYNC_FRAMES} frames or more, the next commit-triggered pass waits
 * until {@link #BUSY_SYNC_GAP_NANOS} after it, so a busy writer gets one L0 file (one upload, two
 * fsyncs on a file replica, competing with the writer's own) per ~20 ms rather than one per pass.
 *
 * <p>Commit-triggered passes also wait while the uploader is busy (an upload loop queued or
 * running, not a failed upload waiting for its retry): the pass then runs when the uploader goes
 * idle and captures everything committed meanwhile in one file. Files are thus made at the pace
 * the store takes them, and a store slower than the commits (60 ms writes against a commit every
 * 2 ms) no longer builds a backlog that grows for as long as the writer runs; the lag stays about
 * one upload. Monitor ticks and {@code sync()} do not wait, and neither does anything while the
 * store is down (passes, and the checkpoints that follow them, go on; their files queue locally).
 *
 * <p>Thread-safe.
 */
final class SyncScheduler {
  /** Delays of the commit-triggered pass and its rechecks, ms. */
  static final long[] COMMIT_RECHECK_MS = {1, 10, 50};
  /** A pass that captured at least this many WAL frames means commits outpace passes. */
  static final int BUSY_SYNC_FRAMES = 8;
  static final long BUSY_SYNC_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  /** One sync pass (and the checkpoint policy) under the database's lock. */
  interface Pass {
    /**
     * Runs the pass, calling {@code started} once the database's lock is held.
     *
     * @return whether it wrote an L0 file
     */
    boolean run(Runnable started) throws IOException;
  }

  private final ReplicationRuntime runtime;
  private final BooleanSupplier closed;
  private final Pass pass;
  private final Consumer<Exception> onError;
  private final BooleanSupplier uploadBusy;
  private final AtomicBoolean queued = new AtomicBoolean();
  /** A commit-triggered pass is waiting for the uploader to go idle. */
  private final AtomicBoolean waitingForUpload = new AtomicBoolean();
  /** Commits seen by the commit hook (only compared, never read as a count). */
  private final AtomicLong commitHints = new AtomicLong();
  /** -1: no commit-triggered pass pending; else the index of the pending recheck delay. */
  private final AtomicInteger commitRechecks = new AtomicInteger(-1);
  /** {@link System#nanoTime()} before which a commit hint does not sync; 0 = at once. */
  private volatile long busyUntilNanos;

  /**
   * @param uploadBusy whether the uploader is busy; when it turns false the owner calls
   *     {@link #uploadIdle()}
   */
  SyncScheduler(ReplicationRuntime runtime, BooleanSupplier closed, BooleanSupplier uploadBusy, Pass pass,
      Consumer<Exception> onError) {
    this.runtime = runtime;
    this.closed = closed;
    this.uploadBusy = uploadBusy;
    this.pass = pass;
    this.onError = onError;
  }

  /** A Runnel-opened connection is committing (called from SQLite's commit hook: do not block). */
  void commitHint() {
    commitHints.incrementAndGet();
    if (commitRechecks.compareAndSet(-1, 0)) {
      scheduleCommitPass();
    }
  }

  /** Queues a pass unless one is queued already. */
  void request() {
    if (!closed.getAsBoolean() && queued.compareAndSet(false, true)) {
      runtime.scheduler().execute(this::runPass);
    }
  }

  /**
   * Whether a pass is queued or a commit-triggered one is on its way (delayed by the busy gap,
   * waiting for the uploader, or rechecking for frames the hint announced).
   */
  boolean passPending() {
    return queued.get() || commitRechecks.get() >= 0;
  }

  /** A pass captured {@code walBytes} of WAL with pages of {@code pageSize} bytes. */
  void noteCaptured(long walBytes, int pageSize) {
    busyUntilNanos = walBytes >= BUSY_SYNC_FRAMES * (long) (dev.runnel.wal.WalFrame.HEADER_SIZE + pageSize)
        ? System.nanoTime() + BUSY_SYNC_GAP_NANOS : 0;
  }

  /** The uploader has nothing left to do: runs a commit-triggered pass that waited for it. */
  void uploadIdle() {
    if (waitingForUpload.compareAndSet(true, false)) {
      scheduleAfterGap();
    }
  }

  private void scheduleCommitPass() {
    if (uploadBusy.getAsBoolean()) {
      waitingForUpload.set(true);
      // The uploader may have gone idle between the check and the flag, too early to see it.
      if (uploadBusy.getAsBoolean() || !waitingForUpload.compareAndSet(true, false)) {
        return;
      }
    }
    scheduleAfterGap();
  }

  private void scheduleAfterGap() {
    long delayNanos = TimeUnit.MILLISECONDS.toNanos(COMMIT_RECHECK_MS[0]);
    long busyUntil = busyUntilNanos;
    if (busyUntil != 0) {
      delayNanos = Math.max(delayNanos, busyUntil - System.nanoTime());
    }
    runtime.scheduler().schedule(this::request, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void runPass() {
    queued.set(false);
    long[] hintsBefore = new long[1];
    try {
      boolean wrote = pass.run(() -> hintsBefore[0] = commitHints.get());
      int recheck = commitRechecks.get();
      if (recheck < 0) {
        return;
      }
      if (wrote || recheck + 1 >= COMMIT_RECHECK_MS.length) {
        commitRechecks.set(-1);
        // Commits hinted while this pass ran were ignored (a pass was pending); give them one.
        if (commitHints.get() != hintsBefore[0] && commitRechecks.compareAndSet(-1, 0)) {
          scheduleCommitPass();
        }
      } else {
        commitRechecks.set(recheck + 1);
        runtime.scheduler().schedule(this::request, COMMIT_RECHECK_MS[recheck + 1], TimeUnit.MILLISECONDS);
      }
    } catch (IOException | RuntimeException e) {
      commitRechecks.set(-1);
      onError.accept(e);
    }
  }
}
