package dev.runnel.restore.v3;

import java.time.Instant;
import java.util.Objects;

/** What state a 0.3 restore should reproduce. A closed choice. */
public sealed interface V3RestoreTarget {

  /** The newest state: newest snapshot by time, across generations, plus all of its WAL. */
  record Latest() implements V3RestoreTarget {}

  /**
   * The state as of {@code timestamp}, inclusive: the newest snapshot with time &le; timestamp and
   * that generation's segments with time &le; timestamp (0.3 semantics; LTX restores are
   * exclusive).
   */
  record AtTime(Instant timestamp) implements V3RestoreTarget {
    public AtTime {
      Objects.requireNonNull(timestamp, "timestamp");
    }
  }

  /**
   * The newest state of one generation: its highest-index snapshot plus all its WAL. Independent
   * of modification times.
   */
  record Generation(String generation) implements V3RestoreTarget {
    public Generation {
      requireGeneration(generation);
    }
  }

  /**
   * The state at the end of WAL index {@code index} of one generation: its highest snapshot with
   * index &le; {@code index} plus the WAL through that index (0.3's {@code -generation -index}).
   * Independent of modification times.
   */
  record GenerationIndex(String generation, long index) implements V3RestoreTarget {
    public GenerationIndex {
      requireGeneration(generation);
      if (index < 0 || index > 0xffff_ffffL) {
        throw new IllegalArgumentException("WAL index out of range: " + index);
      }
    }
  }

  static V3RestoreTarget latest() {
    return new Latest();
  }

  static V3RestoreTarget at(Instant timestamp) {
    return new AtTime(timestamp);
  }

  private static void requireGeneration(String g) {
    if (g == null || !V3Names.isGeneration(g)) {
      throw new IllegalArgumentException("not a generation name (16 lower-case hex): " + g);
    }
  }
}
