package dev.runnel.replica.s3;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Thread-safe operation counters of one {@link S3ReplicaClient}, shaped for Litestream's
 * {@code litestream_replica_operation_total}, {@code _bytes} and {@code _errors_total} metrics
 * (labels {@code operation} and {@code code}).
 *
 * <p>One <em>operation</em> is one logical request as the client sees it, after the SDK's retries:
 * a retried PUT counts once. {@link #httpAttempts()} counts every HTTP attempt, retries included.
 * Bytes are payload bytes: uploaded for PUT, delivered to the caller for GET.
 */
public final class S3Stats {

  /** Operation types. The first four are Litestream's label values; HEAD is counted separately. */
  public enum Op { GET, PUT, DELETE, LIST, HEAD }

  private final Map<Op, LongAdder> ops = new EnumMap<>(Op.class);
  private final Map<Op, LongAdder> bytes = new EnumMap<>(Op.class);
  private final Map<Op, ConcurrentHashMap<String, LongAdder>> errors = new EnumMap<>(Op.class);
  private final LongAdder attempts = new LongAdder();

  S3Stats() {
    for (Op op : Op.values()) {
      ops.put(op, new LongAdder());
      bytes.put(op, new LongAdder());
      errors.put(op, new ConcurrentHashMap<>());
    }
  }

  void op(Op op) {
    ops.get(op).increment();
  }

  void bytes(Op op, long n) {
    if (n > 0) {
      bytes.get(op).add(n);
    }
  }

  void error(Op op, String code) {
    errors.get(op).computeIfAbsent(code, k -> new LongAdder()).increment();
  }

  void attempt() {
    attempts.increment();
  }

  /** Operations of one type started so far. */
  public long operations(Op op) {
    return ops.get(op).sum();
  }

  /** Payload bytes of one type so far. */
  public long bytes(Op op) {
    return bytes.get(op).sum();
  }

  /** Failed operations of one type by error code (S3 code such as {@code SlowDown}, else HTTP status or exception name). */
  public Map<String, Long> errors(Op op) {
    Map<String, Long> out = new TreeMap<>();
    errors.get(op).forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** Failed operations of one type, all codes. */
  public long errorCount(Op op) {
    return errors.get(op).values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** HTTP attempts sent by the SDK, retries included. */
  public long httpAttempts() {
    return attempts.sum();
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("S3Stats[");
    for (Op op : Op.values()) {
      b.append(op).append('=').append(operations(op)).append('/').append(bytes(op)).append('B');
      Map<String, Long> e = errors(op);
      if (!e.isEmpty()) {
        b.append(" errors").append(e);
      }
      b.append(' ');
    }
    return b.append("attempts=").append(httpAttempts()).append(']').toString();
  }
}
