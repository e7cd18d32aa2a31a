package dev.runnel.bench;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.ConditionalStore;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A {@link ReplicaClient} decorator that counts what an object store would be sent: requests by
 * kind (a {@code delete} call counts as one request, as S3's DeleteObjects batches keys) and bytes
 * stored (by level) and read. Thread-safe; {@link #snapshot()} reads all counters.
 */
final class CountingReplica implements ReplicaClient {
  private final ReplicaClient inner;
  private final AtomicLong puts = new AtomicLong();
  private final AtomicLong gets = new AtomicLong();
  private final AtomicLong getBytes = new AtomicLong();
  private final AtomicLong lists = new AtomicLong();
  private final AtomicLong deleteCalls = new AtomicLong();
  private final AtomicLong filesDeleted = new AtomicLong();
  private final AtomicLongArray putBytes = new AtomicLongArray(LtxFileInfo.MAX_LEVEL + 1);
  private final AtomicLongArray putsByLevel = new AtomicLongArray(LtxFileInfo.MAX_LEVEL + 1);

  CountingReplica(ReplicaClient inner) {
    this.inner = inner;
  }

  /**
   * Counters at one moment; subtract two with {@link #minus}.
   *
   * @param putBytesByLevel bytes of the files written, index = level 0..9
   */
  record Counts(long puts, long gets, long getBytes, long lists, long deleteCalls, long filesDeleted,
      long[] putBytesByLevel, long[] putsByLevel) {
    long putBytes() {
      long s = 0;
      for (long b : putBytesByLevel) {
        s += b;
      }
      return s;
    }

    /** All requests: PUT + GET + LIST + DELETE calls. */
    long requests() {
      return puts + gets + lists + deleteCalls;
    }

    Counts minus(Counts o) {
      long[] b = new long[putBytesByLevel.length];
      long[] p = new long[putsByLevel.length];
      for (int i = 0; i < b.length; i++) {
        b[i] = putBytesByLevel[i] - o.putBytesByLevel[i];
        p[i] = putsByLevel[i] - o.putsByLevel[i];
      }
      return new Counts(puts - o.puts, gets - o.gets, getBytes - o.getBytes, lists - o.lists,
          deleteCalls - o.deleteCalls, filesDeleted - o.filesDeleted, b, p);
    }
  }

  Counts snapshot() {
    long[] b = new long[putBytes.length()];
    long[] p = new long[putsByLevel.length()];
    for (int i = 0; i < b.length; i++) {
      b[i] = putBytes.get(i);
      p[i] = putsByLevel.get(i);
    }
    return new Counts(puts.get(), gets.get(), getBytes.get(), lists.get(), deleteCalls.get(), filesDeleted.get(), b,
        p);
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
    gets.incrementAndGet();
    return new FilterInputStream(inner.open(level, min, max, offset, length)) {
      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
          getBytes.incrementAndGet();
        }
        return b;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
          getBytes.addAndGet(n);
        }
        return n;
      }
    };
  }

  @Override
  public LtxFileInfo write(int level, TxId min, TxId max, InputStream data) throws IOException {
    puts.incrementAndGet();
    LtxFileInfo f = inner.write(level, min, max, data);
    putBytes.addAndGet(level, f.size());
    putsByLevel.incrementAndGet(level);
    return f;
  }

  @Override
  public void delete(Collection<LtxFileInfo> files) throws IOException {
    if (!files.isEmpty()) {
      deleteCalls.incrementAndGet();
      filesDeleted.addAndGet(files.size());
    }
    inner.delete(files);
  }

  @Override
  public void deleteAll() throws IOException {
    deleteCalls.incrementAndGet();
    inner.deleteAll();
  }

  @Override
  public Optional<ConditionalStore> conditionalStore() {
    return inner.conditionalStore();
  }

  @Override
  public void close() throws IOException {
    inner.close();
  }
}
