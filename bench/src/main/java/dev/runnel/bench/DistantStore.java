package dev.runnel.bench;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.ForwardingReplicaClient;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import java.io.IOException;
import java.io.InputStream;

/**
 * A real replica client whose writes first wait a fixed time, as a PUT to a bucket in another
 * region would: latency injection layered on the real backend, for the slow-store lag rows.
 */
final class DistantStore extends ForwardingReplicaClient {
  private final long writeDelayMs;

  DistantStore(ReplicaClient real, long writeDelayMs) {
    super(real);
    this.writeDelayMs = writeDelayMs;
  }

  @Override
  public String describe() {
    return delegate.describe() + " (+" + writeDelayMs + " ms per write)";
  }

  @Override
  public LtxFileInfo write(int level, TxId min, TxId max, InputStream data) throws IOException {
    try {
      Thread.sleep(writeDelayMs);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("write delay interrupted");
    }
    return delegate.write(level, min, max, data);
  }
}
