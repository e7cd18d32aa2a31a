package dev.runnel.replicate;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

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
final class EagerBusyHandler extends TimedBusyHandler {
  /** How long to retry without sleeping, in ns. */
  static final long SPIN_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  /** Pause between attempts after the spin budget, in ns. */
  static final long PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

  EagerBusyHandler(Duration timeout) {
    super(timeout);
  }

  @Override
  boolean pause(int previousCalls, long waitedNanos, long leftNanos) {
    if (waitedNanos < SPIN_NANOS) {
      Thread.onSpinWait();
    } else {
      LockSupport.parkNanos(Math.min(PARK_NANOS, leftNanos));
    }
    return !Thread.currentThread().isInterrupted();
  }
}
