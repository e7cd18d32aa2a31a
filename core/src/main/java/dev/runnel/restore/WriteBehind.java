package dev.runnel.restore;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Flushes a file being written to disk in the background, so the final fsync of a large restore
 * only has the last few MiB left to write instead of the whole file: the device writes while the
 * decoder still works, where {@code cp} followed by {@code fsync} does one after the other.
 *
 * <p>A background {@code fdatasync} that fails is reported by {@link #finish()}: after a failed
 * fsync the kernel may have dropped the dirty pages, and a later fsync can succeed without them,
 * so the only safe answer is to fail the restore.
 *
 * <p>One writer thread calls {@link #finish()} or {@link #close()}; the flusher is a daemon thread.
 */
final class WriteBehind implements AutoCloseable {
  private final FileChannel ch;
  private final long stepBytes;
  private final Thread flusher;
  private volatile boolean stop;
  private volatile IOException failure;
  private volatile long flushed;

  /**
   * @param ch        the file being written (positional writes from any thread)
   * @param stepBytes flush whenever the file grew by at least this much since the last flush
   * @param pollNanos how often the file size is looked at
   */
  WriteBehind(FileChannel ch, long stepBytes, long pollNanos) {
    this.ch = ch;
    this.stepBytes = stepBytes;
    this.flusher = Thread.ofPlatform().daemon().name("runnel-restore-flush").unstarted(() -> run(pollNanos));
    flusher.start();
  }

  private void run(long pollNanos) {
    long last = 0;
    while (!stop) {
      LockSupport.parkNanos(pollNanos);
      try {
        long size = ch.size();
        if (size - last >= stepBytes && !stop) {
          ch.force(false);
          last = size;
          flushed = size;
        }
      } catch (IOException e) {
        failure = e;
        return;
      }
    }
  }

  /** Bytes known flushed by the background thread (for tests and diagnostics). */
  long flushedBytes() {
    return flushed;
  }

  /** Whether a background flush failed (then {@link #finish()} throws). */
  boolean failed() {
    return failure != null;
  }

  /**
   * Stops the flusher and waits for an fsync in flight.
   *
   * @throws IOException if a background flush failed; the file must not be trusted
   */
  void finish() throws IOException {
    close();
    IOException e = failure;
    if (e != null) {
      throw new IOException("background flush of the restored file failed: " + e.getMessage(), e);
    }
  }

  /** Stops the flusher without reporting (error paths). Idempotent. */
  @Override
  public void close() {
    stop = true;
    LockSupport.unpark(flusher);
    boolean interrupted = false;
    while (true) {
      try {
        flusher.join(TimeUnit.SECONDS.toMillis(60));
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
