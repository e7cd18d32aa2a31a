package dev.runnel.compact;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Counts every request a replica client would send to an object store. */
public final class CountingReplicaClient implements ReplicaClient {
  private final ReplicaClient inner;
  public final AtomicLong lists = new AtomicLong();
  public final AtomicLong opens = new AtomicLong();
  public final AtomicLong writes = new AtomicLong();
  public final AtomicLong deletes = new AtomicLong();
  /** Bytes of the files written, per level 0..9. */
  public final java.util.concurrent.atomic.AtomicLongArray bytesWritten =
      new java.util.concurrent.atomic.AtomicLongArray(LtxFileInfo.MAX_LEVEL + 1);

  public CountingReplicaClient(ReplicaClient inner) {
    this.inner = inner;
  }

  public long total() {
    return lists.get() + opens.get() + writes.get() + deletes.get();
  }

  public void reset() {
    lists.set(0);
    opens.set(0);
    writes.set(0);
    deletes.set(0);
    for (int i = 0; i < bytesWritten.length(); i++) {
      bytesWritten.set(i, 0);
    }
  }

  @Override
  public String toString() {
    return "lists=" + lists + " opens=" + opens + " writes=" + writes + " deletes=" + deletes;
  }

  @Override
  public String type() {
    return inner.type();
  }

  @Override
  public String describe() {
    return inner.describe();
  }

  @Override
  public void init() throws IOException {
    inner.init();
  }

  @Override
  public List<LtxFileInfo> list(int level, TxId seek, boolean exactTimestamps) throws IOException {
    lists.incrementAndGet();
    return inner.list(level, seek, exactTimestamps);
  }

  @Override
  public InputStream open(int level, TxId min, TxId max, long offset, long length) throws IOException {
    opens.incrementAndGet();
    return inner.open(level, min, max, offset, length);
  }

  @Override
  public LtxFileInfo write(int level, TxId min, TxId max, InputStream data) throws IOException {
    writes.incrementAndGet();
    LtxFileInfo f = inner.write(level, min, max, data);
    bytesWritten.addAndGet(level, f.size());
    return f;
  }

  @Override
  public void delete(Collection<LtxFileInfo> files) throws IOException {
    if (!files.isEmpty()) {
      deletes.addAndGet(files.size());
    }
    inner.delete(files);
  }

  @Override
  public void deleteAll() throws IOException {
    deletes.incrementAndGet();
    inner.deleteAll();
  }

  @Override
  public void close() throws IOException {
    inner.close();
  }
}
