package dev.runnel.replicate;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.sqlite.BusyHandler;

/**
 * The busy handler of Runnel's write connection (the checkpoint barrier and the
 * {@code _litestream_seq} bump). A writer that commits back to back holds SQLite's write lock
 * almost all the time and frees it for microseconds between two commits; SQLite's own handler
 * sleeps 1, 2, 5, 10… ms between attempts and so mostly wakes while the lock is taken again. The
 * barrier then took hundreds of milliseconds or timed out, checkpoints were skipped and the WAL
 * grew without bound. This handler retries at once for a short spin budget, so one of its attempts
 * falls into such a gap, then backs off to short parks (a long write transaction is not worth a
 * core) until the timeout.
 *
 * <p>One instance per connection; SQLite calls it on the thread that runs the statement.
 */
final class EagerBusyHandler extends BusyHandler {
  /** How long to retry without sleeping, in ns. */
  static final long SPIN_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  /** Pause between attempts after the spin budget, in ns. */
  static final long PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

  private final long timeoutNanos;
  private long startedAt;

  EagerBusyHandler(Duration timeout) {
    this.timeoutNanos = timeout.toNanos();
  }

  /** Returns non-zero to retry, zero to fail the statement with SQLITE_BUSY. */
  @Override
  protected int callback(int previousCalls) {
    long now = System.nanoTime();
    if (previousCalls == 0) {
      startedAt = now;
    }
    long waited = now - startedAt;
    if (waited >= timeoutNanos) {
      return 0;
    }
    if (waited < SPIN_NANOS) {
      Thread.onSpinWait();
    } else {
      LockSupport.parkNanos(Math.min(PARK_NANOS, timeoutNanos - waited));
    }
    return Thread.currentThread().isInterrupted() ? 0 : 1;
  }
}
