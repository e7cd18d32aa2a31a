package dev.runnel.restore.v3;

import java.util.OptionalLong;

/**
 * The WAL of a generation skips an index: the next segment belongs to {@code actualIndex} (or
 * there is none) where {@code expectedIndex} was required (spec §10.3 step 4).
 */
public final class V3MissingWalIndexException extends V3RestoreException {
  private final String generation;
  private final long expectedIndex;
  private final OptionalLong actualIndex;

  public V3MissingWalIndexException(String generation, long expectedIndex, OptionalLong actual) {
    super("missing WAL index: generation " + generation + " expected index "
        + V3Names.hex8(expectedIndex) + " but "
        + (actual.isPresent() ? "next segment has index " + V3Names.hex8(actual.getAsLong())
            : "there are no further segments"));
    this.generation = generation;
    this.expectedIndex = expectedIndex;
    this.actualIndex = actual;
  }

  public String generation() {
    return generation;
  }

  public long expectedIndex() {
    return expectedIndex;
  }

  /** The index of the segment found instead, empty if the WAL simply ends. */
  public OptionalLong actualIndex() {
    return actualIndex;
  }
}
