package dev.runnel.replicate;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** Fault injection over a real backend: while {@link #down} is set, writes fail like a dead store. */
final class FaultyReplicaClient implements ReplicaClient {
  final ReplicaClient real;
  final AtomicBoolean down = new AtomicBoolean();
  final AtomicInteger failedWrites = new AtomicInteger();
  final AtomicInteger writes = new AtomicInteger();
  /** Milliseconds every write waits before it reaches the real backend (a distant store). */
  volatile long writeDelayMs;

  FaultyReplicaClient(ReplicaClient real) {
    this.real = real;
  }

  @Override
  public String type() {
    return real.type();
  }

  @Override
  public String describe() {
    return "faulty(" + real.describe() + ")";
  }

  @Override
  public void init() throws IOException {
    real.init();
  }

  @Override
  public List<LtxFileInfo> list(int level, TxId seek, boolean exactTimestamps) throws IOException {
    return real.list(level, seek, exactTimestamps);
  }

  @Override
  public InputStream open(int level, TxId min, TxId max, long offset, long length) throws IOException {
    return real.open(level, min, max, offset, length);
  }

  @Override
  public LtxFileInfo write(int level, TxId min, TxId max, InputStream data) throws IOException {
    if (down.get()) {
      failedWrites.incrementAndGet();
      data.readNBytes(100); // fail part-way, like a connection reset mid-upload
      throw new IOException("injected: connection reset by store");
    }
    writes.incrementAndGet();
    long delay = writeDelayMs;
    if (delay > 0) {
      try {
        Thread.sleep(delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("injected store latency interrupted");
      }
    }
    return real.write(level, min, max, data);
  }

  @Override
  public void delete(Collection<LtxFileInfo> files) throws IOException {
    real.delete(files);
  }

  @Override
  public void deleteAll() throws IOException {
    real.deleteAll();
  }

  @Override
  public void close() throws IOException {
    real.close();
  }
}
