package dev.runnel.tenant;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A snapshot of a latency histogram with fixed bucket bounds (1 ms .. 10 s, roughly 1-2-5).
 *
 * @param upperBoundsMillis inclusive upper bound of each bucket in milliseconds; the last bucket
 *     ({@code Long.MAX_VALUE}) takes everything slower
 * @param counts observations per bucket
 * @param count total observations
 * @param totalMicros sum of all observations in microseconds
 * @param maxMicros slowest observation in microseconds
 */
public record LatencyHistogram(long[] upperBoundsMillis, long[] counts, long count, long totalMicros, long maxMicros) {
  static final long[] BOUNDS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, Long.MAX_VALUE};

  public LatencyHistogram {
    upperBoundsMillis = upperBoundsMillis.clone();
    counts = counts.clone();
  }

  @Override
  public long[] upperBoundsMillis() {
    return upperBoundsMillis.clone();
  }

  @Override
  public long[] counts() {
    return counts.clone();
  }

  /** Mean, or zero without observations. */
  public Duration mean() {
    return count == 0 ? Duration.ZERO : Duration.ofNanos(totalMicros * 1000 / count);
  }

  /**
   * The upper bound of the bucket holding quantile {@code q} (0..1): an upper estimate. The last
   * bucket reports the maximum.
   */
  public Duration quantileUpperBound(double q) {
    if (count == 0) {
      return Duration.ZERO;
    }
    long rank = (long) Math.ceil(q * count);
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= rank && counts[i] > 0) {
        return upperBoundsMillis[i] == Long.MAX_VALUE ? Duration.ofNanos(maxMicros * 1000)
            : Duration.ofMillis(upperBoundsMillis[i]);
      }
    }
    return Duration.ofNanos(maxMicros * 1000);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LatencyHistogram h && Arrays.equals(counts, h.counts) && count == h.count
        && totalMicros == h.totalMicros && maxMicros == h.maxMicros;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(counts) * 31 + Long.hashCode(count);
  }

  @Override
  public String toString() {
    return "LatencyHistogram[count=" + count + ", mean=" + mean() + ", p50<=" + quantileUpperBound(0.5) + ", p99<="
        + quantileUpperBound(0.99) + ", max=" + Duration.ofNanos(maxMicros * 1000) + "]";
  }

  /** The live, lock-free recorder. */
  static final class Recorder {
    private final AtomicLongArray counts = new AtomicLongArray(BOUNDS.length);
    private final java.util.concurrent.atomic.LongAdder total = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder n = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.AtomicLong max = new java.util.concurrent.atomic.AtomicLong();

    void record(long nanos) {
      long micros = nanos / 1000;
      long millis = (nanos + 999_999) / 1_000_000;
      int i = 0;
      while (BOUNDS[i] < millis) {
        i++;
      }
      counts.incrementAndGet(i);
      total.add(micros);
      n.increment();
      max.accumulateAndGet(micros, Math::max);
    }

    LatencyHistogram snapshot() {
      long[] c = new long[BOUNDS.length];
      for (int i = 0; i < c.length; i++) {
        c[i] = counts.get(i);
      }
      return new LatencyHistogram(BOUNDS, c, n.sum(), total.sum(), max.get());
    }
  }
}
