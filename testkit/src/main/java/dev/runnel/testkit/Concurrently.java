package dev.runnel.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Runs tasks on many threads released at the same instant, to provoke races in tests. */
public final class Concurrently {
  private Concurrently() {}

  /** A task for thread number {@code t} (0-based). */
  public interface ThreadTask<T> {
    T run(int t) throws Exception;
  }

  /**
   * Runs one task per thread, all released by one latch, and returns their results in thread
   * order. Rethrows the first failure; each task gets at most 60 seconds.
   */
  public static <T> List<T> run(int threads, ThreadTask<T> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        Callable<T> c = () -> {
          start.await();
          return task.run(id);
        };
        futures.add(pool.submit(c));
      }
      start.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        try {
          results.add(f.get(60, TimeUnit.SECONDS));
        } catch (ExecutionException e) {
          if (e.getCause() instanceof Exception ex) {
            throw ex;
          }
          throw e;
        }
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }
}
