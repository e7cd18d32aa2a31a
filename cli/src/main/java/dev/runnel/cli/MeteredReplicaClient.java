package dev.runnel.cli;

import dev.runnel.ltx.TxId;
import dev.runnel.replica.ForwardingReplicaClient;
import dev.runnel.replica.LtxFileInfo;
import dev.runnel.replica.ReplicaClient;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongConsumer;

/**
 * A {@link ReplicaClient} that counts what it does, for Litestream's
 * {@code litestream_replica_operation_*} metrics: operations {@code GET PUT DELETE LIST}, bytes,
 * latency histogram and errors by code. Optionally reports bytes read (restore progress).
 */
final class MeteredReplicaClient extends ForwardingReplicaClient {
  /** Litestream's histogram buckets, seconds. */
  static final double[] BUCKETS = {0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60};
  static final List<String> OPERATIONS = List.of("GET", "PUT", "DELETE", "LIST");

  /** Counters of one operation. */
  static final class OpStats {
    final AtomicLong count = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();
    final AtomicLong nanos = new AtomicLong();
    final AtomicLongArray buckets = new AtomicLongArray(BUCKETS.length);
    final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();

    void record(long elapsedNanos) {
      count.incrementAndGet();
      nanos.addAndGet(elapsedNanos);
      double s = elapsedNanos / 1e9;
      for (int i = 0; i < BUCKETS.length; i++) {
        if (s <= BUCKETS[i]) {
          buckets.incrementAndGet(i);
        }
      }
    }

    void error(Throwable t) {
      errors.computeIfAbsent(code(t), k -> new AtomicLong()).incrementAndGet();
    }
  }

  private final Map<String, OpStats> stats = new ConcurrentHashMap<>();
  private volatile LongConsumer readListener = n -> {};
  private volatile LongConsumer writeListener = null;

  MeteredReplicaClient(ReplicaClient delegate) {
    super(delegate);
    for (String op : OPERATIONS) {
      stats.put(op, new OpStats());
    }
  }

  ReplicaClient delegate() {
    return delegate;
  }

  OpStats stats(String op) {
    return stats.get(op);
  }

  /** Called with the number of bytes each time a stream from {@link #open} is read. */
  void onRead(LongConsumer listener) {
    this.readListener = listener == null ? n -> {} : listener;
  }

  /** Called with the number of bytes each time a {@link #write} consumes its input. */
  void onWrite(LongConsumer listener) {
    this.writeListener = listener;
  }

  static String code(Throwable t) {
    if (t instanceof java.nio.file.NoSuchFileException) {
      return "NotFound";
    }
    if (t instanceof java.nio.file.AccessDeniedException) {
      return "AccessDenied";
    }
    return t.getClass().getSimpleName();
  }

  /** Level by level through {@link #list}, so every LIST request is metered. */
  @Override
  public java.util.Map<Integer, List<LtxFileInfo>> listAllLevels() throws IOException {
    return ReplicaClient.listEachLevel(this, false);
  }

  @Override
  public List<LtxFileInfo> list(int level, TxId seek, boolean exactTimestamps) throws IOException {
    OpStats s = stats.get("LIST");
    long t0 = System.nanoTime();
    try {
      List<LtxFileInfo> r = delegate.list(level, seek, exactTimestamps);
      s.record(System.nanoTime() - t0);
      return r;
    } catch (IOException | RuntimeException e) {
      s.error(e);
      throw e;
    }
  }

  @Override
  public InputStream open(int level, TxId min, TxId max, long offset, long length) throws IOException {
    OpStats s = stats.get("GET");
    long t0 = System.nanoTime();
    InputStream in;
    try {
      in = delegate.open(level, min, max, offset, length);
      s.record(System.nanoTime() - t0);
    } catch (IOException | RuntimeException e) {
      s.error(e);
      throw e;
    }
    return new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
          counted(1);
        }
        return b;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
          counted(n);
        }
        return n;
      }

      private void counted(long n) {
        s.bytes.addAndGet(n);
        readListener.accept(n);
      }
    };
  }

  @Override
  public LtxFileInfo write(int level, TxId min, TxId max, InputStream data) throws IOException {
    OpStats s = stats.get("PUT");
    long t0 = System.nanoTime();
    try {
      LongConsumer wl = writeListener;
      InputStream in = wl == null ? data : new FilterInputStream(data) {
        @Override
        public int read() throws IOException {
          int b = super.read();
          if (b >= 0) {
            wl.accept(1);
          }
          return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          int n = super.read(b, off, len);
          if (n > 0) {
            wl.accept(n);
          }
          return n;
        }
      };
      LtxFileInfo r = delegate.write(level, min, max, in);
      s.record(System.nanoTime() - t0);
      s.bytes.addAndGet(r.size());
      return r;
    } catch (IOException | RuntimeException e) {
      s.error(e);
      throw e;
    }
  }

  @Override
  public void delete(Collection<LtxFileInfo> files) throws IOException {
    OpStats s = stats.get("DELETE");
    long t0 = System.nanoTime();
    try {
      delegate.delete(files);
      s.record(System.nanoTime() - t0);
    } catch (IOException | RuntimeException e) {
      s.error(e);
      throw e;
    }
  }

  @Override
  public void deleteAll() throws IOException {
    OpStats s = stats.get("DELETE");
    long t0 = System.nanoTime();
    try {
      delegate.deleteAll();
      s.record(System.nanoTime() - t0);
    } catch (IOException | RuntimeException e) {
      s.error(e);
      throw e;
    }
  }

}
