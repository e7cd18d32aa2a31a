package dev.runnel.replicate;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.ConditionalStore;
import dev.runnel.replica.ForwardingReplicaClient;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** Fault injection over a real backend: while {@link #down} is set, writes fail like a dead store. */
final class FaultyReplicaClient extends ForwardingReplicaClient {
  final AtomicBoolean down = new AtomicBoolean();
  final AtomicInteger failedWrites = new AtomicInteger();
  final AtomicInteger writes = new AtomicInteger();
  /** Milliseconds every write waits before it reaches the real backend (a distant store). */
  volatile long writeDelayMs;

  FaultyReplicaClient(ReplicaClient real) {
    super(real);
  }

  @Override
  public String describe() {
    return "faulty(" + delegate.describe() + ")";
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
    return delegate.write(level, min, max, data);
  }

  /** None, as before this wrapper forwarded it: conditional writes would bypass {@link #down}. */
  @Override
  public Optional<ConditionalStore> conditionalStore() {
    return Optional.empty();
  }
}
