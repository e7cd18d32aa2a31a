package dev.runnel.replica;

import dev.runnel.ltx.TxId;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A {@link ReplicaClient} decorator that counts what an object store would be sent: requests by
 * kind and level, bytes written by level and bytes read. For benchmarks and tests that measure
 * request volume (e.g. "no request while idle", PUTs per minute); it changes nothing about the
 * calls it forwards.
 *
 * <p>Counting rules: one {@link #list} is one LIST, one {@link #open} one GET (its bytes are
 * counted as the stream is read), one {@link #write} one PUT (with the stored file's size); a
 * {@link #delete} of a non-empty collection is one DELETE request (as S3's DeleteObjects batches
 * keys) and adds the number of files to {@link Counts#filesDeleted()}; {@link #deleteAll} is one
 * DELETE request. Calls that fail are counted too (the request was sent).
 *
 * <p>Thread-safe: every counter is atomic. {@link #snapshot()} reads the counters one by one, so a
 * snapshot taken while requests run may mix before and after of a concurrent request.
 */
public final class CountingReplicaClient extends ForwardingReplicaClient {
  private static final int LEVELS = LtxFileInfo.MAX_LEVEL + 1;

  private final AtomicLong gets = new AtomicLong();
  private final AtomicLong getBytes = new AtomicLong();
  private final AtomicLong lists = new AtomicLong();
  private final AtomicLong deleteCalls = new AtomicLong();
  private final AtomicLong filesDeleted = new AtomicLong();
  private final AtomicLongArray putsByLevel = new AtomicLongArray(LEVELS);
  private final AtomicLongArray putBytesByLevel = new AtomicLongArray(LEVELS);

  /** Counts the requests sent to {@code inner}; closing this client closes {@code inner}. */
  public CountingReplicaClient(ReplicaClient inner) {
    super(inner);
  }

  /** The decorated client. */
  public ReplicaClient inner() {
    return delegate;
  }

  /**
   * Counters at one moment; subtract two with {@link #minus}. Arrays are indexed by level
   * (0..{@link LtxFileInfo#MAX_LEVEL}) and copied in and out, so a snapshot never changes.
   *
   * @param gets            GET requests ({@link #open})
   * @param getBytes        bytes read from the streams {@link #open} returned
   * @param lists           LIST requests
   * @param deleteCalls     DELETE requests
   * @param filesDeleted    files named by {@link #delete} calls
   * @param putsByLevel     PUT requests ({@link #write}) per level
   * @param putBytesByLevel bytes of the files written per level
   */
  public record Counts(long gets, long getBytes, long lists, long deleteCalls, long filesDeleted,
      long[] putsByLevel, long[] putBytesByLevel) {
    public Counts {
      putsByLevel = putsByLevel.clone();
      putBytesByLevel = putBytesByLevel.clone();
    }

    @Override
    public long[] putsByLevel() {
      return putsByLevel.clone();
    }

    @Override
    public long[] putBytesByLevel() {
      return putBytesByLevel.clone();
    }

    /** PUT requests of all levels. */
    public long puts() {
      return sum(putsByLevel);
    }

    /** Bytes written at all levels. */
    public long putBytes() {
      return sum(putBytesByLevel);
    }

    /** All requests: PUT + GET + LIST + DELETE. */
    public long requests() {
      return puts() + gets + lists + deleteCalls;
    }

    /** The counts since {@code earlier}. */
    public Counts minus(Counts earlier) {
      long[] p = new long[LEVELS];
      long[] b = new long[LEVELS];
      for (int i = 0; i < LEVELS; i++) {
        p[i] = putsByLevel[i] - earlier.putsByLevel[i];
        b[i] = putBytesByLevel[i] - earlier.putBytesByLevel[i];
      }
      return new Counts(gets - earlier.gets, getBytes - earlier.getBytes, lists - earlier.lists,
          deleteCalls - earlier.deleteCalls, filesDeleted - earlier.filesDeleted, p, b);
    }

    @Override
    public String toString() {
      return "puts=" + puts() + " gets=" + gets + " lists=" + lists + " deletes=" + deleteCalls + " putBytesByLevel="
          + java.util.Arrays.toString(putBytesByLevel);
    }

    private static long sum(long[] a) {
      long s = 0;
      for (long v : a) {
        s += v;
      }
      return s;
    }
  }

  /** The counters now. */
  public Counts snapshot() {
    long[] p = new long[LEVELS];
    long[] b = new long[LEVELS];
    for (int i = 0; i < LEVELS; i++) {
      p[i] = putsByLevel.get(i);
      b[i] = putBytesByLevel.get(i);
    }
    return new Counts(gets.get(), getBytes.get(), lists.get(), deleteCalls.get(), filesDeleted.get(), p, b);
  }

  /** Sets every counter to zero (not atomically with respect to running requests). */
  public void reset() {
    gets.set(0);
    getBytes.set(0);
    lists.set(0);
    deleteCalls.set(0);
    filesDeleted.set(0);
    for (int i = 0; i < LEVELS; i++) {
      putsByLevel.set(i, 0);
      putBytesByLevel.set(i, 0);
    }
  }

  @Override
  public String toString() {
    return "counting(" + delegate.describe() + "): " + snapshot();
  }

  /** Level by level through {@link #list}, so every listing request is counted. */
  @Override
  public java.util.Map<Integer, List<LtxFileInfo>> listAllLevels() throws IOException {
    return ReplicaClient.listEachLevel(this, false);
  }

  @Override
  public List<LtxFileInfo> list(int level, TxId seek, boolean exactTimestamps) throws IOException {
    lists.incrementAndGet();
    return delegate.list(level, seek, exactTimestamps);
  }

  @Override
  public InputStream open(int level, TxId min, TxId max, long offset, long length) throws IOException {
    gets.incrementAndGet();
    return new FilterInputStream(delegate.open(level, min, max, offset, length)) {
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
    LtxFileInfo.checkLevel(level);
    putsByLevel.incrementAndGet(level);
    LtxFileInfo f = delegate.write(level, min, max, data);
    putBytesByLevel.addAndGet(level, f.size());
    return f;
  }

  @Override
  public void delete(Collection<LtxFileInfo> files) throws IOException {
    if (!files.isEmpty()) {
      deleteCalls.incrementAndGet();
      filesDeleted.addAndGet(files.size());
    }
    delegate.delete(files);
  }

  @Override
  public void deleteAll() throws IOException {
    deleteCalls.incrementAndGet();
    delegate.deleteAll();
  }

}
