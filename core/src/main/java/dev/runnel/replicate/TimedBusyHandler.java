package dev.runnel.replicate;

import java.time.Duration;
import org.sqlite.BusyHandler;

/**
 * A busy handler that gives up after a timeout, like {@code busy_timeout}, and leaves how to wait
 * between attempts to the subclass. One instance per connection; SQLite calls it on the thread
 * that runs the statement.
 */
abstract class TimedBusyHandler extends BusyHandler {
  private final long timeoutNanos;
  private long startedAt;

  TimedBusyHandler(Duration timeout) {
    this.timeoutNanos = timeout.toNanos();
  }

  /** Returns non-zero to retry, zero to fail the statement with SQLITE_BUSY. */
  @Override
  protected final int callback(int previousCalls) {
    long now = System.nanoTime();
    if (previousCalls == 0) {
      startedAt = now;
    }
    long waited = now - startedAt;
    long left = timeoutNanos - waited;
    if (left <= 0) {
      return 0;
    }
    return pause(previousCalls, waited, left) ? 1 : 0;
  }

  /**
   * Waits before the next attempt, at most {@code leftNanos}.
   *
   * @return false to give up now (the thread was interrupted)
   */
  abstract boolean pause(int previousCalls, long waitedNanos, long leftNanos);
}
