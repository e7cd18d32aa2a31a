package dev.runnel.restore.v3;

/**
 * Inside one WAL index a segment's offset does not continue where the previous segments ended:
 * {@code expectedOffset} bytes had been replayed, the next segment starts at {@code actualOffset}
 * (spec §10.3 step 4). Offsets in bytes.
 */
public final class V3MissingWalSegmentException extends V3RestoreException {
  private final String generation;
  private final long index;
  private final long expectedOffset;
  private final long actualOffset;

  public V3MissingWalSegmentException(
      String generation, long index, long expectedOffset, long actualOffset, String actualKey) {
    super("missing WAL segment: generation " + generation + " index " + V3Names.hex8(index)
        + " expected offset " + expectedOffset + " (segment " + V3Names.hex8(index) + "_"
        + String.format("%08x", expectedOffset) + ".wal.lz4) but next segment is at offset "
        + actualOffset + " (" + actualKey + ")");
    this.generation = generation;
    this.index = index;
    this.expectedOffset = expectedOffset;
    this.actualOffset = actualOffset;
  }

  public String generation() {
    return generation;
  }

  public long index() {
    return index;
  }

  public long expectedOffset() {
    return expectedOffset;
  }

  public long actualOffset() {
    return actualOffset;
  }
}
