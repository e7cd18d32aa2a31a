package dev.runnel.replicate;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The busy handler of connections from {@link ReplicatedDatabase#connect()}. SQLite's own handler
 * (what {@code busy_timeout} installs) sleeps 1, 2, 5, 10… ms between attempts, so a writer that
 * meets Runnel's write barrier for 3 ms sleeps 8. This one waits on the barrier itself and retries
 * the moment Runnel releases it; for locks held by anyone else it backs off from 50 µs instead of
 * 1 ms. Either way it gives up after the busy timeout, like {@code busy_timeout}.
 *
 * <p>One instance per connection; SQLite calls it on the thread that runs the statement.
 */
final class BarrierAwareBusyHandler extends TimedBusyHandler {
  /** Back-off between attempts while someone other than Runnel holds the lock, in µs. */
  private static final long[] BACKOFF_MICROS = {50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 25_000};

  private final SqliteSession session;

  BarrierAwareBusyHandler(SqliteSession session, Duration timeout) {
    super(timeout);
    this.session = session;
  }

  @Override
  boolean pause(int previousCalls, long waitedNanos, long leftNanos) {
    if (session.awaitBarrierReleased(leftNanos)) {
      return true;
    }
    long pause = TimeUnit.MICROSECONDS.toNanos(BACKOFF_MICROS[Math.min(previousCalls, BACKOFF_MICROS.length - 1)]);
    LockSupport.parkNanos(Math.min(pause, leftNanos));
    return !Thread.currentThread().isInterrupted();
  }
}
