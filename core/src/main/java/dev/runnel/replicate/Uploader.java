package dev.runnel.replicate;

import dev.runnel.ltx.LtxFileName;
import dev.runnel.ltx.TxId;
import dev.runnel.replica.ReplicaClient;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Ships local L0 files to the replica in TxId order, one database at a time. Failures back off
 * exponentially with jitter (capped by {@link ReplicationOptions#uploadRetryMax()}); local files
 * queue up meanwhile and the application never waits for the store. After a file is stored,
 * older local files are deleted; the newest stays as the position for the next start.
 *
 * <p>Thread-safe: at most one upload loop runs per database.
 */
final class Uploader {
  private static final System.Logger LOG = System.getLogger(Uploader.class.getName());

  private final String dbName;
  private final MetaDirectory meta;
  private final ReplicaClient replica;
  private final ReplicationRuntime runtime;
  private final ReplicationOptions options;

  private final java.util.concurrent.locks.ReentrantLock uploadLock = new java.util.concurrent.locks.ReentrantLock();
  private TxId remote;
  private boolean running;
  /** Set by every kick, so a file written while a loop is finishing is not left behind. */
  private boolean dirty;
  private boolean closed;
  private int failures;
  private String lastError;
  private Instant lastUploadAt;
  private long uploadCount;
  private long uploadBytes;
  /** Told about every stored file, right after the store accepted it. */
  private final java.util.List<java.util.function.Consumer<dev.runnel.replica.LtxFileInfo>> listeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  /** When set, uploaded local files are kept (a compactor reads and deletes them); see {@link ReplicatedDatabase#setRetainUploadedL0}. */
  private volatile boolean retainUploaded;
  /** Told when a loop ends with nothing left to upload (outside the lock). */
  private volatile Runnable onIdle = () -> {};

  Uploader(String dbName, MetaDirectory meta, ReplicaClient replica, ReplicationRuntime runtime,
      ReplicationOptions options, TxId remote) {
    this.dbName = dbName;
    this.meta = meta;
    this.replica = replica;
    this.runtime = runtime;
    this.options = options;
    this.remote = remote;
  }

  void addListener(java.util.function.Consumer<dev.runnel.replica.LtxFileInfo> l) {
    listeners.add(l);
  }

  void removeListener(java.util.function.Consumer<dev.runnel.replica.LtxFileInfo> l) {
    listeners.remove(l);
  }

  /** Notifies the listeners of a file this database stored (uploads, snapshots). Never throws. */
  void notifyStored(dev.runnel.replica.LtxFileInfo info) {
    for (var l : listeners) {
      try {
        l.accept(info);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "{0}: replica listener failed for {1}: {2}", dbName, info, e.toString());
      }
    }
  }

  void onIdle(Runnable r) {
    this.onIdle = r;
  }

  /**
   * Whether an upload loop is queued or running. A failed upload waiting for its retry is not
   * busy: while the store is down, sync passes go on at their usual pace (and checkpoints with
   * them) and their files queue locally.
   */
  synchronized boolean busy() {
    return running;
  }

  void retainUploaded(boolean retain) {
    this.retainUploaded = retain;
  }

  synchronized TxId remoteTxId() {
    return remote;
  }

  synchronized String lastError() {
    return lastError;
  }

  synchronized Instant lastUploadAt() {
    return lastUploadAt;
  }

  synchronized long uploadCount() {
    return uploadCount;
  }

  synchronized long uploadBytes() {
    return uploadBytes;
  }

  /** Starts an upload loop unless one is running. */
  synchronized void kick() {
    dirty = true;
    if (running || closed) {
      return;
    }
    running = true;
    try {
      runtime.uploads().execute(this::loop);
    } catch (RuntimeException e) {
      running = false; // never started: a later kick must be able to start one (and busy() be false)
      throw e;
    }
  }

  /** Waits until the replica holds {@code txId}. */
  synchronized boolean await(TxId txId, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (remote.compareTo(txId) < 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || closed) {
        return remote.compareTo(txId) >= 0;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  synchronized void close() {
    closed = true;
    notifyAll();
  }

  /** Uploads everything pending once, on the calling thread (used at shutdown). */
  void drainNow() throws IOException {
    for (LtxFileName n : pending()) {
      upload(n);
    }
  }

  private void loop() {
    try {
      while (true) {
        synchronized (this) {
          if (closed) {
            running = false;
            return;
          }
          dirty = false;
        }
        List<LtxFileName> todo = pending();
        if (todo.isEmpty()) {
          boolean stop;
          synchronized (this) {
            stop = !dirty;
            if (stop) {
              running = false;
            }
          }
          if (stop) {
            idle();
            return;
          }
        }
        for (LtxFileName n : todo) {
          upload(n);
        }
      }
    } catch (IOException | RuntimeException e) {
      long delay;
      synchronized (this) {
        failures++;
        lastError = e.getMessage();
        long cap = options.uploadRetryMax().toMillis();
        long base = Math.min(cap, 100L << Math.min(20, failures - 1));
        delay = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
        running = false;
      }
      LOG.log(Level.WARNING, "{0}: upload to {1} failed (attempt {2}, retry in {3} ms): {4}",
          dbName, replica.describe(), failures, delay, e.getMessage());
      runtime.scheduler().schedule(this::kick, delay, TimeUnit.MILLISECONDS);
    } catch (Error e) {
      synchronized (this) {
        running = false; // a dead loop must not look busy forever (sync passes wait for busy loops)
      }
      throw e;
    }
  }

  /** Tells the owner; a new loop may already have started (then its pass is merely early). */
  private void idle() {
    try {
      onIdle.run();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "{0}: upload idle callback failed: {1}", dbName, e.toString());
    }
  }

  private List<LtxFileName> pending() throws IOException {
    TxId r = remoteTxId();
    return meta.listL0().stream().filter(n -> n.max().isAfter(r)).toList();
  }

  private void upload(LtxFileName n) throws IOException {
    // The background loop and a shutdown drain may race; one upload at a time keeps the
    // "delete older local files" step from pulling a file out from under the other.
    uploadLock.lock();
    try {
      if (!n.max().isAfter(remoteTxId())) {
        return;
      }
      uploadLocked(n);
    } finally {
      uploadLock.unlock();
    }
  }

  private void uploadLocked(LtxFileName n) throws IOException {
    var path = meta.l0Path(n);
    long size = Files.size(path);
    dev.runnel.replica.LtxFileInfo stored;
    try (InputStream in = Files.newInputStream(path)) {
      stored = replica.write(0, n.min(), n.max(), in);
    }
    // Before waking waiters: whoever waits for this TxId then also sees the listeners' effects and
    // the local clean-up, so sync() returns to a settled state.
    notifyStored(stored);
    if (!retainUploaded) {
      // Keep only the newest local file: it is the position the next start resumes from. (When
      // retained, the compactor deletes local copies once they are compacted into L1.)
      for (LtxFileName old : meta.listL0()) {
        if (old.max().isBefore(n.max())) {
          meta.deleteL0(old);
        }
      }
    }
    synchronized (this) {
      if (n.max().isAfter(remote)) {
        remote = n.max();
      }
      failures = 0;
      lastError = null;
      lastUploadAt = runtime.clock().instant();
      uploadCount++;
      uploadBytes += size;
      notifyAll();
    }
  }
}
