package dev.runnel.compact;

import java.time.Duration;
import java.time.Instant;

/**
 * Wall-clock boundaries as Go's {@code time.Truncate} computes them: multiples of the interval
 * since Go's zero time (0001-01-01T00:00:00Z), so odd intervals line up with Litestream's too.
 * Millisecond precision.
 */
final class Boundaries {
  /** Milliseconds from 0001-01-01T00:00:00Z to the Unix epoch. */
  private static final long GO_ZERO_TO_EPOCH_MS = 62_135_596_800_000L;

  private Boundaries() {}

  /** The latest boundary at or before {@code t}: Go's {@code t.Truncate(d)}. */
  static Instant truncate(Instant t, Duration d) {
    long dm = d.toMillis();
    long ms = t.toEpochMilli() + GO_ZERO_TO_EPOCH_MS;
    return Instant.ofEpochMilli(Math.floorDiv(ms, dm) * dm - GO_ZERO_TO_EPOCH_MS);
  }

  /** The next boundary after {@code t}: {@code truncate(t, d) + d}. */
  static Instant next(Instant t, Duration d) {
    return truncate(t, d).plus(d);
  }
}
