package dev.runnel.replicate;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Threads shared by every replicated database of a process: a small scheduler pool that runs
 * syncs, checkpoints and the cheap per-database change checks, and virtual threads for uploads
 * (bounded by a semaphore). There is no thread per database, so an idle database costs a stat of
 * its WAL per monitor interval and nothing else. The change checks of all databases with the same
 * monitor interval run in one scheduled pass, so a thousand idle databases wake a scheduler thread
 * once per interval, not a thousand times (each wake-up costs more CPU than the stat itself).
 *
 * <p>Thread-safe. Close it after closing the databases that use it.
 */
public final class ReplicationRuntime implements AutoCloseable {
  private final ScheduledThreadPoolExecutor scheduler;
  private final ExecutorService uploads;
  private final Semaphore uploadPermits;
  private final Clock clock;
  /** Databases' change checks, grouped by monitor interval in ms; one scheduled pass per group. */
  private final Map<Long, Set<Runnable>> monitors = new ConcurrentHashMap<>();
  private static final Logger LOG = Logger.getLogger(ReplicationRuntime.class.getName());

  /**
   * @param schedulerThreads threads for syncs and checks (default 2)
   * @param maxConcurrentUploads uploads in flight across all databases (default 16)
   * @param clock time source for LTX timestamps and retention (inject a fixed clock in tests)
   */
  public ReplicationRuntime(int schedulerThreads, int maxConcurrentUploads, Clock clock) {
    if (schedulerThreads < 1 || maxConcurrentUploads < 1) {
      throw new IllegalArgumentException("thread counts must be >= 1");
    }
    AtomicInteger n = new AtomicInteger();
    ThreadFactory tf = r -> {
      Thread t = new Thread(r, "runnel-sync-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    this.scheduler = new ScheduledThreadPoolExecutor(schedulerThreads, tf);
    this.scheduler.setRemoveOnCancelPolicy(true);
    this.uploads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("runnel-upload-", 0).factory());
    this.uploadPermits = new Semaphore(maxConcurrentUploads);
    this.clock = clock;
  }

  /** Two scheduler threads, 16 concurrent uploads, the system clock. */
  public static ReplicationRuntime createDefault() {
    return new ReplicationRuntime(2, 16, Clock.systemUTC());
  }

  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  /**
   * Runs {@code check} every {@code intervalMillis} together with every other check of the same
   * interval, until the returned handle is run. A check that throws is logged and stays registered.
   */
  Runnable monitor(long intervalMillis, Runnable check) {
    Set<Runnable> group = monitors.computeIfAbsent(intervalMillis, ms -> {
      Set<Runnable> g = ConcurrentHashMap.newKeySet();
      scheduler.scheduleWithFixedDelay(() -> runChecks(g), ms, ms, TimeUnit.MILLISECONDS);
      return g;
    });
    group.add(check);
    return () -> group.remove(check);
  }

  private static void runChecks(Set<Runnable> group) {
    for (Runnable check : group) {
      try {
        check.run();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "change check failed: " + e, e);
      }
    }
  }

  ExecutorService uploads() {
    return uploads;
  }

  Semaphore uploadPermits() {
    return uploadPermits;
  }

  public Clock clock() {
    return clock;
  }

  /** Stops the threads; pending tasks are dropped. Idempotent. */
  @Override
  public void close() {
    scheduler.shutdownNow();
    uploads.shutdownNow();
    try {
      scheduler.awaitTermination(Duration.ofSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
      uploads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
