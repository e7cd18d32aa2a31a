package dev.runnel.bench;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A real replica client whose writes first wait a fixed time, as a PUT to a bucket in another
 * region would: latency injection layered on the real backend, for the slow-store lag rows.
 */
final class DistantStore implements ReplicaClient {
  private final ReplicaClient real;
  private final long writeDelayMs;

  DistantStore(ReplicaClient real, long writeDelayMs) {
    this.real = real;
    this.writeDelayMs = writeDelayMs;
  }

  @Override
  public String type() {
    return real.type();
  }

  @Override
  public String describe() {
    return real.describe() + " (+" + writeDelayMs + " ms per write)";
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
  public Map<Integer, List<LtxFileInfo>> listAllLevels() throws IOException {
    return real.listAllLevels();
  }

  @Override
  public InputStream open(int level, TxId min, TxId max, long offset, long length) throws IOException {
    return real.open(level, min, max, offset, length);
  }

  @Override
  public LtxFileInfo write(int level, TxId min, TxId max, InputStream data) throws IOException {
    try {
      Thread.sleep(writeDelayMs);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("write delay interrupted");
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
